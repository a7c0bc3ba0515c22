/**
 * The names other tools give to what a rule answers: BuildKit's build
 * checks and hadolint's codes. One mapping, read by the suppression comments
 * (`# hadolint ignore=DL3025`, `# check=skip=JSONArgsRecommended`) and by
 * rule selection (`--select DL3025`, a configuration's `ignore`, a
 * `.hadolint.yaml`'s `ignored`).
 */

/** BuildKit's build checks (frontend/dockerfile/linter/ruleset.go). */
export const BUILDKIT_CHECKS: ReadonlySet<string> = new Set([
  "StageNameCasing",
  "FromAsCasing",
  "NoEmptyContinuation",
  "ConsistentInstructionCasing",
  "DuplicateStageName",
  "ReservedStageName",
  "JSONArgsRecommended",
  "MaintainerDeprecated",
  "UndefinedArgInFrom",
  "WorkdirRelativePath",
  "UndefinedVar",
  "MultipleInstructionsDisallowed",
  "LegacyKeyValueFormat",
  "InvalidBaseImagePlatform",
  "RedundantTargetPlatform",
  "SecretsUsedInArgOrEnv",
  "InvalidDefaultArgInFrom",
  "FromPlatformFlagConstDisallowed",
  "CopyIgnoredFile",
  "InvalidDefinitionDescription",
  "ExposeProtoCasing",
  "ExposeInvalidFormat",
]);

/** hadolint's own codes and the ShellCheck codes it passes on. */
export function isHadolintCode(code: string): boolean {
  return /^(DL|SC)\d{4}$/.test(code);
}

/** What a rule declares it answers. */
export interface RuleCodes {
  id: string;
  buildkit?: readonly string[];
  hadolint?: readonly string[];
}

/** The rules that answer a hadolint code or a BuildKit check, named exactly as hadolint and BuildKit write them. */
export function rulesAnswering<R extends RuleCodes>(rules: readonly R[], code: string): R[] {
  return rules.filter((r) => r.hadolint?.includes(code) || r.buildkit?.includes(code));
}

/**
 * The rules that answer a hadolint code or a BuildKit check written in any
 * case (`dl3025`, `jsonargsrecommended`), as rule selectors and our own
 * suppression comments read them; null when the word is neither.
 */
export function rulesAnsweringName<R extends RuleCodes>(rules: readonly R[], word: string): R[] | null {
  const code = word.toUpperCase();
  if (isHadolintCode(code)) return rulesAnswering(rules, code);
  const check = [...BUILDKIT_CHECKS].find((c) => c.toLowerCase() === word.toLowerCase());
  return check === undefined ? null : rulesAnswering(rules, check);
}
