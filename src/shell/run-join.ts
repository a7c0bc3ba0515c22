/**
 * The layout of a RUN that other RUNs are joined onto (merge-cleanup-run):
 * each joined part goes on its own line at the indentation of the RUN's
 * chain of commands, with the operator where the RUN puts it (`&& \` at the
 * end of the line, or `\` and `&& cmd` at the start of the next). A part
 * written on one line has its top-level commands put one per line the same
 * way, as a RUN written over several lines reads; a part written over several
 * lines keeps its line breaks, and its continuation lines move to the chain's
 * indentation, one level deeper where they are nested (the continuation
 * lines of a single command, the inside of `( )`).
 *
 * Safety: a line break or indentation goes only into blanks the shell
 * ignores: right after a top-level operator, or in front of a continuation
 * line whose leading blanks separate tokens (not inside a word, a string or
 * anything else whose spelling is its value: analysis.ts's protected mask).
 * The engine re-reads the result and compares its meaning.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { trimCommentLine } from "../model/scan.js";
import { analyzeShell } from "./analysis.js";
import { topLevelStatements } from "./tree.js";
import {
  applyLocalEdits,
  argsLogicalOffset,
  attachedCommentsStart,
  indentOf,
  isBlankLine,
  lineEndWithEol,
  lineStart,
  sourceOffsetOfLogical,
} from "../rules/helpers.js";
import { joinedAsPlanned, type Analysis } from "./join-plan.js";
import type { Edit, RuleContext } from "../rules/types.js";

export interface JoinStyle {
  /** Indentation of the chain's commands, and the unit a nested line gets on top of its own. */
  indent: string;
  /** Operators at the start of the line (`\` then `&& cmd`) rather than at its end (`&& \`). */
  leading: boolean;
}

const DEFAULT_INDENT = "    ";

interface OperatorAt {
  type: string;
  /** Source offsets of the operator. */
  start: number;
  end: number;
  /** The operator begins its physical line (only blanks before it). */
  atLineStart: boolean;
  /** The operator ends its physical line (only blanks after it, then the escape). */
  atLineEnd: boolean;
  line: number;
}

/** The top-level `&&`, `||` and `;` of an instruction's shell text, where they are in the source. */
function operators(model: DockerfileModel, instr: Instruction): OperatorAt[] {
  const base = argsLogicalOffset(instr);
  const out: OperatorAt[] = [];
  for (const op of analyzeShell(instr.command.args).operators) {
    if (op.type === "&") continue;
    const start = sourceOffsetOfLogical(model, instr, base + op.start);
    const end = sourceOffsetOfLogical(model, instr, base + op.end);
    const line = lineAt(model, instr, start);
    const text = model.lines[line]!.text;
    const col = start - model.lines[line]!.start;
    const before = text.slice(0, col);
    const content = instr.lines.find((l) => l.line === line)!;
    const after = text.slice(end - model.lines[line]!.start);
    out.push({
      type: op.type,
      start,
      end,
      line,
      atLineStart: before.trim() === "",
      atLineEnd: content.continues && isBlanksThenEscape(after, model.escape),
    });
  }
  return out;
}

function isBlanksThenEscape(text: string, escape: string): boolean {
  let i = 0;
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  if (text[i] !== escape) return false;
  for (i++; i < text.length; i++) if (text[i] !== " " && text[i] !== "\t") return false;
  return true;
}

function lineAt(model: DockerfileModel, instr: Instruction, offset: number): number {
  let line = instr.startLine;
  for (const l of instr.lines) if (model.lines[l.line]!.start <= offset) line = l.line;
  return line;
}

function contentLines(instr: Instruction) {
  return instr.lines.filter((l) => l.kind === "content");
}

export function isMultiLine(instr: Instruction): boolean {
  return contentLines(instr).length > 1;
}

/** The instruction's shell text has top-level `&&`, `||` or `;`. */
export function hasTopLevelList(instr: Instruction): boolean {
  return analyzeShell(instr.command.args).operators.some((o) => o.type !== "&");
}

/** The style the RUN itself shows, if it shows one: an operator at a line break. */
function ownStyle(model: DockerfileModel, instr: Instruction): JoinStyle | null {
  if (!isMultiLine(instr)) return null;
  const ops = operators(model, instr).filter((o) => o.atLineStart || o.atLineEnd);
  const last = ops[ops.length - 1];
  if (!last) return null;
  if (last.atLineStart) return { indent: indentOf(model.lines[last.line]!.text) || DEFAULT_INDENT, leading: true };
  const content = contentLines(instr);
  const next = content[content.findIndex((l) => l.line === last.line) + 1];
  return { indent: (next && indentOf(model.lines[next.line]!.text)) || DEFAULT_INDENT, leading: false };
}

const fileStyles = new WeakMap<DockerfileModel, JoinStyle | null>();

/** The style most multi-line RUNs of the file show (the indentation and operator position written most often). */
function fileStyle(model: DockerfileModel): JoinStyle | null {
  if (fileStyles.has(model)) return fileStyles.get(model)!;
  const counts = new Map<string, number>();
  for (const i of model.instructions) {
    if (i.command.keyword !== "RUN" || i.command.json || i.heredocs.length > 0 || !isMultiLine(i)) continue;
    const s = ownStyle(model, i);
    if (!s) continue;
    const key = JSON.stringify(s);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best: JoinStyle | null = null;
  let bestCount = 0;
  for (const [k, n] of counts) {
    if (n > bestCount) {
      best = JSON.parse(k) as JoinStyle;
      bestCount = n;
    }
  }
  fileStyles.set(model, best);
  return best;
}

/**
 * How parts join onto a RUN: its own chain's indentation and operator
 * position; for a RUN that shows none (one line, or one command over several
 * lines), the file's most common, then its continuation lines' indentation,
 * then four spaces and operators at the end of the line.
 */
export function joinStyle(model: DockerfileModel, instr: Instruction): JoinStyle {
  const own = ownStyle(model, instr);
  if (own) return own;
  const file = fileStyle(model);
  if (file) return file;
  const indents = contentLines(instr)
    .slice(1)
    .map((l) => indentOf(model.lines[l.line]!.text))
    .filter((s) => s !== "");
  const smallest = indents.sort((a, b) => a.length - b.length)[0];
  return { indent: smallest ?? DEFAULT_INDENT, leading: false };
}

/**
 * Edits that put each top-level command of a one-line instruction on its own
 * line: a line break after each `&&`, `||`, `;` (or before each `&&`/`||` in
 * the leading style), at the chain's indentation.
 */
export function breakListEdits(model: DockerfileModel, instr: Instruction, style: JoinStyle): Edit[] {
  const eol = model.lines[instr.startLine]!.eol || model.eol;
  const esc = model.escape;
  const source = model.bom ? model.source.slice(1) : model.source;
  const edits: Edit[] = [];
  for (const op of operators(model, instr)) {
    if (style.leading && op.type !== ";") {
      // `a && b` -> `a \` + `    && b`
      let from = op.start;
      while (from > 0 && (source[from - 1] === " " || source[from - 1] === "\t")) from--;
      edits.push({ start: from, end: op.start, text: ` ${esc}${eol}${style.indent}` });
    } else {
      // `a && b` -> `a && \` + `    b`
      let to = op.end;
      while (to < source.length && (source[to] === " " || source[to] === "\t")) to++;
      edits.push({ start: op.end, end: to, text: ` ${esc}${eol}${style.indent}` });
    }
  }
  return edits;
}

/**
 * Edits that move an instruction's continuation lines to a new indentation:
 * the smallest indentation among them becomes `target`, deeper lines keep
 * what they have beyond it. Only lines whose leading blanks separate tokens
 * move (a line that continues a word or a string stays as it is); comment
 * lines inside the continuation take the indentation of the line after them.
 */
export function indentEdits(model: DockerfileModel, instr: Instruction, target: string): Edit[] {
  const mask = analyzeShell(instr.command.args).protectedMask;
  const base = argsLogicalOffset(instr);
  const lines: { line: number; safe: boolean; comments: number[] }[] = [];
  let logical = 0;
  let pendingComments: number[] = [];
  let first = true;
  for (const l of instr.lines) {
    if (l.kind === "comment") {
      pendingComments.push(l.line);
      continue;
    }
    if (l.kind !== "content") continue;
    if (!first) {
      const at = logical - base; // offset in the shell text where this line's segment starts
      const startsBlank = l.segment[0] === " " || l.segment[0] === "\t";
      lines.push({ line: l.line, safe: startsBlank && (at < 0 || (mask[at] ?? 0) === 0), comments: pendingComments });
    }
    pendingComments = [];
    first = false;
    logical += l.segment.length;
  }
  const safe = lines.filter((l) => l.safe).map((l) => indentOf(model.lines[l.line]!.text));
  if (safe.length === 0) return [];
  const smallest = safe.reduce((a, b) => (b.length < a.length ? b : a));
  const edits: Edit[] = [];
  for (const l of lines) {
    const line = model.lines[l.line]!;
    const indent = indentOf(line.text);
    const moved = l.safe ? target + (indent.startsWith(smallest) ? indent.slice(smallest.length) : "") : indent;
    if (moved !== indent) edits.push({ start: line.start, end: line.start + indent.length, text: moved });
    for (const c of l.comments) {
      const cl = model.lines[c]!;
      const old = indentOf(cl.text);
      if (old !== moved) edits.push({ start: cl.start, end: cl.start + old.length, text: moved });
    }
  }
  return edits;
}

/**
 * The edits that merge the parts into the first: the first RUN keeps its
 * place and gains the others, each after `&&` on its own line in the first
 * RUN's layout (run-join.ts); the others go, with the comments above them
 * (they move along) and the blank lines that would be left over.
 */
export function mergeEdits(ctx: RuleContext, parts: Instruction[], analyses: Analysis[], wrap: boolean[]): { edits: Edit[]; mergedArgs: string } | null {
  const { model } = ctx;
  const eol = model.eol;
  const esc = model.escape;
  const source = model.bom ? model.source.slice(1) : model.source;
  const t = parts[0]!;
  const style = joinStyle(model, t);
  const edits: Edit[] = [];

  // Each part's text ends where its last statement ends: a trailing `;` would leave `a; && b`.
  const texts: { args: string; end: number }[] = [];
  for (const [i, p] of parts.entries()) {
    const statements = topLevelStatements(analyses[i]!.root)!;
    const last = statements[statements.length - 1]!;
    const lastLine = model.lines[p.endLine]!;
    let end = lastLine.start + lastLine.text.replace(/[ \t]+$/, "").length;
    let args = p.command.args;
    if (last.separator === ";") {
      const semicolon = sourceOffsetOfLogical(model, p, argsLogicalOffset(p) + last.node.end);
      const rest = source.slice(semicolon, end);
      if (semicolon < lastLine.start || rest.trim() !== ";") return null;
      end = semicolon + rest.indexOf(";");
      args = args.slice(0, last.node.end);
    } else if (last.separator !== null) return null;
    texts.push({ args, end });
  }
  const mergedArgs = parts.map((_, i) => (wrap[i] ? `( ${texts[i]!.args} )` : texts[i]!.args)).join(" && ");
  if (!joinedAsPlanned(mergedArgs, analyses, wrap)) return null;

  // the first RUN, laid out for what joins it
  const tArgsAt = sourceOffsetOfLogical(model, t, argsLogicalOffset(t));
  if (wrap[0]) edits.push({ start: tArgsAt, end: tArgsAt, text: "( " });
  edits.push(...within(layoutEdits(model, t, style, wrap[0]!, true), tArgsAt, texts[0]!.end));

  let joined = wrap[0] ? " )" : "";
  let previousEnd = t.endLine;
  const removals: Edit[] = [];
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const commentsFrom = attachedCommentsStart(model, p);
    const comments: string[] = [];
    for (let l = commentsFrom; l < p.startLine; l++) comments.push(`${style.indent}${trimCommentLine(model.lines[l]!.text)}${eol}`);
    const argsAt = sourceOffsetOfLogical(model, p, argsLogicalOffset(p));
    const local = within(layoutEdits(model, p, style, wrap[i]!, false), argsAt, texts[i]!.end).map((e) => ({ ...e, start: e.start - argsAt, end: e.end - argsAt }));
    const body = applyLocalEdits(source.slice(argsAt, texts[i]!.end), local);
    const text = wrap[i] ? `( ${body} )` : body;
    joined += style.leading ? ` ${esc}${eol}${comments.join("")}${style.indent}&& ${text}` : ` && ${esc}${eol}${comments.join("")}${style.indent}${text}`;
    removals.push(removal(model, p, commentsFrom, previousEnd));
    previousEnd = p.endLine;
  }
  const tLast = model.lines[t.endLine]!;
  const join: Edit = { start: texts[0]!.end, end: tLast.start + tLast.text.length, text: joined };
  // a removal that starts where the join ends (the file ends without a line break) becomes part of it
  const touching = removals.find((r) => r.start === join.end);
  if (touching) join.end = touching.end;
  edits.push(join, ...removals.filter((r) => r !== touching));
  return { edits, mergedArgs };
}

/** Edits that fall inside [start, end]. */
function within(edits: Edit[], start: number, end: number): Edit[] {
  return edits.filter((e) => e.start >= start && e.end <= end);
}

/**
 * How one part is laid out once it is a command of the merged chain: a part
 * on one line has its top-level list broken one command per line (unless it
 * goes in a subshell, whose inside is not broken); a part over several lines
 * has its continuation lines moved to the chain's indentation (its commands
 * are the chain's), one level deeper where it becomes nested (the
 * continuation lines of a single command, the inside of a subshell).
 */
function layoutEdits(model: DockerfileModel, p: Instruction, style: JoinStyle, wrapped: boolean, first: boolean): Edit[] {
  const list = hasTopLevelList(p);
  if (!isMultiLine(p)) return !wrapped && list ? breakListEdits(model, p, style) : [];
  if (wrapped || !list) return indentEdits(model, p, style.indent + style.indent);
  // a list: its commands are the chain's; the first RUN's own layout is the chain's
  return first ? [] : indentEdits(model, p, style.indent);
}

/**
 * Removes a joined RUN with the comments above it. The blank lines between
 * it and the line kept before it go too when nothing else is between them;
 * otherwise, with a blank line on each side, one of them goes.
 */
function removal(model: DockerfileModel, p: Instruction, commentsFrom: number, previousEnd: number): Edit {
  let from = commentsFrom;
  while (from - 1 > previousEnd && isBlankLine(model, from - 1)) from--;
  if (from - 1 !== previousEnd) {
    from = commentsFrom;
    const after = p.endLine + 1;
    if (isBlankLine(model, from - 1) && (after >= model.lines.length || isBlankLine(model, after))) from--;
  }
  let start = lineStart(model, from);
  // the file ended without a line break after the removed RUN: it still does, after the line before it
  if (model.lines[p.endLine]!.eol === "") {
    const before = model.lines[from - 1]!;
    start = before.start + before.text.length;
  }
  return { start, end: lineEndWithEol(model, p.endLine), text: "" };
}
