/** Pieces the rules share: source offsets, suppression comments, shells, what a stage inherits, words as /bin/sh reads them. */
import type { DockerfileModel, Instruction, Stage } from "../model/model.js";
import { commandMeaning, shellKindOf } from "../meaning/meaning.js";
import { parseJSONArray } from "../meaning/buildkit.js";
import type { Command } from "../model/model.js";
import { literalWord, shellTree, type ShellNode } from "../shell/tree.js";
import type { RuleContext } from "./types.js";
import { commandHead, healthcheckParts, type CommandHead } from "../model/command.js";
import { goToLower, goToUpper, goTrimLeftSpace, goTrimRightSpace, isReWhitespaceCode } from "../model/go.js";
import type { Edit, Span } from "./types.js";

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
  // a top-level comment line, never a heredoc body line that looks like one
  if (!prev || model.lineKinds[instr.startLine - 1] !== "comment") return new Set();
  const m = SUPPRESSION.exec(prev.text.trim());
  if (!m) return new Set();
  return new Set(m[1]!.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** Comment lines directly above an instruction (no blank line between), first line index. */
export function attachedCommentsStart(model: DockerfileModel, instr: Instruction): number {
  let line = instr.startLine;
  // top-level comment lines only: not directives, not heredoc body lines
  while (line > 0 && model.lineKinds[line - 1] === "comment") line--;
  return line;
}

/** A line that is blank at the top level (not a heredoc body line, not a line inside a continuation). */
export function isBlankLine(model: DockerfileModel, line: number): boolean {
  return model.lineKinds[line] === "blank";
}

/** The 1-based line of the input file that a 0-based line of the checked text comes from (see RuleContext.inputLine). */
export function inputLine(ctx: RuleContext, line: number): number {
  return ctx.inputLine ? ctx.inputLine(line) : line + 1;
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

/** Applies non-overlapping edits to a text (offsets into that text). */
export function applyLocalEdits(text: string, edits: readonly { start: number; end: number; text: string }[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** Leading whitespace of a physical line. */
export function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

/** Source offset of a position in the instruction's logical line (see logicalRangeToSource). */
export function sourceOffsetOfLogical(model: DockerfileModel, instr: Instruction, logicalOffset: number): number {
  return logicalRangeToSource(model, instr, logicalOffset, logicalOffset).start;
}

/** Offset in the logical line where the instruction's arguments (after keyword and flags) begin: BuildKit trims the line's end with Go's unicode.IsSpace. */
export function argsLogicalOffset(instr: Instruction): number {
  return goTrimRightSpace(instr.logical).length - instr.command.args.length;
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
  // the type word and the rest as BuildKit's parseHealthConfig splits them; the type compared after strings.ToUpper
  const parts = healthcheckParts(command.args);
  const type = parts ? goToUpper(parts.type) : "";
  if (type === "NONE") return parts!.rest === "" && command.flags.length === 0;
  if (type !== "CMD" || parts!.rest === "") return false;
  // `HEALTHCHECK CMD []`: "Missing command after HEALTHCHECK CMD"
  const json = parseJSONArray(parts!.rest);
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

/** BuildKit's default SHELL on Windows images (meaning.ts applies it; repeated here to tell it apart). */
const WINDOWS_DEFAULT_SHELL: readonly string[] = ["cmd", "/S", "/C"];

/**
 * The stages a stage may be built on. BuildKit expands FROM's base with the
 * global ARG defaults and looks the result up among the earlier stages (the
 * model's `stage.parent`), but `docker build --build-arg` may override any of
 * them: a base that uses a build argument (`fromArgs`), or one that does not
 * resolve, may then name any earlier named stage, or an image. `image`: an
 * image outside this file is among the possibilities.
 */
export interface BaseCandidates {
  stages: number[];
  image: boolean;
  /** The base depends on a build argument: what it is cannot be known from the file. */
  byArgument: boolean;
}

export function baseCandidates(model: DockerfileModel, stage: Stage): BaseCandidates {
  const base = stage.base;
  if (base === null) return { stages: [], image: true, byArgument: false };
  if (base.fromArgs || base.resolved === null) {
    const stages = model.stages.filter((s) => s.index < stage.index && s.name !== null).map((s) => s.index);
    return { stages, image: true, byArgument: true };
  }
  return stage.parent !== null ? { stages: [stage.parent], image: false, byArgument: false } : { stages: [], image: true, byArgument: false };
}

/** What an ENTRYPOINT setting is: none (never set, or `ENTRYPOINT []`), exec form, or shell form; with where it was set. */
export interface EntrypointState {
  kind: "none" | "exec" | "shell";
  /** The ENTRYPOINT instruction (index), when one set it in this file. */
  instruction: number | null;
}

/**
 * Inherited configuration, per stage, as every possibility the file allows:
 * the ENTRYPOINT and SHELL a stage ends with. A stage whose base is known has
 * one possibility; one whose base depends on a build argument has those of
 * every stage it may name, and of an image (no ENTRYPOINT that this file
 * knows of, the default SHELL). An image's own ENTRYPOINT is not in the file:
 * the rules' documentation says so.
 */
export class Inheritance {
  readonly #model: DockerfileModel;
  readonly #shells: (string[] | null)[];
  readonly #finalEntrypoints = new Map<number, EntrypointState[]>();
  readonly #finalShells = new Map<number, (string[] | null)[]>();

  constructor(ctx: RuleContext) {
    this.#model = ctx.model;
    this.#shells = ctx.shells;
  }

  /** The ENTRYPOINT settings a stage may start with. */
  startEntrypoints(stage: Stage): EntrypointState[] {
    const c = baseCandidates(this.#model, stage);
    const out: EntrypointState[] = c.image ? [{ kind: "none", instruction: null }] : [];
    for (const s of c.stages) out.push(...this.finalEntrypoints(this.#model.stages[s]!));
    return dedupe(out, (e) => `${e.kind}:${e.instruction}`);
  }

  /** The ENTRYPOINT settings a stage may end with. */
  finalEntrypoints(stage: Stage): EntrypointState[] {
    let hit = this.#finalEntrypoints.get(stage.index);
    if (!hit) {
      const own = stage.instructions.filter((i) => i.command.keyword === "ENTRYPOINT");
      hit = own.length > 0 ? [entrypointState(own[own.length - 1]!)] : this.startEntrypoints(stage);
      this.#finalEntrypoints.set(stage.index, hit);
    }
    return hit;
  }

  /** Every SHELL that may be in effect for an instruction (null: the default `/bin/sh -c`). */
  shellsFor(instr: Instruction): (string[] | null)[] {
    const stage = this.#model.stages[instr.stage]!;
    const setInStage = this.#firstShell(stage) < instr.index;
    if (setInStage || !baseCandidates(this.#model, stage).byArgument) return [this.#shells[instr.index] ?? null];
    return this.#startShells(stage);
  }

  readonly #firstShells = new Map<number, number>();

  /** Index of the stage's first SHELL instruction (Infinity: none); once per stage, not once per question. */
  #firstShell(stage: Stage): number {
    let hit = this.#firstShells.get(stage.index);
    if (hit === undefined) {
      hit = stage.instructions.find((i) => i.command.keyword === "SHELL" && i.command.json)?.index ?? Infinity;
      this.#firstShells.set(stage.index, hit);
    }
    return hit;
  }

  #startShells(stage: Stage): (string[] | null)[] {
    const c = baseCandidates(this.#model, stage);
    if (!c.byArgument) return [this.#shells[stage.instructions[0]!.index] ?? null];
    // an image: its default SHELL, Windows where the file's defaults say so (the model's recognition)
    const out: (string[] | null)[] = [stage.parent === null && stage.windows ? [...WINDOWS_DEFAULT_SHELL] : null];
    for (const s of c.stages) out.push(...this.#finalShellsOf(this.#model.stages[s]!));
    return dedupe(out, (sh) => JSON.stringify(sh));
  }

  #finalShellsOf(stage: Stage): (string[] | null)[] {
    let hit = this.#finalShells.get(stage.index);
    if (!hit) {
      const own = stage.instructions.filter((i) => i.command.keyword === "SHELL" && i.command.json);
      hit = own.length > 0 ? [own[own.length - 1]!.command.json!] : this.#startShells(stage);
      this.#finalShells.set(stage.index, hit);
    }
    return hit;
  }
}

function entrypointState(instr: Instruction): EntrypointState {
  const json = instr.command.json;
  if (json) return { kind: json.length === 0 ? "none" : "exec", instruction: instr.index };
  return { kind: instr.command.args === "" ? "none" : "shell", instruction: instr.index };
}

function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Characters tree-sitter-bash takes for blanks between words, but /bin/sh
 * (dash, bash, busybox ash) does not: there only space, tab and newline
 * separate words, and `\v`, `\f` and a lone `\r` are part of a word
 * (`node a<VT>b` is two words). Before parsing, each is swapped for a
 * private-use character that tree-sitter reads as a word character (one
 * UTF-16 unit for one, so every offset stays), and swapped back in the
 * words' values.
 */
const SH_WORD_CHARS: Record<string, string> = { "\v": "\uE00B", "\f": "\uE00C", "\r": "\uE00D" };
const BACK: Record<string, string> = { "\uE00B": "\v", "\uE00C": "\f", "\uE00D": "\r" };

export interface ShTree {
  /** The tree of the text as /bin/sh splits it; node texts hold the stand-ins. */
  root: ShellNode;
  /** A word's value with quoting removed (see literalWord), or null when the shell would expand it. */
  literal(node: ShellNode): string | null;
}

/** The text's shell tree with words split as /bin/sh splits them, or null when the text already holds a stand-in character. */
export function shTree(text: string): ShTree | null {
  let swapped = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (BACK[ch] !== undefined) return null;
    const stand = SH_WORD_CHARS[ch];
    if (stand !== undefined) {
      swapped += text.slice(from, i) + stand;
      from = i + 1;
    }
  }
  if (from === 0) return { root: shellTree(text), literal: literalWord };
  swapped += text.slice(from);
  const restore = (v: string) => {
    let out = "";
    for (const ch of v) out += BACK[ch] ?? ch;
    return out;
  };
  return {
    root: shellTree(swapped),
    literal: (node) => {
      const v = literalWord(node);
      return v === null ? null : restore(v);
    },
  };
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

/** Where a finding points: a range of the instruction's logical line, as a span of the checked text (see Finding.span). */
export function logicalSpan(model: DockerfileModel, instr: Instruction, start: number, end: number): Span {
  const s = logicalRangeToSource(model, instr, start, end);
  return { start: s.start, end: Math.max(s.start, s.end) };
}

/** The instruction's keyword (`MAINTAINER`, `FROM`), or its first line when the head cannot be read. */
export function keywordSpan(model: DockerfileModel, instr: Instruction): Span {
  const head = instructionHead(model, instr);
  return head ? logicalSpan(model, instr, head.keywordStart, head.keywordEnd) : firstLineSpan(model, instr);
}

/** The instruction's arguments after keyword and flags (a CMD's command text), or its keyword when it has none. */
export function argsSpan(model: DockerfileModel, instr: Instruction): Span {
  const head = instructionHead(model, instr);
  if (!head) return firstLineSpan(model, instr);
  return head.argsEnd > head.argsStart ? logicalSpan(model, instr, head.argsStart, head.argsEnd) : keywordSpan(model, instr);
}

/** The instruction's first physical line, from its first non-blank character. */
function firstLineSpan(model: DockerfileModel, instr: Instruction): Span {
  const l = model.lines[instr.startLine]!;
  return { start: l.start + (l.text.length - goTrimLeftSpace(l.text).length), end: l.start + l.text.length };
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
      // BuildKit's parseMount: strings.Cut at `=`, the key through strings.ToLower, nothing trimmed
      fields.set(goToLower(eq === -1 ? part : part.slice(0, eq)), eq === -1 ? "" : part.slice(eq + 1));
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

/**
 * Mounts whose content is the same for every RUN that names them: cache,
 * secret and ssh mounts, and read-only bind mounts (the default). A tmpfs
 * or a read-write bind mount starts empty or as the source again in each
 * RUN: joined, the second part would see what the first wrote there.
 */
export function mountsShareable(instr: Instruction): boolean {
  const mounts = runMounts(instr.command);
  if (mounts === null) return false;
  return mounts.every((m) => {
    const type = goToLower(m.get("type") ?? "bind");
    if (type === "cache" || type === "secret" || type === "ssh") return true;
    if (type !== "bind") return false;
    for (const key of ["rw", "readwrite"]) if (m.has(key) && goToLower(m.get(key)!) !== "false") return false;
    return true;
  });
}
