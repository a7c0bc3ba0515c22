import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";
// @ts-expect-error: a plain ESM script without types
import { render } from "../scripts/style-doc.mjs";

describe("documentation", () => {
  test("docs/style.md is generated from the style fixtures and up to date (node scripts/style-doc.mjs)", () => {
    expect(readFileSync(join(ROOT, "docs/style.md"), "utf8")).toBe((render as () => string)());
  });

  test("the README shows the two commands and .ci/run runs the README's test command", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain("npm ci && npm run example");
    expect(readme).toContain("npm test");
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8");
    expect(ci).toMatch(/^npm test$/m);
  });

  test("on a fresh clone, `npm ci` builds nothing (no prepare script: the build runs at prepack), so the two commands build dist/ themselves", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.prepare).toBeUndefined();
    expect(scripts.prepack).toBe("npm run build");
    expect(scripts.example).toMatch(/^npm run build && /);
    expect(scripts.test).toMatch(/(^|&& )npm run build &&/);
  });
});

describe("the README's rule table", () => {
  test("matches `dockerfile-codemod --list-rules`", async () => {
    const { listRules } = await import("../src/cli/main.js");
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const table = /<!-- rules:start[^>]*-->\n([\s\S]*?)<!-- rules:end -->/.exec(readme)![1]!;
    expect(table).toBe(listRules());
  });
});
