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
// every rule but consecutive-run (a matter of the build cache): unsafe-fix and report-only rules report by default, as in Ruff
const DEFAULT = [
  "merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd", "legacy-key-value-format", "expose-protocol-case", "expose-host-port", "stage-name-case",
  "redundant-target-platform", "entrypoint-exec-form", "maintainer-deprecated", "apt-lists-not-removed", "app-run-at-build-time", "service-started-in-run", "run-starts-server",
  "exec-form-single-quotes", "exec-form-variable", "cmd-ignored-by-shell-entrypoint",
];

beforeAll(async () => {
  await initShell();
});

describe("rule selection", () => {
  test("the default set: every rule that finds a mistake, whatever its fix; off only consecutive-run", () => {
    expect(ids(selectedRules())).toEqual(DEFAULT);
    expect(RULES.filter((r) => !r.defaultEnabled).map((r) => r.id)).toEqual(["consecutive-run"]);
  });

  test("a rule whose fix is unsafe reports by default and fixes only with unsafeFixes", () => {
    const text = "FROM alpine\nENTRYPOINT /usr/bin/serve --port 80\n";
    const reported = fixSync(text);
    expect(reported.output).toBe(text);
    expect(reported.remaining.map((f) => [f.rule, f.reason])).toEqual([["entrypoint-exec-form", "unsafe"]]);
    const fixed = fixSync(text, { unsafeFixes: true });
    expect(fixed.output).toBe('FROM alpine\nENTRYPOINT ["/usr/bin/serve", "--port", "80"]\n');
    expect(fixed.remaining).toEqual([]);
  });

  test("select replaces the default set, extendSelect adds to it, ignore wins over both", () => {
    expect(ids(selectedRules({ select: ["consecutive-run"] }))).toEqual(["consecutive-run"]);
    expect(ids(selectedRules({ extendSelect: ["consecutive-run"] }))).toEqual(ids([...RULES]));
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
    expect(named("DL3025")).toEqual(["cmd-exec-form", "entrypoint-exec-form", "exec-form-single-quotes"]);
    expect(named("dl4003")).toEqual(["no-shadowed-cmd"]);
    expect(named("JSONArgsRecommended")).toEqual(["cmd-exec-form", "entrypoint-exec-form", "exec-form-single-quotes"]);
    expect(named("stagenamecasing")).toEqual(["stage-name-case"]);
    // known to hadolint or BuildKit, answered by no rule
    expect([named("DL3008"), named("SC2086"), named("UndefinedVar")]).toEqual([[], [], []]);
    expect([named("nope"), named("DL30255")]).toEqual([null, null]);
    for (const r of RULES) for (const code of [...r.buildkit, ...r.hadolint]) expect(named(code), code).toContain(r.id);
    expect(isRuleSelector("DL3025") && !isRuleSelector("DL3008")).toBe(true);
    expect(ids(selectedRules({ select: ["DL3025"], ignore: ["EntryPoint-Exec-Form"] }))).toEqual(["cmd-exec-form", "exec-form-single-quotes"]);
    expect(ids(selectedRules({ ignore: ["JSONArgsRecommended", "StageNameCasing"] }))).toEqual(DEFAULT.filter((r) => !["cmd-exec-form", "entrypoint-exec-form", "exec-form-single-quotes", "stage-name-case"].includes(r)));
  });

  test("a rule off by default reports nothing unless selected", () => {
    const text = "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN useradd app\n";
    const rulesOf = (r: ReturnType<typeof fixSync>) => new Set([...r.fixes, ...r.remaining].map((f) => f.rule));
    expect(rulesOf(fixSync(text))).toEqual(new Set());
    expect(rulesOf(fixSync(text, { extendSelect: ["consecutive-run"] }))).toEqual(new Set(["consecutive-run"]));
    expect(rulesOf(fixSync(text, { extendSelect: ["consecutive-run"], ignore: ["consecutive-run"] }))).toEqual(new Set());
  });

  test("every rule reports its docs' example and not what they say to use instead (what --explain shows)", () => {
    for (const r of RULES) {
      const found = (text: string) => {
        const result = fixSync(`${text}\n`, { select: [r.id] });
        return result.fixes.length + result.remaining.length;
      };
      expect(found(r.docs.example), `${r.id} example`).toBeGreaterThan(0);
      expect(found(r.docs.useInstead), `${r.id} useInstead`).toBe(0);
    }
  });

  test("every rule says what it answers, whether it is on by default, and has its docs", () => {
    for (const r of RULES) {
      expect(Array.isArray(r.buildkit) && Array.isArray(r.hadolint), r.id).toBe(true);
      // every rule but these answers a check or a code: hadolint has none for a cleanup in a later layer, a server started by RUN,
      // a variable in exec form or a CMD a shell-form ENTRYPOINT ignores (looked up in hadolint's and BuildKit's rule lists)
      const uncoded = ["run-starts-server", "app-run-at-build-time", "merge-cleanup-run", "exec-form-variable", "cmd-ignored-by-shell-entrypoint"];
      expect(r.buildkit.length + r.hadolint.length > 0 || uncoded.includes(r.id), r.id).toBe(true);
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
