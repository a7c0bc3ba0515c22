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
import { analyzeShell } from "../shell/analysis.js";
import { argsLogicalOffset, indentOf, sourceOffsetOfLogical } from "./helpers.js";
import type { Edit } from "./types.js";

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
