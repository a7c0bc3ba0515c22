/**
 * The lines of a laid-out RUN between its breaks (run-breaks.ts): the level
 * each is indented to, and their text.
 *
 * Levels: the commands of the top-level list, flags and lone operators are
 * at level 1; a line inside a construct that nests takes its level from the
 * shell's structure (shell-structure.ts); a command's continuation line is
 * one level deeper than the line the command starts on (the RUN line counts
 * as level 0 here), or as many whole levels deeper as the user indented it
 * deeper than that line.
 */
import { indentOf, type Break, type BreakKind, type Extra, type RunContext } from "./run-breaks.js";

export interface Line {
  start: number;
  end: number;
  /** The line ends with a tight break. */
  tightEnd: boolean;
  /** The line continues a tight break: printed as is, no indent. */
  tightStart: boolean;
  kind: BreakKind | "first";
  /** The break before this line. */
  before: Break | null;
  /** The break after this line. */
  after: Break | null;
  level: number;
  /** Printed with spaces under this logical offset (one of its command's arguments) instead of at its level, when that is not a whole number of levels. */
  alignTo?: number;
  /** The line closes a construct or ends a statement (`fi`, `done`, `)`, a lone `;`...): printed at the level of the line that opened it. */
  closer?: boolean;
  /** The printed line (set by render). */
  printed: string;
}

/** The lines between the breaks, with their levels; null if the breaks do not make lines. */
export function planLines(ctx: RunContext, breaks: readonly Break[]): Line[] | null {
  const { text } = ctx;
  const first: Line = { start: 0, end: text.length, tightEnd: false, tightStart: false, kind: "first", before: null, after: null, level: 1, printed: "" };
  const lines: Line[] = [first];
  for (const b of breaks) {
    const prev = lines[lines.length - 1]!;
    if (b.at < prev.start || b.resume < b.at) return null;
    if (!b.tight && b.resume < text.length && text[b.resume] === "#") return null;
    prev.end = b.at;
    prev.tightEnd = b.tight;
    prev.after = b;
    lines.push({ start: b.resume, end: text.length, tightEnd: false, tightStart: b.tight, kind: b.kind, before: b, after: null, level: 1, printed: "" });
  }
  assignLevels(ctx, lines);
  return lines;
}

/** Index of the line holding logical offset `offset`. */
function lineIndexOf(lines: readonly Line[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function assignLevels(ctx: RunContext, lines: Line[]): void {
  const { argsStart, shell, user } = ctx;
  const unit = Math.max(1, ctx.options.tabWidth);
  const broken = lines.some((l) => l.kind === "operator");
  const levelOf = (offset: number) => lines[lineIndexOf(lines, offset)]!.level;
  // Where each line stands: its level follows the previous line's, is 1, follows the structure (closer or
  // statement), or continues the statement starting at an offset (null: not decided here).
  const statementOf: (number | null)[] = lines.map(() => null);
  const places: (ReturnType<typeof shell.placeOf> | null)[] = lines.map(() => null);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.tightStart || line.before?.sibling) continue;
    if (line.start <= argsStart || line.kind === "flag" || line.kind === "operator" || line.kind === "lone") continue;
    if (shell.nested(line.start)) {
      const place = shell.placeOf(line.start);
      places[i] = place;
      if (place.kind === "inside") statementOf[i] = place.statement;
    } else statementOf[i] = shell.commandStart(line.start);
  }
  // A command's continuation lines written by the user: the shallowest of those deeper than the command's own line
  // is one level deeper than the command (one canonical depth for argument lists), the others keep their whole
  // levels relative to it; lines that all stand under one of the command's arguments are aligned there (rule 4).
  const userLine = (i: number): boolean => {
    const line = lines[i]!;
    const statement = statementOf[i];
    return statement !== null && line.kind === "user" && user.isLineStart(line.start) && !lines[lineIndexOf(lines, statement)]!.tightStart;
  };
  const prefix = lines.map((l, i) => userLine(i) && (shell.simpleCommandAt(l.start)?.prefixLine ?? false));
  const shallowest = new Map<number, number>();
  const groups = new Map<number, number[]>();
  for (let i = 1; i < lines.length; i++) {
    if (!userLine(i) || prefix[i]) continue;
    const statement = statementOf[i]!;
    const w = user.widthAt(lines[i]!.start);
    if (!groups.has(statement)) groups.set(statement, []);
    groups.get(statement)!.push(i);
    if (w > user.widthAt(statement)) shallowest.set(statement, Math.min(shallowest.get(statement) ?? w, w));
  }
  for (const [statement, group] of groups) alignUnderArgument(ctx, lines, statement, group);
  /**
   * The level of the commands of the list the statement starting at `statement` belongs to: 1 for the top-level
   * list; inside a construct, one level deeper than the line that opened it (two for a construct opened on the RUN
   * line, `RUN ( cmd \`: the level its `&& ...` lines take).
   */
  const listLevel = (statement: number): number | null => {
    if (!shell.nested(statement)) return 1;
    const place = shell.placeOf(statement);
    if (place.kind !== "statement") return 1;
    if (place.owner === null) return 1;
    // a command substitution continues the word it is in (`V=$(curl \` + `    url)`): its command's lines are
    // measured from the line the statement starts on, as outside constructs (null)
    if (ctx.text.startsWith("$(", place.owner) || ctx.text[place.owner] === "`") return null;
    return levelOf(place.owner) + 1;
  };
  /** A continuation of the statement starting at `statement`. */
  const continuation = (i: number, statement: number): number => {
    const line = lines[i]!;
    const s = lineIndexOf(lines, statement);
    const base = s === 0 ? 0 : lines[s]!.level;
    // levels from the line the statement starts on to the commands of its list: 1 on the RUN line, 0 on a line
    // the statement starts; more where constructs opened on that line hold it (`RUN ( cmd \`, `&& if ...; then cmd \`)
    const level = listLevel(statement);
    const depth = level === null ? (s === 0 ? 1 : 0) : level - base;
    const inConstruct = depth > (s === 0 ? 1 : 0);
    // the shallowest of the statement's own lines: at the level of the list's commands or one deeper, as written
    // (Docker's documentation puts a package list at the level of the `&&` lines, docker-library one level deeper),
    // never at the level of the line the command starts on (it would read as the next command)
    const lo = Math.max(1, depth);
    const hi = Math.max(1, depth + 1);
    // the user's own line: one level deeper than the line the statement starts on, more for whole levels the user
    // wrote it deeper than the shallowest of the statement's lines; an assignment of the command's prefix, or the
    // command word after them, as deep as the user wrote it, at the command's level at least
    // (unless that line goes on after a break inside a word or string: its blanks are not an indent)
    if (userLine(i)) {
      const w = user.widthAt(line.start);
      const own = user.widthAt(statement);
      if (prefix[i]) return base + Math.max(inConstruct ? depth : 0, Math.floor((w - own) / unit));
      if (w <= own) return base + lo;
      const min = shallowest.get(statement) ?? w;
      const first = Math.min(hi, Math.max(lo, Math.floor((min - own) / unit)));
      return base + first + Math.floor((w - min) / unit);
    }
    // a line the layout made: one level deeper than the list's commands where a construct opened on the statement's
    // line holds it, or on the RUN line of a broken list (to stand apart from the commands); else one level deeper
    // than the line the statement starts on
    if (inConstruct) return base + hi;
    return base + (s === 0 && broken ? 2 : 1);
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const place = places[i];
    if (line.tightStart || line.before?.sibling) line.level = lines[i - 1]!.level;
    else if (statementOf[i] !== null) line.level = continuation(i, statementOf[i]!);
    else if (place?.kind === "closer") {
      line.level = levelOf(place.owner);
      line.closer = true;
    } else if (place?.kind === "statement") line.level = place.owner === null ? 1 : levelOf(place.owner) + 1;
    else line.level = 1;
  }
}

/**
 * A deliberate alignment: every line of the group (a command's continuation
 * lines, written by the user) indented with spaces to the column where one
 * of the command's arguments starts on the line the command starts on
 * (nginx's package list under `--no-install-recommends`), and not a whole
 * number of levels deeper than that line (then it is depth). The lines are
 * marked to be printed under that argument (render decides).
 */
function alignUnderArgument(ctx: RunContext, lines: Line[], statement: number, group: readonly number[]): void {
  const { user, shell } = ctx;
  const unit = Math.max(1, ctx.options.tabWidth);
  const column = user.widthAt(lines[group[0]!]!.start);
  const own = user.widthAt(statement);
  if (column <= own || (column - own) % unit === 0) return;
  const command = shell.simpleCommandAt(lines[group[0]!]!.start);
  if (!command || command.name === null) return;
  const s = lineIndexOf(lines, statement);
  if (lineIndexOf(lines, command.start) !== s || lineIndexOf(lines, command.name) !== s) return;
  const target = command.args.find((a) => lineIndexOf(lines, a) === s && user.columnAt(a) === column);
  if (target === undefined) return;
  for (const i of group) {
    const start = lines[i]!.start;
    if (user.widthAt(start) !== column || user.tabIndentedAt(start) || shell.simpleCommandAt(start)?.start !== command.start) return;
  }
  for (const i of group) lines[i]!.alignTo = target;
}

/**
 * The spaces that put `line` under its alignment target as printed, or null
 * (no target, or the target's printed column is a whole number of levels
 * deeper than its line: then the line takes its level, and so it does again
 * when the output is formatted).
 */
function alignedPrefix(ctx: RunContext, lines: readonly Line[], line: Line): string | null {
  if (line.alignTo === undefined) return null;
  const j = lineIndexOf(lines, line.alignTo);
  const target = lines[j]!;
  if (target === line || target.tightStart || !target.printed) return null;
  const { tabWidth } = ctx.options;
  const indentWidth = j === 0 ? 0 : printedWidth(ctx.options.indent.repeat(target.level), tabWidth);
  // the blanks before the argument print as one space (print leaves out those at the end of its range)
  const before = ctx.text[line.alignTo - 1];
  const blankBefore = line.alignTo > target.start && (before === " " || before === "\t");
  const column = indentWidth + ctx.input.line.print(target.start, line.alignTo, j === 0).length + (blankBefore ? 1 : 0);
  return (column - indentWidth) % Math.max(1, tabWidth) === 0 ? null : " ".repeat(column);
}

/** Columns of a printed line, a leading tab counting tabWidth. */
export function printedWidth(line: string, tabWidth: number): number {
  let tabs = 0;
  while (line.charCodeAt(tabs) === 9) tabs++;
  return line.length + tabs * (tabWidth - 1);
}

/**
 * The level of a comment or separator line before `line`: the level of the
 * lines it annotates. Those are the lines after it, except before a lone
 * operator (the list it closes goes on: the previous line's level) and
 * before a line that closes a construct (`fi`, `done`, `esac`, `)`...) when
 * you indented the comment deeper than that line: it ends the body, one
 * level deeper.
 */
function extraLevel(ctx: RunContext, lines: readonly Line[], i: number, extra: Extra): number {
  if ("comment" in extra && extra.column0) return 0;
  const line = lines[i]!;
  if (line.kind === "lone" && i > 0) return lines[i - 1]!.level;
  if (line.closer && "comment" in extra) {
    const tabWidth = Math.max(1, ctx.options.tabWidth);
    if (indentOf(extra.written, tabWidth).width > ctx.user.widthAt(line.start)) return line.level + 1;
  }
  return line.level;
}

/** The printed lines, comment and separator lines included; each Line gets its own text in `printed`. */
export function render(ctx: RunContext, lines: readonly Line[]): string[] {
  const { indent } = ctx.options;
  const { model, instr, line: logical } = ctx.input;
  const esc = model.escape;
  const out: string[] = [];
  const lastContent = instr.lines.filter((l) => l.kind === "content").pop();
  lines.forEach((line, i) => {
    for (const e of line.before?.extras ?? []) {
      // before a line printed as written (a break inside a string or word), a comment is too: the depth there is yours
      if ("comment" in e && line.tightStart) out.push(e.written);
      else out.push(indent.repeat(extraLevel(ctx, lines, i, e)) + ("comment" in e ? e.comment : esc));
    }
    let bodyText = logical.print(line.start, line.end, i === 0, line.tightEnd);
    const after = line.after;
    // `curl \` + `; rm` read as a trailing operator: `curl; \` (blanks before `;` are nothing to the shell)
    if (after?.spacedSemicolon && bodyText.endsWith(" ;")) bodyText = `${bodyText.slice(0, -2)};`;
    // `a&& \` reads as `a && \`, and `&&b` as `&& b` (blanks next to an operator are nothing to the shell)
    const end = after?.endOperator;
    if (end && bodyText.endsWith(end) && !/[ \t]$/.test(bodyText.slice(0, -end.length))) bodyText = `${bodyText.slice(0, -end.length)} ${end}`;
    const start = line.before?.startOperator;
    if (start && bodyText.startsWith(start) && bodyText.length > start.length && !/^[ \t]/.test(bodyText.slice(start.length))) {
      bodyText = `${start} ${bodyText.slice(start.length)}`;
    }
    const prefix = i === 0 || line.tightStart ? "" : (alignedPrefix(ctx, lines, line) ?? indent.repeat(line.level));
    let suffix: string;
    if (after) suffix = line.tightEnd || bodyText === "" ? esc : ` ${esc}`;
    else if (lastContent?.continues) suffix = bodyText === "" || /[ \t]$/.test(bodyText) ? esc : ` ${esc}`;
    else suffix = "";
    line.printed = prefix + bodyText + suffix;
    out.push(line.printed);
  });
  return out;
}
