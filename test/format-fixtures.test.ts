import * as prettier from "prettier";
import { beforeAll, describe, expect, test } from "vitest";
import { fixtureCases, type FixtureCase } from "./helpers.js";
import { formatText, initShell } from "../src/index.js";
import plugin from "../plugin/index.js";

beforeAll(async () => {
  await initShell();
});

const cases = fixtureCases("format");

describe("format fixtures (fixtures/format/**/<case>.in.dockerfile -> .out.dockerfile)", () => {
  test("there are fixtures", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    if (throughPrettier(c)) continue;
    test(c.name, () => {
      const out = formatText(c.input, c.options);
      expect(out).toBe(c.output);
      // the style is stable: formatting the output changes nothing
      expect(formatText(out, c.options)).toBe(out);
    });
  }
});

/**
 * Cases whose options name Prettier's endOfLine run through prettier.format
 * with the plugin (the core writes LF; line endings are Prettier's). An
 * expected output of `!refused (line:column): message` is a refusal.
 */
const throughPrettier = (c: FixtureCase): boolean => "endOfLine" in c.options;

describe("format fixtures through Prettier (options with endOfLine)", () => {
  for (const c of cases.filter(throughPrettier)) {
    test(c.name, async () => {
      const run = (text: string) => prettier.format(text, { ...c.options, parser: "dockerfile", plugins: [plugin] });
      if (c.output.startsWith("!refused ")) {
        const [, line, column, message] = /^!refused \((\d+):(\d+)\): (.*)\n?$/.exec(c.output)!;
        await expect(run(c.input)).rejects.toMatchObject({ message: `${message} (${line}:${column})`, loc: { start: { line: Number(line), column: Number(column) } } });
        return;
      }
      const out = await run(c.input);
      expect(out).toBe(c.output);
      expect(await run(out)).toBe(out);
    });
  }
});

describe("house styles (fixtures/format/house-styles)", () => {
  const styles = cases.filter((c) => c.name.startsWith("format/house-styles/"));
  test("each canonical example comes out unchanged under its options", () => {
    const canonical = styles.filter((c) => !c.name.includes("round-trip"));
    expect(canonical.length).toBeGreaterThanOrEqual(4);
    for (const c of canonical) expect(c.output, c.name).toBe(c.input);
  });

  test("a file converted from one style to the other converts back byte for byte", () => {
    const trips = styles.filter((c) => c.name.includes("round-trip"));
    expect(trips.length).toBeGreaterThanOrEqual(2);
    for (const c of trips) {
      expect(c.output, c.name).not.toBe(c.input);
      const back = trips.find((other) => other !== c && other.input === c.output);
      expect(back, `${c.name}: a round-trip fixture whose input is this one's output`).toBeDefined();
      expect(back!.output, c.name).toBe(c.input);
    }
  });
});
