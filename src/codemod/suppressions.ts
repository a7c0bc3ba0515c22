/**
 * The suppressions users already write, mapped to this codemod's rules:
 *
 * - ours: `# dockerfile-codemod ignore=RULE[,RULE]` in the comments directly
 *   above an instruction, `# dockerfile-codemod global ignore=RULE[,RULE]`
 *   anywhere for the whole file; `all` for every rule;
 * - hadolint's: `# hadolint ignore=DL3025,DL4003` above an instruction and
 *   `# hadolint global ignore=...`, for the rules that answer those codes;
 * - BuildKit's: the `# check=skip=JSONArgsRecommended,...` parser directive
 *   (`skip=all` too) for the whole file, and the same comment among the
 *   comments before an instruction for that instruction alone (as BuildKit's
 *   linter reads an instruction's PrevComment), for the rules that answer
 *   those checks.
 *
 * A name that is not a rule, a hadolint code or a BuildKit check is reported
 * as a warning with its line.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import type { Rule } from "../rules/types.js";

/** BuildKit's build checks (frontend/dockerfile/linter/ruleset.go). */
export const BUILDKIT_CHECKS = new Set([
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
const HADOLINT_CODE = /^(DL\d{4}|SC\d{4})$/;

type RuleSet = Set<string> | "all";

export interface Suppressions {
  /** Rules off for the whole file. */
  file: RuleSet;
  /** Rules off per instruction index. */
  instruction: Map<number, RuleSet>;
  /** Suppressions naming something unknown, with their 1-based line. */
  warnings: { line: number; message: string }[];
}

export interface RuleCodes {
  id: string;
  buildkit?: readonly string[];
  hadolint?: readonly string[];
}

const OURS = /^#\s*dockerfile-codemod\s+(global\s+)?ignore\s*=\s*(.*)$/i;
const HADOLINT = /^#\s*hadolint\s+(global\s+)?ignore\s*=\s*(.*)$/i;
/** BuildKit's directive syntax for a comment: `check=` then the value up to the first space. */
const CHECK = /^#\s*check\s*=\s*(\S*)/i;

function add(target: RuleSet, ids: Iterable<string> | "all"): RuleSet {
  if (target === "all" || ids === "all") return "all";
  for (const id of ids) target.add(id);
  return target;
}

export function isSuppressed(s: Suppressions, instruction: number, rule: string): boolean {
  const has = (set: RuleSet | undefined) => set !== undefined && (set === "all" || set.has(rule));
  return has(s.file) || has(s.instruction.get(instruction));
}

/** The names of a suppression list (`a,b c`), trimmed. */
function names(list: string): string[] {
  return list
    .split(/[,\s]+/)
    .map((n) => n.trim())
    .filter(Boolean);
}

/** BuildKit's ParseLintOptions, for `skip`: the names, "all", or null when the value is not valid. */
function checkSkips(value: string): string[] | "all" | null {
  for (const part of value.split(";").slice(0, 3)) {
    const eq = part.indexOf("=");
    if (eq === -1) return null;
    const key = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (key === "skip") return v === "all" ? "all" : names(v);
  }
  return [];
}

/** Reads every suppression of a file. */
export function readSuppressions(model: DockerfileModel, rules: readonly (Rule | RuleCodes)[]): Suppressions {
  const s: Suppressions = { file: new Set(), instruction: new Map(), warnings: [] };
  const ids = new Set(rules.map((r) => r.id));
  const byHadolint = (code: string) => rules.filter((r) => (r as RuleCodes).hadolint?.includes(code)).map((r) => r.id);
  const byCheck = (check: string) => rules.filter((r) => (r as RuleCodes).buildkit?.includes(check)).map((r) => r.id);
  const warn = (line: number, message: string) => s.warnings.push({ line: line + 1, message });

  /** The rules a suppression comment turns off, or null when the comment is no suppression. */
  const read = (text: string, line: number, atTop: boolean): { global: boolean; rules: string[] | "all" } | null => {
    let m = OURS.exec(text);
    if (m) {
      const list = names(m[2]!);
      if (list.some((n) => n.toLowerCase() === "all")) return { global: !!m[1], rules: "all" };
      const known = list.map((n) => n.toLowerCase()).filter((n) => {
        if (ids.has(n)) return true;
        warn(line, `dockerfile-codemod ignore: unknown rule "${n}"`);
        return false;
      });
      return { global: !!m[1], rules: known };
    }
    m = HADOLINT.exec(text);
    if (m) {
      const out: string[] = [];
      for (const code of names(m[2]!)) {
        if (!HADOLINT_CODE.test(code)) warn(line, `hadolint ignore: unknown code "${code}"`);
        else out.push(...byHadolint(code));
      }
      return { global: !!m[1], rules: out };
    }
    m = CHECK.exec(text);
    if (m) {
      const skips = checkSkips(m[1]!);
      if (skips === null) {
        warn(line, `check: "${m[1]}" is not a valid check directive (skip=NAME,...;error=true)`);
        return { global: atTop, rules: [] };
      }
      if (skips === "all") return { global: atTop, rules: "all" };
      const out: string[] = [];
      for (const check of skips) {
        if (!BUILDKIT_CHECKS.has(check)) warn(line, `check=skip: unknown BuildKit check "${check}"`);
        else out.push(...byCheck(check));
      }
      return { global: atTop, rules: out };
    }
    return null;
  };

  // the check directive at the top applies to the whole file
  for (const d of model.directives) {
    if (d.name !== "check") continue;
    const r = read(`# check=${d.value}`, d.line, true);
    if (r) s.file = add(s.file, r.rules);
  }

  // Comments: a global form anywhere; the others for the instruction below them. Ours and
  // hadolint's stand in the comment block directly above it (a blank line ends the block);
  // BuildKit's check= comment anywhere since the previous instruction (its PrevComment).
  let pending: { rules: string[] | "all"; check: boolean }[] = [];
  const flush = (instr: Instruction) => {
    for (const p of pending) {
      const set: RuleSet = s.instruction.get(instr.index) ?? new Set<string>();
      s.instruction.set(instr.index, add(set, p.rules));
    }
    pending = [];
  };
  for (const entry of model.entries) {
    if (entry.type === "instruction") {
      flush(entry as Instruction);
      continue;
    }
    if (entry.type === "blank") {
      pending = pending.filter((p) => p.check);
      continue;
    }
    if (entry.type !== "comment") continue;
    const text = model.lines[entry.line]!.text.trim();
    const r = read(text, entry.line, false);
    if (!r) continue;
    if (r.global) s.file = add(s.file, r.rules);
    else pending.push({ rules: r.rules, check: CHECK.test(text) });
  }
  return s;
}
