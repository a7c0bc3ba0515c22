/**
 * Files the formatter and the codemod must refuse, as BuildKit refuses them,
 * pointing where the problem is written: fixtures/<dir>/<case>.in.dockerfile
 * with <case>.error.txt, whose first line is `LINE:COLUMN MESSAGE` (1-based,
 * lines of the input file). What BuildKit's parser itself refuses is checked
 * against its recorded readings (test/buildkit-oracle.test.ts); these pin the
 * position the model gives, which BuildKit does not (its location is the
 * whole instruction).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { fixSync } from "../src/codemod/fix.js";
import { DockerfileSyntaxError, formatText, initShell } from "../src/index.js";
import { refusalCases } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

/** The refusal as <case>.error.txt writes it, or what happened instead. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof DockerfileSyntaxError) return `${e.line}:${e.column} ${e.message}`;
    throw e;
  }
  return "(accepted)";
}

describe("refusal fixtures (fixtures/**/<case>.in.dockerfile -> <case>.error.txt)", () => {
  const cases = refusalCases("format");
  test("there are refusal fixtures", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    test(c.name, () => {
      expect(refusal(() => formatText(c.input))).toBe(c.error);
      expect(refusal(() => fixSync(c.input, {}))).toBe(c.error);
    });
  }
});
