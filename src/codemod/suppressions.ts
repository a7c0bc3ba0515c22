/**
 * The suppressions users already write, mapped to this codemod's rules:
 *
 * - ours: `# dockerfile-codemod ignore=RULE[,RULE]` in the comments directly
 *   above an instruction, `# dockerfile-codemod global ignore=RULE[,RULE]`
 *   anywhere for the whole file; `all` for every rule; a hadolint code or
 *   BuildKit check name for the rules that answer it, as --ignore reads it;
 * - hadolint's: `# hadolint ignore=DL3025,DL4003` above an instruction and
 *   `# hadolint global ignore=...`, for the rules that answer those codes;
 * - BuildKit's: the `# check=skip=JSONArgsRecommended,...` parser directive
 *   (`skip=all` too) for the whole file, and the same comment among the
 *   comments before an instruction for that instruction alone, exactly as
 *   BuildKit's linter reads them (its ParseLintOptions, on the first
 *   `check=` of the instruction's PrevComment: see checkCommentValue), for
 *   the rules that answer those checks.
 *
 * A name that is not a rule, a hadolint code or a BuildKit check is reported
 * as a warning with its line.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { goQuote } from "../model/command.js";
import { goTrimSpace } from "../model/go.js";
import { checkCommentValue } from "../model/scan.js";
import { BUILDKIT_CHECKS, isHadolintCode, rulesAnswering, rulesAnsweringName, type RuleCodes } from "../rules/codes.js";
import type { Rule } from "../rules/types.js";

export { BUILDKIT_CHECKS } from "../rules/codes.js";
export type { RuleCodes } from "../rules/codes.js";

type RuleSet = Set<string> | "all";

export interface Suppressions {
  /** Rules off for the whole file. */
  file: RuleSet;
  /** Rules off per instruction index. */
  instruction: Map<number, RuleSet>;
  /** Suppressions naming something unknown, with their 1-based line. */
  warnings: { line: number; message: string }[];
}

const OURS = /^#\s*dockerfile-codemod\s+(global\s+)?ignore\s*=\s*(.*)$/i;
const HADOLINT = /^#\s*hadolint\s+(global\s+)?ignore\s*=\s*(.*)$/i;

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

/** What BuildKit's linter takes from a `check=` value (linter.Config). */
export interface LintOptions {
  skipAll: boolean;
  skip: string[];
  experimentalAll: boolean;
  experimental: string[];
  /** `error=true`: a build check that fires fails the build (read from the directive only, not from a comment). */
  error: boolean;
}

/** strconv.ParseBool */
const GO_BOOLS: Record<string, boolean> = { "1": true, t: true, T: true, TRUE: true, true: true, True: true, "0": false, f: false, F: false, FALSE: false, false: false, False: false };

/**
 * BuildKit's linter.ParseLintOptions: `skip=A,B;error=true;experimental=C`,
 * at most three `;` parts (the third holds the rest), keys as written,
 * values trimmed with Go's strings.TrimSpace; a later `skip` replaces an
 * earlier list. A string saying why when BuildKit rejects the value.
 */
export function parseLintOptions(value: string): LintOptions | string {
  const options: LintOptions = { skipAll: false, skip: [], experimentalAll: false, experimental: [], error: false };
  const text = goTrimSpace(value);
  if (text === "") return options;
  const parts = text.split(";");
  if (parts.length > 3) parts.splice(2, parts.length, parts.slice(2).join(";"));
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq === -1) return `invalid check option ${goQuote(part)}`;
    const key = goTrimSpace(part.slice(0, eq));
    const v = goTrimSpace(part.slice(eq + 1));
    if (key === "skip" || key === "experimental") {
      const all = v === "all";
      const list = all ? null : v.split(",").map(goTrimSpace);
      if (key === "skip") {
        if (all) options.skipAll = true;
        else options.skip = list!;
      } else if (all) options.experimentalAll = true;
      else options.experimental = list!;
    } else if (key === "error") {
      if (!Object.hasOwn(GO_BOOLS, v)) return `failed to parse check option ${goQuote(part)}`;
      options.error = GO_BOOLS[v]!;
    } else return `invalid check option ${goQuote(key)}`;
  }
  return options;
}

/** Reads every suppression of a file. */
export function readSuppressions(model: DockerfileModel, rules: readonly (Rule | RuleCodes)[]): Suppressions {
  const s: Suppressions = { file: new Set(), instruction: new Map(), warnings: [] };
  const ids = new Set(rules.map((r) => r.id));
  const answering = (code: string) => rulesAnswering(rules, code).map((r) => r.id);
  const warn = (line: number, message: string) => s.warnings.push({ line: line + 1, message });

  /** The rules a suppression comment of ours or hadolint's turns off, or null when the comment is neither. */
  const read = (text: string, line: number): { global: boolean; rules: string[] | "all" } | null => {
    let m = OURS.exec(text);
    if (m) {
      const list = names(m[2]!);
      if (list.some((n) => n.toLowerCase() === "all")) return { global: !!m[1], rules: "all" };
      // rule ids, and hadolint codes and BuildKit checks for the rules that answer them, as --ignore reads them
      const known = list.flatMap((n) => {
        if (ids.has(n.toLowerCase())) return [n.toLowerCase()];
        const answering = rulesAnsweringName(rules, n);
        if (answering) return answering.map((r) => r.id);
        warn(line, `dockerfile-codemod ignore: unknown rule "${n.toLowerCase()}"`);
        return [];
      });
      return { global: !!m[1], rules: known };
    }
    m = HADOLINT.exec(text);
    if (m) {
      const out: string[] = [];
      for (const code of names(m[2]!)) {
        if (!isHadolintCode(code)) warn(line, `hadolint ignore: unknown code "${code}"`);
        else out.push(...answering(code));
      }
      return { global: !!m[1], rules: out };
    }
    return null;
  };

  /** The rules BuildKit's `check=` value skips (as BuildKit reads it: an invalid value skips nothing). */
  const skipped = (value: string, line: number, where: string): string[] | "all" => {
    const options = parseLintOptions(value);
    if (typeof options === "string") {
      warn(line, `check: ${options} in ${JSON.stringify(value)} (${where})`);
      return [];
    }
    if (options.skipAll) return "all";
    const out: string[] = [];
    for (const check of options.skip) {
      if (check === "") continue;
      if (!BUILDKIT_CHECKS.has(check)) warn(line, `check=skip: unknown BuildKit check "${check}"`);
      else out.push(...answering(check));
    }
    return out;
  };

  // the check directive at the top applies to the whole file
  for (const d of model.directives) {
    if (d.name === "check") s.file = add(s.file, skipped(d.value, d.line, "BuildKit fails the build on it"));
  }

  for (const instr of model.instructions) {
    // BuildKit's check= comment: the first one in the instruction's PrevComment (comments since the previous instruction)
    const value = checkCommentValue(instr.prevComments);
    if (value === null) continue;
    const comment = instr.prevComments.find((c) => checkCommentValue([c]) !== null)!;
    const rules = skipped(value, comment.line, "BuildKit ignores it");
    s.instruction.set(instr.index, add(s.instruction.get(instr.index) ?? new Set<string>(), rules));
  }

  // Ours and hadolint's: a global form anywhere; the others in the comment block directly above an instruction (a blank line ends the block).
  let pending: (string[] | "all")[] = [];
  for (const entry of model.entries) {
    if (entry.type === "instruction") {
      const index = (entry as Instruction).index;
      for (const rules of pending) s.instruction.set(index, add(s.instruction.get(index) ?? new Set<string>(), rules));
      pending = [];
      continue;
    }
    if (entry.type === "blank") {
      pending = [];
      continue;
    }
    if (entry.type !== "comment") continue;
    const r = read(model.lines[entry.line]!.text.trim(), entry.line);
    if (!r) continue;
    if (r.global) s.file = add(s.file, r.rules);
    else pending.push(r.rules);
  }
  s.warnings.sort((a, b) => a.line - b.line);
  return s;
}
