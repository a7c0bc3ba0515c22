/**
 * Where findings point and what their fixes' edits mean, in the input file,
 * whatever rounds of fixes the engine ran (issue 19, points 2 and 3):
 * - a finding found in a later round names lines, and points at columns, of
 *   the input, in its message and its position;
 * - each reported fix's edits, applied alone to the input, make that fix's
 *   change, or the fix lists the earlier fixes it needs (dependsOn): checked
 *   on a sample of the rule fixtures (every 6th, all rules, unsafe fixes on,
 *   to stay under 3 s), where the independent fixes' edits together must
 *   give the engine's output exactly.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { applyEdits, fix, type FixResult } from "../src/codemod/index.js";
import { buildModel } from "../src/model/model.js";
import { RULES } from "../src/rules/index.js";
import { initShell } from "../src/index.js";
import { fixtureCases } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

/** The text of the input a finding's span covers. */
const spanText = (input: string, r: { span: { start: number; end: number } }) => input.slice(r.span.start, r.span.end);

describe("positions and messages in input lines, after earlier rounds", () => {
  test("consecutive-run: the RUN a later round joins onto is named by its input line (not the CMD the earlier joins moved there)", async () => {
    const input = "FROM alpine\nRUN a\n\nRUN b\nCMD x\nRUN c\nRUN d\nRUN e\n";
    const r = await fix(input, { select: ["consecutive-run"] });
    const last = r.fixes.find((f) => f.line === 8)!;
    expect(last.message).toBe("this RUN follows the RUN on line 6: join them, one layer fewer");
    expect(last.description).toBe("join onto the RUN on line 6");
    expect([last.column, spanText(input, last)]).toEqual([1, "RUN"]);
  });

  test("stage-name-case in a later round: the references' lines and the name's column are the input's", async () => {
    // round 1 removes the FROM's --platform and the CMD on line 2; the rename comes in round 2
    const input = "FROM --platform=$TARGETPLATFORM golang AS Builder\nCMD a\nCMD b\nFROM alpine\nCOPY --from=Builder /x /x\n";
    const r = await fix(input, { select: ["redundant-target-platform", "no-shadowed-cmd", "stage-name-case"], unsafeFixes: true });
    const rename = r.fixes.find((f) => f.rule === "stage-name-case")!;
    expect(rename.message).toMatch(/\(and the references on line 5\)$/);
    expect([rename.line, rename.column, spanText(input, rename)]).toEqual([1, 43, "Builder"]);
    expect(rename.dependsOn).toEqual([]);
  });

  test("a join onto a RUN an earlier round joined lists that fix; its edits alone would join onto the wrong RUN", async () => {
    const input = "FROM alpine\nRUN a\nRUN b\nRUN c\n";
    const r = await fix(input, { select: ["consecutive-run"] });
    expect(r.fixes.map((f) => [f.line, f.dependsOn])).toEqual([
      [3, []],
      [4, [0]],
    ]);
  });
});

describe("fixes that need earlier ones", () => {
  test("a join across a CMD an earlier round removed names that removal: alone, it would move the RUN above the CMD", async () => {
    const input = "FROM alpine\nRUN a\nCMD x\nRUN b\nCMD y\n";
    const r = await fix(input, { select: ["no-shadowed-cmd", "consecutive-run"] });
    expect(r.output).toBe("FROM alpine\nRUN a && \\\n    b\nCMD y\n");
    expect(r.fixes.map((f) => [f.rule, f.line, f.dependsOn])).toEqual([
      ["no-shadowed-cmd", 3, []],
      ["consecutive-run", 4, [0]],
    ]);
  });
});

/** Keeps what tests the invariants below on one result. */
function checkStandAlone(name: string, input: string, r: FixResult): { independent: number; dependent: number } {
  let independent = 0;
  let dependent = 0;
  const all = [...r.fixes.map((f) => ({ ...f, applied: true })), ...r.remaining.flatMap((f) => (f.fix ? [{ ...f.fix, rule: f.rule, applied: false }] : []))];
  for (const f of all) {
    if (f.dependsOn.length > 0) {
      dependent++;
      for (const d of f.dependsOn) expect(d, name).toBeLessThan(r.fixes.length);
      continue;
    }
    independent++;
    const alone = applyEdits(input, f.edits);
    expect(alone, `${name}: ${f.rule}'s edits change nothing`).not.toBe(input);
    // the result parses, and each edit's text stands where the edit put it
    expect(() => buildModel(alone), `${name}: ${f.rule}'s edits alone`).not.toThrow();
    let shift = 0;
    for (const e of [...f.edits].sort((a, b) => a.start - b.start)) {
      expect(alone.slice(e.start + shift, e.start + shift + e.text.length), name).toBe(e.text);
      shift += e.text.length - (e.end - e.start);
    }
  }
  // the applied fixes that need none: their edits, together, are the engine's change
  if (r.fixes.every((f) => f.dependsOn.length === 0)) expect(applyEdits(input, r.fixes.flatMap((f) => f.edits)), `${name}: the fixes' edits together`).toBe(r.output);
  return { independent, dependent };
}

describe("each reported fix's edits, alone on the input", () => {
  test("make the fix's change, or name the fixes they need (every 6th rule fixture, all rules, unsafe fixes on)", async () => {
    let independent = 0;
    let dependent = 0;
    let cases = 0;
    const sample = RULES.flatMap((rule) => fixtureCases(`rules/${rule.id}`)).filter((_, i) => i % 6 === 0);
    for (const c of sample) {
      const { context } = c.options as { context?: string | null };
      const r = await fix(c.input, { select: ["ALL"], unsafeFixes: true, context });
      const counts = checkStandAlone(c.name, c.input, r);
      independent += counts.independent;
      dependent += counts.dependent;
      cases++;
    }
    // the chain of joins (fixtures/rules/consecutive-run/three-runs-joined) is the dependent case
    const chain = fixtureCases("rules/consecutive-run").find((c) => c.name.endsWith("/three-runs-joined"))!;
    const counts = checkStandAlone(chain.name, chain.input, await fix(chain.input, { select: ["consecutive-run"] }));
    expect(counts.dependent).toBeGreaterThan(0);
    expect(cases).toBeGreaterThan(40);
    expect(independent).toBeGreaterThan(20);
    console.log(`${cases} fixtures: ${independent} fixes whose edits stand alone (checked), ${dependent} that name the fixes they need`);
  });
});
