/**
 * Where a laid-out RUN breaks its lines (docs/run-layout.md): the user's own
 * breaks, each kept; a break at a list operator moved to the side of the
 * operator that `operatorPosition` asks for; and the breaks a line longer
 * than printWidth needs (at its top-level operators, between its flags,
 * between the words of a long argument list).
 *
 * A break goes only into a blank run that tree-sitter-bash and the quote
 * scan (in every dialect the stage's shell may read) agree separates tokens
 * (the tokens' `collapsible` blanks) or next to a list operator both read
 * as one, where blanks mean nothing to the shell; a user's break inside a word or a
 * string ("tight") is kept byte for byte.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { trimCommentEnd, trimCommentLine } from "../model/scan.js";
import type { ShellAnalysis } from "../shell/analysis.js";
import type { ShellDialect } from "../shell/quote-scan.js";
import type { LogicalLine } from "./logical-line.js";
import type { LayoutOptions } from "./options.js";
import { lastAtOrBefore, type ShellStructure } from "./shell-structure.js";
import type { Token } from "./tokens.js";

/** A RUN to lay out: its logical line and where the shell text starts in it. */
export interface RunInput {
  model: DockerfileModel;
  instr: Instruction;
  line: LogicalLine;
  /** Logical offset where the shell text (after keyword and flags) starts. */
  argsStart: number;
  /** The dialects the stage's shell may read the text in (shellDialects). */
  dialects: readonly ShellDialect[];
}

/** What every step of the layout reads. */
export interface RunContext {
  input: RunInput;
  options: LayoutOptions;
  text: string;
  argsStart: number;
  /** Where the shell text ends (trailing blanks left out). */
  argsEnd: number;
  /** The shell text's analysis as the layout may use it (layoutAnalysis: tree-sitter's reading narrowed by the quote scan's). */
  analysis: ShellAnalysis;
  shell: ShellStructure;
  user: UserLines;
}

/** A line of its own between two content lines: a comment, or a lone escape (docker-library's `\t\` separators). */
export type Extra =
  | {
      /** The comment, without its indentation. */
      comment: string;
      column0: boolean;
      /** The line as written (trailing blanks left out): kept so before a line printed as written. */
      written: string;
    }
  | { separator: true };

export type BreakKind =
  /** at a top-level operator: the next line starts a command of the top-level list (or, at the line start, its operator) */
  | "operator"
  /** before an operator the user wrote alone on its line (`\t; \`): the operator keeps its own line */
  | "lone"
  /** the user's own break, kept (a nested list operator next to it may have moved across) */
  | "user"
  /** between flags, when the first line is too long */
  | "flag"
  /** between the words of an argument list, when its line is too long */
  | "wrap";

export interface Break {
  /** Logical offset where the line ends. */
  at: number;
  /** Logical offset where the next line starts. */
  resume: number;
  /** The escape goes right after the text and the next line is printed as is (a break inside a word or string). */
  tight: boolean;
  kind: BreakKind;
  extras: Extra[];
  /** The line before ends with `;` written after a blank (`curl ;`): printed `curl;`. */
  spacedSemicolon?: boolean;
  /** The line before ends with this operator, written with no blank before it: `a&&` is printed `a &&`. */
  endOperator?: string;
  /** The line after starts with this operator, written with no blank after it: `&&b` is printed `&& b`. */
  startOperator?: string;
  /** A wrap break inside a line of list words: the next word is at that line's level. */
  sibling?: boolean;
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

/** The blanks a line starts with: how many characters, and how wide (a tab counting tabWidth columns). */
export function indentOf(text: string, tabWidth: number): { chars: number; width: number } {
  let chars = 0;
  let width = 0;
  for (; chars < text.length; chars++) {
    const c = text[chars];
    if (c === "\t") width += tabWidth;
    else if (c === " ") width++;
    else break;
  }
  return { chars, width };
}

/**
 * The user's content lines: where each starts in the logical line, where its
 * text starts after the indentation, and how wide that indentation is (a
 * tab counting tabWidth columns).
 */
export class UserLines {
  private readonly starts: number[] = [];
  private readonly textStarts = new Set<number>();
  private readonly widths: number[] = [];
  /** Index of each line whose indentation has a tab. */
  private readonly tabbed = new Set<number>();

  constructor(instr: Instruction, tabWidth: number) {
    let offset = 0;
    for (const l of instr.lines) {
      if (l.kind !== "content") continue;
      const { chars, width } = indentOf(l.segment, tabWidth);
      if (l.segment.slice(0, chars).includes("\t")) this.tabbed.add(this.starts.length);
      this.starts.push(offset);
      this.textStarts.add(offset + chars);
      this.widths.push(width);
      offset += l.segment.length;
    }
  }

  /** The indentation width of the user's line holding logical offset `pos`. */
  widthAt(pos: number): number {
    return this.widths[Math.max(0, lastAtOrBefore(this.starts, pos))]!;
  }

  /** The column of logical offset `pos` in the user's line holding it (its indentation as widthAt counts it, then a column per character). */
  columnAt(pos: number): number {
    const k = Math.max(0, lastAtOrBefore(this.starts, pos));
    let textStart = this.starts[k]!;
    while (!this.textStarts.has(textStart) && textStart < pos) textStart++;
    return this.widths[k]! + Math.max(0, pos - textStart);
  }

  /** Whether the indentation of the user's line holding `pos` has a tab. */
  tabIndentedAt(pos: number): boolean {
    return this.tabbed.has(Math.max(0, lastAtOrBefore(this.starts, pos)));
  }

  /** Whether `pos` is where the text of one of the user's lines starts. */
  isLineStart(pos: number): boolean {
    return this.textStarts.has(pos);
  }
}

/**
 * The breaks to print for the user's layout: at each top-level operator the
 * user broke next to, one break on the configured side; the lone operator
 * lines kept; nested `&&`/`||` breaks moved to the configured side; every
 * other user break kept. Null where a comment line cannot be kept in place
 * (the caller keeps the user's layout).
 */
export function userLayoutBreaks(ctx: RunContext): Break[] | null {
  const joins = userJoins(ctx.input);
  if (!joins) return null;
  const absorbed = new Uint8Array(joins.length);
  if (ctx.options.shellLayout === "preserve") return keptOperatorBreaks(ctx, userBreaks(ctx, joins, absorbed, []));
  const breaks = operatorBreaks(ctx, joins, absorbed);
  nestedOperatorBreaks(ctx, joins, absorbed, breaks);
  return userBreaks(ctx, joins, absorbed, breaks);
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
      const text = model.lines[l.line]!.text;
      pending.push({ comment: trimCommentLine(text), column0: text.startsWith("#"), written: trimCommentEnd(text) });
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

/** Around a top-level operator: the blanks before and after it, and where the next command starts. */
interface OperatorZone {
  type: string;
  opStart: number;
  opEnd: number;
  /** Where the blanks before the operator start (opStart if none). */
  zoneStart: number;
  /** Where the text after the operator's blanks starts. */
  nextStart: number;
  /** Whether blanks follow the operator. */
  blankAfter: boolean;
}

function zoneOf(ctx: RunContext, op: { start: number; end: number; type: string }): OperatorZone {
  const line = ctx.input.line;
  const opStart = ctx.argsStart + op.start;
  const opEnd = ctx.argsStart + op.end;
  const after = line.blankAt(opEnd);
  const before = line.blankAt(opStart);
  return {
    type: op.type,
    opStart,
    opEnd,
    zoneStart: before && before.end === opStart ? before.start : opStart,
    nextStart: after ? after.end : opEnd,
    blankAfter: after !== undefined,
  };
}

/** Whether a break may go at this operator: something follows it, and not a comment (a continuation line starting with # would be a comment line to BuildKit). */
function breakable(ctx: RunContext, zone: OperatorZone): boolean {
  return zone.nextStart < ctx.argsEnd && ctx.text[zone.nextStart] !== "#";
}

/**
 * The break at a top-level operator, on the side `operatorPosition` asks
 * for: `&&` and `||` may start a line; `;` and `&` end their command, so
 * they always end the line.
 */
function operatorBreak(ctx: RunContext, zone: OperatorZone, extras: Extra[]): Break {
  const { type, opStart, opEnd, zoneStart, nextStart } = zone;
  if (ctx.options.operatorPosition === "start" && (type === "&&" || type === "||")) {
    return { at: zoneStart, resume: opStart, tight: false, kind: "operator", extras, startOperator: zone.blankAfter ? undefined : type };
  }
  return {
    at: opEnd,
    resume: nextStart,
    tight: false,
    kind: "operator",
    extras,
    spacedSemicolon: type === ";" && zoneStart < opStart,
    endOperator: type !== ";" && zoneStart === opStart && opStart > ctx.argsStart ? type : undefined,
  };
}

/**
 * Breaks at the top-level operators the user broke next to (before it,
 * after it, inside it): their comment lines go with the one break. An
 * operator written alone on its line (`\t; \`, also the `\t;` that ends a
 * RUN) keeps its line.
 */
function operatorBreaks(ctx: RunContext, joins: readonly Join[], absorbed: Uint8Array): Break[] {
  const breaks: Break[] = [];
  let ji = 0;
  for (const op of ctx.analysis.operators) {
    const zone = zoneOf(ctx, op);
    const { opStart, opEnd, zoneStart, nextStart } = zone;
    while (ji < joins.length && joins[ji]!.at < zoneStart) ji++;
    const inZone: number[] = [];
    for (let k = ji; k < joins.length && joins[k]!.at <= nextStart; k++) inZone.push(k);
    if (inZone.length === 0) continue;
    const beforeJoins = inZone.filter((k) => joins[k]!.at <= opStart);
    const afterJoins = inZone.filter((k) => joins[k]!.at >= opEnd);
    const extrasOf = (ks: number[]) => ks.flatMap((k) => joins[k]!.extras);
    const allLoose = inZone.every((k) => joins[k]!.loose);
    if (nextStart >= ctx.argsEnd) {
      // `\t;` alone on the last line: it keeps its line
      if (beforeJoins.length === inZone.length && allLoose) {
        for (const k of inZone) absorbed[k] = 1;
        breaks.push({ at: zoneStart, resume: opStart, tight: false, kind: "lone", extras: extrasOf(beforeJoins) });
      }
      continue;
    }
    if (ctx.text[nextStart] === "#") continue;
    for (const k of inZone) absorbed[k] = 1;
    // a `&&` or `||` alone on its line (nginx's `    && \`) is a line-start style: under operators at the line end it
    // joins the end of the line before, as every other one does (docs/run-layout.md, rule 3)
    const keepsItsLine = !isListOperator(zone.type) || ctx.options.operatorPosition === "start";
    if (keepsItsLine && beforeJoins.length > 0 && afterJoins.length > 0 && beforeJoins.length + afterJoins.length === inZone.length && allLoose) {
      // `cmd \` + `; \` + `next` as docker-library writes it: the operator keeps its own line
      breaks.push({ at: zoneStart, resume: opStart, tight: false, kind: "lone", extras: extrasOf(beforeJoins) });
      breaks.push({ at: opEnd, resume: nextStart, tight: false, kind: "operator", extras: extrasOf(afterJoins) });
    } else {
      breaks.push(operatorBreak(ctx, zone, extrasOf(inZone)));
    }
  }
  return breaks;
}

const isListOperator = (s: string) => s === "&&" || s === "||";

/** The indexes of the joins after the `k`th that fall in a blank token. */
function joinsIn(joins: readonly Join[], blank: Token, k: number): number[] {
  const out: number[] = [];
  for (let n = k + 1; n < joins.length && joins[n]!.at <= blank.end; n++) if (joins[n]!.at >= blank.start) out.push(n);
  return out;
}

/**
 * A user's break next to a `&&` or `||` inside a compound command, a
 * subshell or a `$( )` goes to the configured side of the operator, as at
 * the top level: the same construct prints the same way at every depth.
 * (Read from the tokens: a word that is exactly `&&` or `||` outside
 * strings is an operator; blanks next to it mean nothing to the shell.)
 */
function nestedOperatorBreaks(ctx: RunContext, joins: readonly Join[], absorbed: Uint8Array, breaks: Break[]): void {
  const { tokens } = ctx.input.line;
  const mask = ctx.analysis.protectedMask;
  const start = ctx.options.operatorPosition === "start";
  const joinIn = (blank: Token | undefined) => blank !== undefined && joins.some((j) => blank.start <= j.at && j.at <= blank.end);
  for (let k = 0; k < joins.length; k++) {
    const j = joins[k]!;
    if (absorbed[k] || !j.loose || j.at < ctx.argsStart) continue;
    const b = ctx.input.line.blankIndexAt(j.at);
    if (b < 0) continue;
    // the joins in this one blank run (a `\` separator line makes two): one break, with all their extras
    let last = k;
    while (last + 1 < joins.length && !absorbed[last + 1] && joins[last + 1]!.loose && ctx.input.line.blankIndexAt(joins[last + 1]!.at) === b) last++;
    const group = joins.slice(k, last + 1);
    const extras = group.flatMap((g) => g.extras);
    const absorb = () => absorbed.fill(1, k, last + 1);
    const operatorAt = (t: Token | undefined) =>
      t !== undefined && t.kind === "word" && isListOperator(ctx.text.slice(t.start, t.end)) && mask[t.start - ctx.argsStart] === 0;
    if (!start && operatorAt(tokens[b + 1])) {
      // `a \` + `&& b`: `a && \` + `b`
      const op = tokens[b + 1]!;
      const after = tokens[b + 2];
      if (!after || after.kind !== "blank" || !after.collapsible || after.end >= ctx.argsEnd || ctx.text[after.end] === "#") continue;
      // the operator alone on its line (`a \` + `&& \` + `b`): the break after it is the one break, at the line end
      const lone = joinsIn(joins, after, last);
      if (lone.length > 1 || lone.some((n) => absorbed[n] || !joins[n]!.loose)) continue;
      absorb();
      for (const n of lone) absorbed[n] = 1;
      breaks.push({ at: op.end, resume: after.end, tight: false, kind: "user", extras: [...extras, ...lone.flatMap((n) => joins[n]!.extras)] });
    } else if (start && operatorAt(tokens[b - 1])) {
      // `a && \` + `b`: `a \` + `&& b`
      const op = tokens[b - 1]!;
      const before = tokens[b - 2];
      if (!before || before.kind !== "blank" || !before.collapsible || joinIn(before) || before.start < ctx.argsStart) continue;
      absorb();
      breaks.push({ at: before.start, resume: op.start, tight: false, kind: "user", extras });
    }
    k = last;
  }
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

/**
 * Under `preserve`, every break stays where the user wrote it; those next to
 * a top-level operator are marked as such, so that the line after them is
 * at the level of the top-level list's commands (an operator alone on its
 * line keeps it, as in the default layout).
 */
function keptOperatorBreaks(ctx: RunContext, breaks: Break[] | null): Break[] | null {
  if (!breaks) return null;
  for (const op of ctx.analysis.operators) {
    const zone = zoneOf(ctx, op);
    const before = breaks.find((b) => !b.tight && b.resume === zone.opStart && b.at >= zone.zoneStart);
    const after = breaks.find((b) => !b.tight && b.at >= zone.opEnd && b.at <= zone.nextStart);
    if (before) before.kind = after || zone.nextStart >= ctx.argsEnd ? "lone" : "operator";
    if (after) after.kind = "operator";
  }
  return breaks;
}

/**
 * Breaks at the top-level operators inside [from, to) that something follows on that line: a line too long gets one
 * command per line. With `separatorsOnly`, only at `;` and `&` (between and-or lists).
 */
export function widthOperatorBreaks(ctx: RunContext, from: number, to: number, existing: readonly Break[], separatorsOnly = false): Break[] {
  const out: Break[] = [];
  for (const op of ctx.analysis.operators) {
    if (separatorsOnly && isListOperator(op.type)) continue;
    const zone = zoneOf(ctx, op);
    if (zone.opStart < from || zone.nextStart >= to || !breakable(ctx, zone)) continue;
    if (existing.some((b) => b.at >= zone.zoneStart && b.at <= zone.nextStart)) continue;
    out.push(operatorBreak(ctx, zone, []));
  }
  return out;
}

/** A break before each flag (and before the command), where there is none yet. */
export function flagBreaks(ctx: RunContext, breaks: readonly Break[]): Break[] {
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
