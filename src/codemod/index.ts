/** The codemod's library API. */
export { fix, fixSync, applyEdits, type FixOptions, type FixResult, type AppliedFix, type ReportedFinding } from "./fix.js";
export { RULES, ruleById, selectedRules, isRuleSelector, resolveSelector, ALL, type RuleSelection } from "../rules/index.js";
export type { Rule, RegisteredRule, RuleMeta, Finding, Fix, FixSafety, Edit, RuleDocs } from "../rules/index.js";
