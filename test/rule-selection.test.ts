/**
 * Which rules run (the Ruff model: a default set, `select` replaces it,
 * `extendSelect` adds to it, `ignore` removes from it, `ALL` names every
 * rule) and what every rule declares about itself.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { initShell } from "../src/index.js";
import { fixSync } from "../src/codemod/fix.js";
import { ALL, RULES, isRuleSelector, resolveSelector, selectedRules } from "../src/rules/index.js";

const ids = (rules: { id: string }[]) => rules.map((r) => r.id);
const DEFAULT = ["merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd", "legacy-key-value-format", "expose-protocol-case", "expose-host-port", "stage-name-case"];

beforeAll(async () => {
  await initShell();
});

describe("rule selection", () => {
  test("the default set: the three original rules and the new rules whose usual fix is safe", () => {
    expect(ids(selectedRules())).toEqual(DEFAULT);
    for (const r of RULES) if (r.defaultEnabled) expect(r.safety, r.id).toBe("safe");
  });

  test("select replaces the default set, extendSelect adds to it, ignore wins over both", () => {
    expect(ids(selectedRules({ select: ["consecutive-run"] }))).toEqual(["consecutive-run"]);
    expect(ids(selectedRules({ extendSelect: ["run-starts-server"] }))).toEqual([...DEFAULT, "run-starts-server"]);
    expect(ids(selectedRules({ select: ["cmd-exec-form"], extendSelect: ["consecutive-run"] }))).toEqual(["cmd-exec-form", "consecutive-run"]);
    expect(ids(selectedRules({ ignore: ["cmd-exec-form"] }))).toEqual(DEFAULT.filter((r) => r !== "cmd-exec-form"));
    expect(ids(selectedRules({ extendSelect: ["consecutive-run"], ignore: ["consecutive-run"] }))).toEqual(DEFAULT);
    expect(ids(selectedRules({ select: [ALL] }))).toEqual(ids([...RULES]));
    expect(ids(selectedRules({ select: [ALL], ignore: ["consecutive-run"] }))).toEqual(ids([...RULES]).filter((r) => r !== "consecutive-run"));
    expect(ids(selectedRules({ select: [] }))).toEqual([]);
    expect(isRuleSelector("ALL") && isRuleSelector("stage-name-case") && !isRuleSelector("nope")).toBe(true);
  });

  test("a selector is a rule id, ALL, a hadolint code or a BuildKit check (any case): the rules that answer it, the mapping suppressions read", () => {
    const named = (s: string) => resolveSelector(s)?.map((r) => r.id) ?? null;
    expect(named("cmd-exec-form")).toEqual(["cmd-exec-form"]);
    expect(named("Stage-Name-Case")).toEqual(["stage-name-case"]);
    expect(named("all")).toEqual(ids([...RULES]));
    expect(named("DL3025")).toEqual(["cmd-exec-form", "entrypoint-exec-form"]);
    expect(named("dl4003")).toEqual(["no-shadowed-cmd"]);
    expect(named("JSONArgsRecommended")).toEqual(["cmd-exec-form", "entrypoint-exec-form"]);
    expect(named("stagenamecasing")).toEqual(["stage-name-case"]);
    // known to hadolint or BuildKit, answered by no rule
    expect([named("DL3008"), named("SC2086"), named("UndefinedVar")]).toEqual([[], [], []]);
    expect([named("nope"), named("DL30255")]).toEqual([null, null]);
    for (const r of RULES) for (const code of [...r.buildkit, ...r.hadolint]) expect(named(code), code).toContain(r.id);
    expect(isRuleSelector("DL3025") && !isRuleSelector("DL3008")).toBe(true);
    expect(ids(selectedRules({ select: ["DL3025"], ignore: ["EntryPoint-Exec-Form"] }))).toEqual(["cmd-exec-form"]);
    expect(ids(selectedRules({ ignore: ["JSONArgsRecommended", "StageNameCasing"] }))).toEqual(DEFAULT.filter((r) => r !== "cmd-exec-form" && r !== "stage-name-case"));
  });

  test("a rule off by default reports nothing unless selected", () => {
    const text = "FROM debian\nRUN apt-get update\nRUN python -m http.server\n";
    const rulesOf = (r: ReturnType<typeof fixSync>) => new Set([...r.fixes, ...r.remaining].map((f) => f.rule));
    expect(rulesOf(fixSync(text))).toEqual(new Set());
    expect(rulesOf(fixSync(text, { extendSelect: ["run-starts-server", "consecutive-run"] }))).toEqual(new Set(["run-starts-server", "consecutive-run"]));
  });

  test("every rule says what it answers, whether it is on by default, and has its docs", () => {
    for (const r of RULES) {
      expect(Array.isArray(r.buildkit) && Array.isArray(r.hadolint), r.id).toBe(true);
      // every rule but two answers a check or a code (hadolint has no code for a cleanup in a later layer, nor for a server started by RUN)
      expect(r.buildkit.length + r.hadolint.length > 0 || ["run-starts-server", "merge-cleanup-run"].includes(r.id), r.id).toBe(true);
      for (const code of r.hadolint) expect(code, r.id).toMatch(/^DL\d{4}$/);
      for (const field of ["whatItDoes", "why", "example", "useInstead", "fixSafety"] as const) expect(r.docs[field].length, `${r.id} ${field}`).toBeGreaterThan(10);
      expect(r.docs.facts.length, r.id).toBeGreaterThan(0);
      // the new rules say in their docs whether they run by default
      if (!["merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd"].includes(r.id)) {
        expect(r.docs.whatItDoes, r.id).toContain(r.defaultEnabled ? "On by default" : "Off by default");
      }
    }
  });
});
