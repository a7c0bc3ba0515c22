/** Pieces the rules share: source offsets, suppression comments, shells. */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { isCommentLine } from "../model/scan.js";
import { commandMeaning, shellKindOf } from "../meaning/meaning.js";
import { parseJSONArray } from "../meaning/buildkit.js";
import type { Command } from "../model/model.js";
import { commandHead, type CommandHead } from "../model/command.js";
import { goTrimLeftSpace, isReWhitespaceCode } from "../model/go.js";
import type { Edit } from "./types.js";

/** Offset where a physical line starts, and where it ends including its line ending. */
export function lineStart(model: DockerfileModel, line: number): number {
  return model.lines[line]!.start;
}

export function lineEndWithEol(model: DockerfileModel, line: number): number {
  const l = model.lines[line]!;
  return l.start + l.text.length + l.eol.length;
}

const SUPPRESSION = /^#\s*dockerfile-codemod\s+ignore=([\w,\s-]+)$/i;

/** Rules suppressed for an instruction by `# dockerfile-codemod ignore=RULE[,RULE]` on the line before it. */
export function suppressedRules(model: DockerfileModel, instr: Instruction): Set<string> {
  const prev = model.lines[instr.startLine - 1];
  if (!prev || !isCommentLine(prev.text)) return new Set();
  const m = SUPPRESSION.exec(prev.text.trim());
  if (!m) return new Set();
  return new Set(m[1]!.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** Comment lines directly above an instruction (no blank line between), first line index. */
export function attachedCommentsStart(model: DockerfileModel, instr: Instruction): number {
  let line = instr.startLine;
  while (line > 0 && isCommentLine(model.lines[line - 1]!.text) && !isDirectiveLine(model, line - 1)) line--;
  return line;
}

function isDirectiveLine(model: DockerfileModel, line: number): boolean {
  return model.directives.some((d) => d.line === line);
}

/** Whether the SHELL in effect is a plain POSIX `sh -c` / `bash -c` (the default included). */
export function isPlainPosixShell(shell: string[] | null, model: DockerfileModel): boolean {
  if (shell === null) return model.escape === "\\";
  if (shellKindOf(shell, model.escape) !== "posix") return false;
  return shell.length === 2 && shell[1] === "-c";
}

/** The meaning key a command would have, under the shell in effect. */
export function expectedKey(model: DockerfileModel, command: Command, shell: string[] | null, line: number): string {
  return commandMeaning(command, shellKindOf(shell, model.escape), model.escape, line);
}

/** Leading whitespace of a physical line. */
export function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

/** Source offset of a position in the instruction's logical line. */
export function sourceOffsetOfLogical(model: DockerfileModel, instr: Instruction, logicalOffset: number): number {
  let acc = 0;
  let first = true;
  for (const l of instr.lines) {
    if (l.kind !== "content") continue;
    const text = model.lines[l.line]!.text;
    const col = first ? text.length - text.replace(/^[\s]+/, "").length : 0;
    first = false;
    if (logicalOffset <= acc + l.segment.length) return model.lines[l.line]!.start + col + (logicalOffset - acc);
    acc += l.segment.length;
  }
  const last = model.lines[instr.endLine]!;
  return last.start + last.text.length;
}

/** Offset in the logical line where the instruction's arguments (after keyword and flags) begin. */
export function argsLogicalOffset(instr: Instruction): number {
  const trimmed = instr.logical.trimEnd();
  return trimmed.length - instr.command.args.length;
}

const HEALTHCHECK_DURATION_FLAGS = new Set(["interval", "timeout", "start-period", "start-interval"]);
const GO_DURATION = /^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** A duration BuildKit's parseOptInterval accepts: 0, or Go syntax of at least 1ms. */
function acceptedDuration(value: string): boolean {
  if (value === "0") return true;
  if (!GO_DURATION.test(value)) return false;
  let ms = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms >= 1;
}

/**
 * Whether BuildKit's instruction parser (instructions/parse.go) accepts a
 * CMD, ENTRYPOINT or HEALTHCHECK, beyond what the line parser checks: CMD
 * and ENTRYPOINT define no flags; HEALTHCHECK is `NONE` alone or `CMD` and a
 * command, with known flags and valid durations. A rule that removes or
 * rewrites one BuildKit rejects would turn a failing build into a passing one.
 */
export function buildkitAccepts(command: Command): boolean {
  const flags = command.flags.filter((f) => f !== "--");
  if (command.keyword === "CMD" || command.keyword === "ENTRYPOINT") return command.flags.length === 0;
  if (command.keyword !== "HEALTHCHECK") return true;
  const words = command.args.split(/\s+/).filter(Boolean);
  const type = (words[0] ?? "").toUpperCase();
  if (type === "NONE") return words.length === 1 && command.flags.length === 0;
  if (type !== "CMD" || words.length < 2) return false;
  // `HEALTHCHECK CMD []`: "Missing command after HEALTHCHECK CMD"
  const json = parseJSONArray(command.args.replace(/^\S+\s*/, ""));
  if (json !== null && json.length === 0) return false;
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq === -1) return false;
    const name = flag.slice(2, eq);
    const value = flag.slice(eq + 1);
    if (HEALTHCHECK_DURATION_FLAGS.has(name)) {
      if (!acceptedDuration(value)) return false;
    } else if (name === "retries") {
      if (value !== "" && !(/^\+?\d+$/.test(value) && Number(value) <= 2 ** 31 - 1)) return false;
    } else return false;
  }
  return true;
}

/**
 * Source offsets of a range of an instruction's logical line. A start
 * offset at the end of a continued line's segment belongs to the next line
 * (so the edit does not swallow the escape and the line break), an end
 * offset to the line it ends (so it does not reach into the next one). An
 * empty range (an insertion) is placed at the earlier position.
 */
export function logicalRangeToSource(model: DockerfileModel, instr: Instruction, start: number, end: number): { start: number; end: number } {
  const at = (offset: number, preferNext: boolean): number => {
    let acc = 0;
    let first = true;
    let lastEnd = -1;
    for (const l of instr.lines) {
      if (l.kind !== "content") continue;
      const text = model.lines[l.line]!.text;
      const col = first ? text.length - goTrimLeftSpace(text).length : 0;
      first = false;
      const segEnd = acc + l.segment.length;
      const inside = preferNext ? offset < segEnd || (offset === segEnd && !l.continues) : offset <= segEnd;
      if (inside) return model.lines[l.line]!.start + col + (offset - acc);
      acc = segEnd;
      lastEnd = model.lines[l.line]!.start + col + l.segment.length;
    }
    return lastEnd;
  };
  const s = at(start, end > start);
  return { start: s, end: end === start ? s : at(end, false) };
}

/** An edit in an instruction's logical line (offsets into `instr.logical`). */
export interface LogicalEdit {
  start: number;
  end: number;
  text: string;
}

/** Logical-line edits of an instruction as source edits (see logicalRangeToSource). */
export function logicalEditsToSource(model: DockerfileModel, instr: Instruction, edits: readonly LogicalEdit[]): Edit[] {
  return edits.map((e) => ({ ...logicalRangeToSource(model, instr, e.start, e.end), text: e.text }));
}

/** Whether a logical range crosses a comment or empty line inside the continuation (an edit there would delete it). */
export function logicalRangeCrossesDroppedLine(instr: Instruction, start: number, end: number): boolean {
  let acc = 0;
  let pendingDropped = false;
  for (const l of instr.lines) {
    if (l.kind !== "content") {
      if (acc > start && acc < end) pendingDropped = true;
      continue;
    }
    if (pendingDropped) return true;
    acc += l.segment.length;
  }
  return false;
}

/** Applies logical edits (non-overlapping, any order) to a string that starts at logical offset `base`. */
export function applyLogicalEdits(text: string, base: number, edits: readonly LogicalEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.start - base) + e.text;
    pos = e.end - base;
  }
  return out + text.slice(pos);
}

/** Where the keyword, flag words and arguments of an instruction are in its logical line (null where BuildKit's byte-wise reading cannot be mapped). */
export function instructionHead(model: DockerfileModel, instr: Instruction): CommandHead | null {
  return commandHead(instr.logical, model.escape);
}

/** The mounts of a RUN (`--mount=` flag values), each as its `key=value` fields (keys lower case), or null when one is quoted or escaped. */
export function runMounts(command: Command): Map<string, string>[] | null {
  const out: Map<string, string>[] = [];
  for (const flag of command.flags) {
    if (!flag.startsWith("--mount=")) continue;
    const value = flag.slice("--mount=".length);
    if (/["'\\`]/.test(value)) return null;
    const fields = new Map<string, string>();
    for (const part of value.split(",")) {
      const eq = part.indexOf("=");
      fields.set((eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase(), eq === -1 ? "" : part.slice(eq + 1).trim());
    }
    out.push(fields);
  }
  return out;
}

/** BuildKit's parseStringsWhitespaceDelimited (EXPOSE, FROM), with where each word is in the text. */
export function whitespaceWords(text: string): { word: string; start: number; end: number }[] {
  const out: { word: string; start: number; end: number }[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isReWhitespaceCode(text.charCodeAt(i))) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && !isReWhitespaceCode(text.charCodeAt(i))) i++;
    out.push({ word: text.slice(start, i), start, end: i });
  }
  return out;
}
