/**
 * Every rule fixture: fixtures/rules/<rule>/<case>.in.dockerfile is fixed with
 * that rule alone (options from <case>.options.json, e.g. {"unsafeFixes": true})
 * and must give <case>.out.dockerfile; an unchanged case has out === in. Fixing
 * the output again must change nothing (idempotence).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { fix } from "../src/codemod/index.js";
import { RULES } from "../src/rules/index.js";
import { fixtureCases } from "./helpers.js";
import { initShell } from "../src/index.js";

beforeAll(async () => {
  await initShell();
});

describe("rule fixtures", () => {
  for (const rule of RULES) {
    const cases = fixtureCases(`rules/${rule.id}`);
    test(`${rule.id} has positive and "never" fixtures`, () => {
      expect(cases.some((c) => c.input !== c.output)).toBe(true);
      expect(cases.filter((c) => c.input === c.output).length).toBeGreaterThanOrEqual(3);
    });
    for (const c of cases) {
      test(c.name, async () => {
        const options = { select: [rule.id], ...c.options };
        const once = await fix(c.input, options);
        expect(once.output).toBe(c.output);
        expect(once.changed).toBe(c.input !== c.output);
        for (const applied of once.fixes) {
          expect(applied.rule).toBe(rule.id);
          expect(applied.line).toBeGreaterThan(0);
        }
        const twice = await fix(once.output, options);
        expect(twice.output).toBe(once.output);
        expect(twice.fixes).toEqual([]);
      });
    }
  }

  test("all rules together reach a fixed point on every fixture", async () => {
    for (const rule of RULES) {
      for (const c of fixtureCases(`rules/${rule.id}`)) {
        const once = await fix(c.input, { unsafeFixes: true });
        const twice = await fix(once.output, { unsafeFixes: true });
        expect(twice.fixes, c.name).toEqual([]);
      }
    }
  });
});
