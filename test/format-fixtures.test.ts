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
