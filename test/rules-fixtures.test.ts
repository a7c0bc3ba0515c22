/**
 * Every rule fixture: fixtures/rules/<rule>/<case>.in.dockerfile is fixed with
 * that rule alone (options from <case>.options.json, e.g. {"unsafeFixes": true};
 * {"context": DIR} names the build context, {"context": null} says it is not at hand)
 * and must give <case>.out.dockerfile; an unchanged case has out === in. Fixing
 * the output again must change nothing (idempotence). An optional
 * <case>.reports.json lists the findings left unfixed ({line, reason}): a
 * rule that only reports has its positive cases there. Where
 * <case>.report.txt exists, it lists what the run reports, one finding a
 * line: `LINE:COL fixed: MESSAGE` for each applied fix and
 * `LINE:COL REASON: MESSAGE` for each finding left (REASON: no-fix, unsafe,
 * meaning-check), the line and column of the input file where the token the
 * finding is about starts. (A file whose lines start `LINE ` without a
 * column, as they were written before findings had columns, is compared on
 * lines only.)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { fix, type FixResult } from "../src/codemod/index.js";
import { RULES } from "../src/rules/index.js";
import { FIXTURES, fixtureCases } from "./helpers.js";

/** The unfixed findings a fixture expects, if it says. */
function reportsOf(name: string): { line: number; reason: string }[] | null {
  const file = join(FIXTURES, `${name}.reports.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { line: number; reason: string }[]) : null;
}
import { initShell } from "../src/index.js";

/** The report of a run, as <case>.report.txt writes it (`LINE:COL`; `LINE` alone with columns false). */
function report(result: FixResult, columns = true): string {
  const at = (f: { line: number; column: number }) => (columns ? `${f.line}:${f.column}` : `${f.line}`);
  const lines = [
    ...result.fixes.map((f) => ({ line: f.line, column: f.column, text: `${at(f)} fixed: ${f.message}` })),
    ...result.remaining.map((f) => ({ line: f.line, column: f.column, text: `${at(f)} ${f.reason}: ${f.message}` })),
  ];
  return lines
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((l) => `${l.text}\n`)
    .join("");
}

/** Whether a .report.txt names columns (`LINE:COL ...`); an empty one does, trivially. */
const namesColumns = (text: string) => text === "" || /^\d+:\d+ /.test(text);

beforeAll(async () => {
  await initShell();
});

describe("rule fixtures", () => {
  for (const rule of RULES) {
    const cases = fixtureCases(`rules/${rule.id}`);
    test(`${rule.id} has positive and "never" fixtures`, () => {
      const positive = rule.safety === "none" ? (c: (typeof cases)[number]) => reportsOf(c.name) !== null : (c: (typeof cases)[number]) => c.input !== c.output;
      expect(cases.some(positive)).toBe(true);
      expect(cases.filter((c) => c.input === c.output).length).toBeGreaterThanOrEqual(3);
    });
    for (const c of cases) {
      test(c.name, async () => {
        // {"context": null}: the build context is not at hand (as from stdin or the plugin)
        const options = { select: [rule.id], ...c.options };
        const once = await fix(c.input, options);
        expect(once.output).toBe(c.output);
        expect(once.changed).toBe(c.input !== c.output);
        const reportFile = join(FIXTURES, `${c.name}.report.txt`);
        if (existsSync(reportFile)) {
          const want = readFileSync(reportFile, "utf8");
          expect(report(once, namesColumns(want))).toBe(want);
        }
        for (const applied of once.fixes) {
          expect(applied.rule).toBe(rule.id);
          expect(applied.line).toBeGreaterThan(0);
        }
        const reports = reportsOf(c.name);
        if (reports !== null) {
          expect(once.remaining.filter((r) => r.rule === rule.id).map((r) => ({ line: r.line, reason: r.reason }))).toEqual(reports);
        }
        const twice = await fix(once.output, options);
        expect(twice.output).toBe(once.output);
        expect(twice.fixes).toEqual([]);
      });
    }
  }

  for (const select of [undefined, ["ALL"]]) {
    test(`${select ? "all rules" : "the default rules"} together reach a fixed point on every fixture`, async () => {
      for (const rule of RULES) {
        for (const c of fixtureCases(`rules/${rule.id}`)) {
          const once = await fix(c.input, { unsafeFixes: true, select });
          const twice = await fix(once.output, { unsafeFixes: true, select });
          expect(twice.fixes, c.name).toEqual([]);
        }
      }
    });
  }
});
