/** The rules, in the order they are reported. */
import { cmdExecForm } from "./cmd-exec-form.js";
import { mergeCleanupRun } from "./merge-cleanup-run.js";
import { noShadowedCmd } from "./no-shadowed-cmd.js";
import type { Rule } from "./types.js";

export const RULES: readonly Rule[] = [mergeCleanupRun, cmdExecForm, noShadowedCmd];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule, Finding, Fix, FixSafety, Edit, RuleDocs } from "./types.js";
