/**
 * The rules, in the order they are reported, and which of them run: a
 * default set (every rule with `defaultEnabled`), which `select` replaces,
 * `extendSelect` adds to and `ignore` removes from, as in Ruff. A selector
 * is a rule id, `ALL` (every rule), a hadolint code or a BuildKit check name
 * (the rules that answer it; see resolveSelector).
 */
import { appRunAtBuildTime } from "./app-run-at-build-time.js";
import { aptListsNotRemoved } from "./apt-lists-not-removed.js";
import { cmdExecForm } from "./cmd-exec-form.js";
import { cmdIgnoredByShellEntrypoint } from "./cmd-ignored-by-shell-entrypoint.js";
import { consecutiveRun } from "./consecutive-run.js";
import { entrypointExecForm } from "./entrypoint-exec-form.js";
import { execFormSingleQuotes } from "./exec-form-single-quotes.js";
import { execFormVariable } from "./exec-form-variable.js";
import { exposeHostPort } from "./expose-host-port.js";
import { exposeProtocolCase } from "./expose-protocol-case.js";
import { legacyKeyValueFormat } from "./legacy-key-value-format.js";
import { maintainerDeprecated } from "./maintainer-deprecated.js";
import { mergeCleanupRun } from "./merge-cleanup-run.js";
import { noShadowedCmd } from "./no-shadowed-cmd.js";
import { redundantTargetPlatform } from "./redundant-target-platform.js";
import { runStartsServer } from "./run-starts-server.js";
import { serviceStartedInRun } from "./service-started-in-run.js";
import { stageNameCase } from "./stage-name-case.js";
import { BUILDKIT_CHECKS, rulesAnsweringName } from "./codes.js";
import type { RegisteredRule } from "./types.js";

export const RULES: readonly RegisteredRule[] = [
  mergeCleanupRun,
  cmdExecForm,
  noShadowedCmd,
  legacyKeyValueFormat,
  exposeProtocolCase,
  exposeHostPort,
  stageNameCase,
  redundantTargetPlatform,
  entrypointExecForm,
  maintainerDeprecated,
  consecutiveRun,
  aptListsNotRemoved,
  appRunAtBuildTime,
  serviceStartedInRun,
  runStartsServer,
  execFormSingleQuotes,
  execFormVariable,
  cmdIgnoredByShellEntrypoint,
];

export function ruleById(id: string): RegisteredRule | undefined {
  return RULES.find((r) => r.id === id);
}

/** The selector that names every rule. */
export const ALL = "ALL";

/**
 * The rules a selector names, in report order: `ALL`, a rule id, a hadolint
 * code (`DL3025`) or a BuildKit check name (`JSONArgsRecommended`), in any
 * case. A hadolint code or BuildKit check that no rule answers names no rule
 * ([]); a word that is none of these, null.
 */
export function resolveSelector(selector: string): RegisteredRule[] | null {
  const word = selector.trim();
  if (word.toUpperCase() === ALL) return [...RULES];
  const rule = RULES.find((r) => r.id === word.toLowerCase());
  if (rule) return [rule];
  return rulesAnsweringName(RULES, word);
}

/** Every name a selector may be written as, for "did you mean": rule ids, the hadolint codes rules answer, BuildKit's checks. */
export function selectorNames(): string[] {
  return [...new Set([...RULES.map((r) => r.id), ...RULES.flatMap((r) => r.hadolint), ...BUILDKIT_CHECKS])];
}

/** Whether a word given to select, extendSelect or ignore names at least one rule (see resolveSelector). */
export function isRuleSelector(id: string): boolean {
  return (resolveSelector(id)?.length ?? 0) > 0;
}

export interface RuleSelection {
  /** Only these rules (selectors: ids, ALL, hadolint codes, BuildKit checks): replaces the default set. */
  select?: readonly string[];
  /** These rules too, on top of the default set or `select`. */
  extendSelect?: readonly string[];
  /** Not these rules: wins over select and extendSelect. */
  ignore?: readonly string[];
}

/** The rules a selection runs, in report order (a selector that names nothing is passed over: the command line and the configuration check them first). */
export function selectedRules(selection: RuleSelection = {}): RegisteredRule[] {
  const ids = (list: readonly string[]) => list.flatMap((s) => resolveSelector(s) ?? []).map((r) => r.id);
  const chosen = new Set(selection.select ? ids(selection.select) : RULES.filter((r) => r.defaultEnabled).map((r) => r.id));
  for (const id of ids(selection.extendSelect ?? [])) chosen.add(id);
  for (const id of ids(selection.ignore ?? [])) chosen.delete(id);
  return RULES.filter((r) => chosen.has(r.id));
}

export type { Rule, RegisteredRule, RuleMeta, Finding, Fix, FixSafety, Edit, RuleDocs } from "./types.js";
