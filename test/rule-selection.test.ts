/**
 * Which rules run (the Ruff model: a default set, `select` replaces it,
 * `extendSelect` adds to it, `ignore` removes from it, `ALL` names every
 * rule) and what every rule declares about itself.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { initShell } from "../src/index.js";
import { fixSync } from "../src/codemod/fix.js";
import { ALL, RULES, isRuleSelector, selectedRules } from "../src/rules/index.js";

const ids = (rules: { id: string }[]) => rules.map((r) => r.id);
const DEFAULT = [
  "merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd", "legacy-key-value-format", "expose-protocol-case", "expose-host-port", "stage-name-case",
  "app-run-at-build-time", "service-started-in-run",
];
/** On by default though their fix is not safe: the mistakes Docker's documentation warns about, reported (issue 20). */
const REPORTED_BY_DEFAULT = ["app-run-at-build-time", "service-started-in-run"];

beforeAll(async () => {
  await initShell();
});

describe("rule selection", () => {
  test("the default set: the three original rules, the new rules whose usual fix is safe, and two that report the seed's mistakes", () => {
    expect(ids(selectedRules())).toEqual(DEFAULT);
    for (const r of RULES) if (r.defaultEnabled && !REPORTED_BY_DEFAULT.includes(r.id)) expect(r.safety, r.id).toBe("safe");
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

  test("a rule off by default reports nothing unless selected", () => {
    // the stage's CMD leaves the server to run-starts-server (app-run-at-build-time takes it in a final stage without one)
    const text = "FROM debian\nRUN apt-get update\nRUN python -m http.server\nCMD [\"bash\"]\n";
    const rulesOf = (r: ReturnType<typeof fixSync>) => new Set([...r.fixes, ...r.remaining].map((f) => f.rule));
    expect(rulesOf(fixSync(text))).toEqual(new Set());
    expect(rulesOf(fixSync(text, { extendSelect: ["run-starts-server", "consecutive-run"] }))).toEqual(new Set(["run-starts-server", "consecutive-run"]));
  });

  test("every rule says what it answers, whether it is on by default, and has its docs", () => {
    for (const r of RULES) {
      expect(Array.isArray(r.buildkit) && Array.isArray(r.hadolint), r.id).toBe(true);
      // every rule but three answers a check or a code (hadolint has no code for a cleanup in a later layer, nor for a server or the application started by RUN)
      expect(r.buildkit.length + r.hadolint.length > 0 || ["run-starts-server", "merge-cleanup-run", "app-run-at-build-time"].includes(r.id), r.id).toBe(true);
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
