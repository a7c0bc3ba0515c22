/**
 * Lays out a long shell-form RUN (docs/run-layout.md): one command of the
 * top-level list per line, broken after `&&`, `||`, `;`, `&` (the operator
 * ends the line: ` && \`), each command indented one level. Inside a
 * command the user's own line breaks stay where they are; each is indented
 * from the shell's structure (shell-structure.ts). Nothing is reflowed word
 * by word.
 *
 * Safety: the printed logical line must keep the shell syntax tree. A line
 * break goes only into a blank run that tree-sitter-bash says separates
 * tokens (the tokens' `collapsible` blanks), or right after a top-level
 * operator (blanks next to an operator are insignificant to the shell). A
 * user's break inside a word or a string ("tight") is kept byte for byte.
 * A break never makes a continuation line start with `#` (BuildKit would
 * drop it as a comment line). Where the shell does not parse cleanly, or the
 * RUN has a heredoc, the caller keeps the user's layout.
 *
 * The steps: the user's breaks (userJoins), the breaks to print
 * (operatorBreaks, userBreaks, flagBreaks), the lines between them with
 * their levels (planLines), the text (render).
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { trimCommentLine } from "../model/scan.js";
import { analyzeShell, type ShellAnalysis } from "../shell/analysis.js";
import type { LogicalLine } from "./logical-line.js";
import type { LayoutOptions } from "./options.js";
import type { Token } from "./tokens.js";
import { ShellStructure } from "./shell-structure.js";

/** A RUN to lay out: its logical line and where the shell text starts in it. */
export interface RunInput {
  model: DockerfileModel;
  instr: Instruction;
  line: LogicalLine;
  /** Logical offset where the shell text (after keyword and flags) starts. */
  argsStart: number;
}

/** A line of its own between two content lines: a comment, or a lone escape (docker-library's `\t\` separators). */
type Extra = { comment: string } | { separator: true };

type BreakKind =
  /** after a top-level operator: the next line starts a command of the top-level list */
  | "operator"
  /** before a top-level operator the user wrote alone on its line (`\t; \`): the operator keeps its own line */
  | "lone"
  /** the user's own break, kept */
  | "user"
  /** between flags, when the first line is too long */
  | "flag";

interface Break {
  /** Logical offset where the line ends. */
  at: number;
  /** Logical offset where the next line starts. */
  resume: number;
  /** The escape goes right after the text and the next line is printed as is (a break inside a word or string). */
  tight: boolean;
  kind: BreakKind;
  extras: Extra[];
  /** An operator break after a `;` with blanks before it: `curl ;` is printed `curl;`. */
  spacedSemicolon?: boolean;
  /** An operator break after `&&`, `||`, `&` with no blank before it: `a&&` is printed `a &&`. */
  spaceBefore?: string;
}

interface Line {
  start: number;
  end: number;
  /** The line ends with a tight break. */
  tightEnd: boolean;
  /** The line continues a tight break: printed as is, no indent. */
  tightStart: boolean;
  kind: BreakKind | "first";
  extras: Extra[];
  level: number;
  /** The line ends with ` ;` where the blank is insignificant. */
  spacedSemicolon: boolean;
  /** The line ends with this operator, written with no blank before it. */
  spaceBefore: string | undefined;
}

/** One of the user's line breaks. */
interface Join {
  /** Logical offset of the break. */
  at: number;
  /** The break falls in a collapsible blank run (not inside a word or a string). */
  loose: boolean;
  /** The comment and separator lines after it. */
  extras: Extra[];
}

/** What every step reads. */
interface RunContext {
  input: RunInput;
  options: LayoutOptions;
  text: string;
  argsStart: number;
  /** Where the shell text ends (trailing blanks left out). */
  argsEnd: number;
  analysis: ShellAnalysis;
  shell: ShellStructure;
}

/** The RUN's lines, or null when its layout must stay the user's (the shell does not parse cleanly, a heredoc, comment lines at the end). */
export function layoutRun(input: RunInput, options: LayoutOptions): string[] | null {
  const text = input.line.text;
  const argsStart = input.argsStart;
  let argsEnd = text.length;
  while (argsEnd > argsStart && (text[argsEnd - 1] === " " || text[argsEnd - 1] === "\t")) argsEnd--;
  const body = text.slice(argsStart, argsEnd);
  // The same text the tokenizer analysed: a cache hit, not a second parse.
  const analysis = analyzeShell(body);
  if (analysis.hasError || analysis.hasHeredoc) return null;
  const joins = userJoins(input);
  if (!joins) return null;
  const shell = new ShellStructure(body, analysis.protectedMask, analysis.operators, argsStart);
  const ctx: RunContext = { input, options, text, argsStart, argsEnd, analysis, shell };

  const absorbed = new Uint8Array(joins.length);
  const user = userBreaks(ctx, joins, absorbed, operatorBreaks(ctx, joins, absorbed));
  if (!user) return null;
  const breaks = sortBreaks(user);
  let lines = planLines(ctx, breaks);
  if (!lines) return null;
  let out = render(ctx, lines);
  // A first line still too long because of its flags: one flag per line.
  if (out[0]!.length > options.printWidth) {
    const flags = flagBreaks(ctx, breaks);
    if (flags.length > 0) {
      lines = planLines(ctx, sortBreaks([...breaks, ...flags]));
      if (!lines) return null;
      out = render(ctx, lines);
    }
  }
  return out;
}

function sortBreaks(breaks: Break[]): Break[] {
  return breaks.sort((a, b) => a.at - b.at || a.resume - b.resume);
}

/**
 * The user's line breaks as logical offsets, with the comment lines and
 * lone-escape separator lines that follow each. Null when comment lines end
 * the instruction (kept as written by the caller).
 */
function userJoins({ model, instr, line }: RunInput): Join[] | null {
  const joins: Join[] = [];
  const contentLines = instr.lines.filter((l) => l.kind === "content").length;
  let pending: Extra[] = [];
  let offset = 0;
  let ci = 0;
  for (const l of instr.lines) {
    if (l.kind === "comment") {
      pending.push({ comment: trimCommentLine(model.lines[l.line]!.text) });
      continue;
    }
    if (l.kind === "empty") continue;
    if (ci > 0) {
      const loose = line.isLooseAt(offset);
      joins.push({ at: offset, loose, extras: pending });
      pending = [];
      // a line of blanks only, continued (`\t\`), is a separator the user drew
      if (loose && /^[ \t]*$/.test(l.segment) && ci < contentLines - 1) joins[joins.length - 1]!.extras.push({ separator: true });
    }
    offset += l.segment.length;
    ci++;
  }
  if (pending.length > 0) return null;
  return joins;
}

/**
 * Breaks after the top-level operators. The user's breaks around an
 * operator (before it, after it, inside it) are absorbed: their comment
 * lines move after the operator, in order.
 */
function operatorBreaks(ctx: RunContext, joins: readonly Join[], absorbed: Uint8Array): Break[] {
  const { text, argsStart, argsEnd } = ctx;
  const line = ctx.input.line;
  const breaks: Break[] = [];
  let ji = 0;
  for (const op of ctx.analysis.operators) {
    const opStart = argsStart + op.start;
    const opEnd = argsStart + op.end;
    const after = line.blankAt(opEnd);
    const nextStart = after ? after.end : opEnd;
    if (nextStart >= argsEnd) continue; // nothing follows the operator
    if (text[nextStart] === "#") continue; // a continuation line starting with # would be a comment line to BuildKit
    const before = line.blankAt(opStart);
    const zoneStart = before && before.end === opStart ? before.start : opStart;
    while (ji < joins.length && joins[ji]!.at < zoneStart) ji++;
    const inZone: number[] = [];
    for (let k = ji; k < joins.length && joins[k]!.at <= nextStart; k++) inZone.push(k);
    const beforeJoins = inZone.filter((k) => joins[k]!.at <= opStart);
    const afterJoins = inZone.filter((k) => joins[k]!.at >= opEnd);
    const lone =
      beforeJoins.length > 0 &&
      afterJoins.length > 0 &&
      beforeJoins.length + afterJoins.length === inZone.length &&
      inZone.every((k) => joins[k]!.loose);
    for (const k of inZone) absorbed[k] = 1;
    const extrasOf = (ks: number[]) => ks.flatMap((k) => joins[k]!.extras);
    if (lone) {
      // `cmd \` + `; \` + `next` as docker-library writes it: the operator keeps its own line
      breaks.push({ at: zoneStart, resume: opStart, tight: false, kind: "lone", extras: extrasOf(beforeJoins) });
      breaks.push({ at: opEnd, resume: nextStart, tight: false, kind: "operator", extras: extrasOf(afterJoins) });
    } else {
      const spacedSemicolon = op.type === ";" && zoneStart < opStart;
      const spaceBefore = op.type !== ";" && zoneStart === opStart && opStart > argsStart ? op.type : undefined;
      breaks.push({ at: opEnd, resume: nextStart, tight: false, kind: "operator", extras: extrasOf(inZone), spacedSemicolon, spaceBefore });
    }
  }
  return breaks;
}

/**
 * The user's other breaks, where they are, added to `breaks`. Several in one
 * blank run (a `\t\` separator line) are one break with their separators and
 * comments. Null where a comment line cannot be kept in place.
 */
function userBreaks(ctx: RunContext, joins: readonly Join[], absorbed: Uint8Array, breaks: Break[]): Break[] | null {
  const line = ctx.input.line;
  let lastBlank: Token | undefined;
  let lastBreak: Break | undefined;
  for (let k = 0; k < joins.length; k++) {
    if (absorbed[k]) continue;
    const j = joins[k]!;
    if (!j.loose) {
      breaks.push({ at: j.at, resume: j.at, tight: true, kind: "user", extras: j.extras });
      continue;
    }
    const blank = line.blankAt(j.at)!;
    if (blank === lastBlank) {
      if (lastBreak) lastBreak.extras.push(...j.extras);
      else if (j.extras.some((e) => "comment" in e)) return null;
      continue;
    }
    lastBlank = blank;
    lastBreak = undefined;
    if (blank.end >= ctx.argsEnd && blank.start >= ctx.argsStart) {
      // a break before nothing (`cmd \` + a line of blanks at the end): dropped; comment lines there are kept as written
      if (j.extras.some((e) => "comment" in e)) return null;
      continue;
    }
    lastBreak = { at: blank.start, resume: blank.end, tight: false, kind: "user", extras: j.extras };
    breaks.push(lastBreak);
  }
  return breaks;
}

/** A break before each flag (and before the command), where there is none yet. */
function flagBreaks(ctx: RunContext, breaks: readonly Break[]): Break[] {
  const { text, argsStart } = ctx;
  const tokens = ctx.input.line.tokens;
  const firstFlag = tokens.find((t) => t.kind === "word" && t.start < argsStart && text.startsWith("--", t.start));
  if (!firstFlag) return [];
  return tokens
    .filter(
      (t) =>
        t.kind === "blank" &&
        t.collapsible &&
        t.end > firstFlag.start &&
        t.end <= argsStart &&
        (text.startsWith("--", t.end) || t.end === argsStart) &&
        !breaks.some((b) => b.at === t.start),
    )
    .map((t) => ({ at: t.start, resume: t.end, tight: false, kind: "flag" as const, extras: [] }));
}

/** The lines between the breaks, with their indent levels; null if the breaks do not make lines. */
function planLines(ctx: RunContext, breaks: readonly Break[]): Line[] | null {
  const { text } = ctx;
  const lines: Line[] = [newLine(0, text.length, "first", false, [])];
  for (const b of breaks) {
    const prev = lines[lines.length - 1]!;
    if (b.at < prev.start || b.resume < b.at) return null;
    if (!b.tight && b.resume < text.length && text[b.resume] === "#") return null;
    prev.end = b.at;
    prev.tightEnd = b.tight;
    prev.spacedSemicolon = b.spacedSemicolon === true;
    prev.spaceBefore = b.spaceBefore;
    lines.push(newLine(b.resume, text.length, b.kind, b.tight, b.extras));
  }
  assignLevels(ctx, lines, breaks.some((b) => b.kind === "operator"));
  return lines;
}

function newLine(start: number, end: number, kind: Line["kind"], tightStart: boolean, extras: Extra[]): Line {
  return { start, end, tightEnd: false, tightStart, kind, extras, level: 1, spacedSemicolon: false, spaceBefore: undefined };
}

/**
 * Commands of the top-level list are at level 1. A RUN that is one command
 * puts that command's continuation lines at level 1 too; once the list is
 * broken, one level further, so they stand apart from the commands. Lines
 * inside a construct that nests take their level from the shell's structure.
 */
function assignLevels(ctx: RunContext, lines: Line[], broken: boolean): void {
  const { argsStart, shell } = ctx;
  const starts = lines.map((l) => l.start);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const levelOf = (offset: number) => lines[lineOf(offset)]!.level;
  const continuation = (offset: number) => {
    const i = lineOf(offset);
    return i === 0 && !broken ? 1 : lines[i]!.level + 1;
  };
  let statementLine = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.tightStart) line.level = lines[i - 1]!.level;
    else if (line.start <= argsStart || line.kind === "flag" || line.kind === "operator" || line.kind === "lone") line.level = 1;
    else if (line.kind === "user" && shell.nested(line.start)) {
      const place = shell.placeOf(line.start);
      if (place.kind === "closer") line.level = levelOf(place.owner);
      else if (place.kind === "statement") line.level = place.owner === null ? 1 : levelOf(place.owner) + 1;
      else line.level = continuation(place.statement);
    } else line.level = continuation(lines[statementLine]!.start);
    if (line.kind === "operator" || line.start === argsStart) statementLine = i;
  }
}

function render(ctx: RunContext, lines: readonly Line[]): string[] {
  const { indent } = ctx.options;
  const { model, instr, line: logical } = ctx.input;
  const esc = model.escape;
  const out: string[] = [];
  const lastContent = instr.lines.filter((l) => l.kind === "content").pop();
  lines.forEach((line, i) => {
    for (const e of line.extras) out.push(indent.repeat(line.level) + ("comment" in e ? e.comment : esc));
    let bodyText = logical.print(line.start, line.end, i === 0, line.tightEnd);
    const next = lines[i + 1];
    // `curl \` + `; rm` read as a trailing operator: `curl; \` (blanks before `;` are nothing to the shell)
    if (line.spacedSemicolon && bodyText.endsWith(" ;")) bodyText = `${bodyText.slice(0, -2)};`;
    // `a&& \` reads as `a && \` (blanks next to an operator are nothing to the shell)
    const op = line.spaceBefore;
    if (op && bodyText.endsWith(op) && !/[ \t]$/.test(bodyText.slice(0, -op.length))) bodyText = `${bodyText.slice(0, -op.length)} ${op}`;
    const prefix = i === 0 || line.tightStart ? "" : indent.repeat(line.level);
    let suffix: string;
    if (next) suffix = line.tightEnd || bodyText === "" ? esc : ` ${esc}`;
    else if (lastContent?.continues) suffix = bodyText === "" || /[ \t]$/.test(bodyText) ? esc : ` ${esc}`;
    else suffix = "";
    out.push(prefix + bodyText + suffix);
  });
  return out;
}
