import { beforeAll, describe, expect, test } from "vitest";
import { fixtureCases } from "./helpers.js";
import { formatText, initShell } from "../src/index.js";

beforeAll(async () => {
  await initShell();
});

const cases = fixtureCases("format");

describe("format fixtures (fixtures/format/**/<case>.in.dockerfile -> .out.dockerfile)", () => {
  test("there are fixtures", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    test(c.name, () => {
      const out = formatText(c.input, c.options);
      expect(out).toBe(c.output);
      // the style is stable: formatting the output changes nothing
      expect(formatText(out, c.options)).toBe(out);
    });
  }
});
