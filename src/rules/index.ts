/**
 * The rules, in the order they are reported, and which of them run: a
 * default set (every rule with `defaultEnabled`), which `select` replaces,
 * `extendSelect` adds to and `ignore` removes from, as in Ruff. `ALL` names
 * every rule.
 */
import { appRunAtBuildTime } from "./app-run-at-build-time.js";
import { aptListsNotRemoved } from "./apt-lists-not-removed.js";
import { cmdExecForm } from "./cmd-exec-form.js";
import { consecutiveRun } from "./consecutive-run.js";
import { entrypointExecForm } from "./entrypoint-exec-form.js";
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
];

export function ruleById(id: string): RegisteredRule | undefined {
  return RULES.find((r) => r.id === id);
}

/** The selector that names every rule. */
export const ALL = "ALL";

/** Whether a word given to select, extendSelect or ignore names a rule (or ALL). */
export function isRuleSelector(id: string): boolean {
  return id === ALL || ruleById(id) !== undefined;
}

export interface RuleSelection {
  /** Only these rules (ids, or ALL): replaces the default set. */
  select?: readonly string[];
  /** These rules too, on top of the default set or `select`. */
  extendSelect?: readonly string[];
  /** Not these rules: wins over select and extendSelect. */
  ignore?: readonly string[];
}

/** The rules a selection runs, in report order. */
export function selectedRules(selection: RuleSelection = {}): RegisteredRule[] {
  const ids = (list: readonly string[]) => (list.includes(ALL) ? RULES.map((r) => r.id) : list);
  const chosen = new Set(selection.select ? ids(selection.select) : RULES.filter((r) => r.defaultEnabled).map((r) => r.id));
  for (const id of ids(selection.extendSelect ?? [])) chosen.add(id);
  for (const id of ids(selection.ignore ?? [])) chosen.delete(id);
  return RULES.filter((r) => chosen.has(r.id));
}

export type { Rule, RegisteredRule, RuleMeta, Finding, Fix, FixSafety, Edit, RuleDocs } from "./types.js";
