/**
 * Lays out a long shell-form RUN (docs/run-layout.md): one command of the
 * top-level list per line, broken after `&&`, `||`, `;`, `&` (the operator
 * ends the line: ` && \`), each command indented one level. Inside a
 * command the user's own line breaks stay where they are; each is indented
 * from the shell's structure: a command's continuation lines one level
 * deeper than the line it starts on, the body of `if`/`for`/`while`/`case`,
 * `( )`, `{ }`, `$( )` one level deeper than the line that opens it, and
 * `fi`/`done`/`esac`/`)`/`}`/`else`/`then`/`do` back at that line's level.
 * Nothing is reflowed word by word.
 *
 * Safety: the printed logical line must keep the shell syntax tree. A line
 * break goes only into a blank run that tree-sitter-bash says separates
 * tokens (the tokens' `collapsible` blanks), or right after a top-level
 * operator (blanks next to an operator are insignificant to the shell). A
 * user's break inside a word or a string ("tight") is kept byte for byte.
 * A break never makes a continuation line start with `#` (BuildKit would
 * drop it as a comment line). Where the shell does not parse cleanly, or the
 * RUN has a heredoc, the caller keeps the user's layout.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { trimCommentLine } from "../model/scan.js";
import { analyzeShell } from "../shell/analysis.js";
import { parseShell } from "../shell/bash.js";
import type { InstructionFormatOptions } from "./instruction.js";
import { printRange } from "./instruction.js";
import type { Token } from "./tokens.js";
import type { Tree } from "web-tree-sitter";

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

interface Join {
  /** Logical offset of the user's line break. */
  at: number;
  loose: boolean;
  extras: Extra[];
}

/** Statement lists whose statements are indented one level deeper than the line that opens them. */
const BODY_PARENTS = new Set([
  "subshell",
  "compound_statement",
  "command_substitution",
  "process_substitution",
  "do_group",
  "if_statement",
  "elif_clause",
  "else_clause",
  "case_item",
]);
const LOOPS = new Set(["for_statement", "c_style_for_statement", "while_statement", "select_statement"]);
/**
 * Keywords and brackets printed at the level of the line that opened their
 * construct; also the `;` that ends a loop's word list or an `if` condition
 * when it starts a line (docker-library's `\t; do \`).
 */
const CLOSERS = new Set(["fi", "else", "elif", "then", "do", "done", "esac", ")", "}", ";"]);
/** Where a line may start inside a construct that is more than a list of simple commands. */
const NESTING = /[({]|(?:^|[^A-Za-z0-9_])(?:if|for|while|until|case|select|function)(?![A-Za-z0-9_])/g;

export function layoutRun(
  model: DockerfileModel,
  instr: Instruction,
  text: string,
  tokens: Token[],
  upper: ReadonlyMap<number, string>,
  argsStart: number,
  options: InstructionFormatOptions,
): string[] | null {
  const esc = model.escape;
  let argsEnd = text.length;
  while (argsEnd > argsStart && (text[argsEnd - 1] === " " || text[argsEnd - 1] === "\t")) argsEnd--;
  const body = text.slice(argsStart, argsEnd);
  // The same text the tokenizer analysed: a cache hit, not a second parse.
  const analysis = analyzeShell(body);
  if (analysis.hasError || analysis.hasHeredoc) return null;

  const joins = userJoins(model, instr, tokens);
  if (!joins) return null;

  /** The collapsible blank run containing `pos` (its ends included), by binary search. */
  const blankAt = (pos: number): Token | undefined => {
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (tokens[mid]!.start <= pos) lo = mid;
      else hi = mid - 1;
    }
    for (let k = lo; k >= 0 && k >= lo - 1; k--) {
      const t = tokens[k]!;
      if (t.kind === "blank" && t.collapsible && t.start <= pos && pos <= t.end) return t;
    }
    return undefined;
  };

  // 1. Breaks after the top-level operators. The user's breaks around an
  // operator (before it, after it, inside it) are absorbed: their comment
  // lines move after the operator, in order.
  const breaks: Break[] = [];
  const absorbed = new Uint8Array(joins.length);
  let ji = 0;
  for (const op of analysis.operators) {
    const opStart = argsStart + op.start;
    const opEnd = argsStart + op.end;
    const after = blankAt(opEnd);
    const nextStart = after ? after.end : opEnd;
    if (nextStart >= argsEnd) continue; // nothing follows the operator
    if (text[nextStart] === "#") continue; // a continuation line starting with # would be a comment line to BuildKit
    const before = blankAt(opStart);
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

  // 2. The user's other breaks, where they are. Several in one blank run (a
  // `\t\` separator line) are one break with their separators and comments.
  let lastBlank: Token | undefined;
  let lastBreak: Break | undefined;
  for (let k = 0; k < joins.length; k++) {
    if (absorbed[k]) continue;
    const j = joins[k]!;
    if (!j.loose) {
      breaks.push({ at: j.at, resume: j.at, tight: true, kind: "user", extras: j.extras });
      continue;
    }
    const blank = blankAt(j.at)!;
    if (blank === lastBlank) {
      if (lastBreak) lastBreak.extras.push(...j.extras);
      else if (j.extras.some((e) => "comment" in e)) return null;
      continue;
    }
    lastBlank = blank;
    lastBreak = undefined;
    if (blank.end >= argsEnd && blank.start >= argsStart) {
      // a break before nothing (`cmd \` + a line of blanks at the end): dropped; comment lines there are kept as written
      if (j.extras.some((e) => "comment" in e)) return null;
      continue;
    }
    lastBreak = { at: blank.start, resume: blank.end, tight: false, kind: "user", extras: j.extras };
    breaks.push(lastBreak);
  }
  breaks.sort((a, b) => a.at - b.at || a.resume - b.resume);

  const shell = new ShellStructure(body, analysis.protectedMask, analysis.operators, argsStart);
  let lines = plan(breaks);
  if (!lines) return null;
  let out = render(lines);
  // A first line still too long because of its flags: one flag per line.
  if (out[0]!.length > options.printWidth) {
    const firstFlag = tokens.find((t) => t.kind === "word" && t.start < argsStart && text.startsWith("--", t.start));
    if (firstFlag) {
      const flagBreaks: Break[] = tokens
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
      if (flagBreaks.length > 0) {
        lines = plan([...breaks, ...flagBreaks].sort((a, b) => a.at - b.at || a.resume - b.resume));
        if (!lines) return null;
        out = render(lines);
      }
    }
  }
  return out;

  /** The lines between the breaks, with their indent levels. */
  function plan(breaks: Break[]): Line[] | null {
    const lines: Line[] = [
      { start: 0, end: text.length, tightEnd: false, tightStart: false, kind: "first", extras: [], level: 1, spacedSemicolon: false, spaceBefore: undefined },
    ];
    for (const b of breaks) {
      const prev = lines[lines.length - 1]!;
      if (b.at < prev.start || b.resume < b.at) return null;
      if (!b.tight && b.resume < text.length && text[b.resume] === "#") return null;
      prev.end = b.at;
      prev.tightEnd = b.tight;
      prev.spacedSemicolon = b.spacedSemicolon === true;
      prev.spaceBefore = b.spaceBefore;
      lines.push({
        start: b.resume,
        end: text.length,
        tightEnd: false,
        tightStart: b.tight,
        kind: b.kind,
        extras: b.extras,
        level: 1,
        spacedSemicolon: false,
        spaceBefore: undefined,
      });
    }
    // Commands of the top-level list are at level 1. A RUN that is one
    // command puts that command's continuation lines at level 1 too; once
    // the list is broken, one level further, so they stand apart from the
    // commands.
    const broken = breaks.some((b) => b.kind === "operator");
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
    // lines inside a construct that nests take their level from the shell's structure
    const nested = lines.map(
      (line, i) => i > 0 && !line.tightStart && line.kind === "user" && line.start > argsStart && shell.nested(line.start),
    );
    shell.want(lines.filter((_, i) => nested[i]).map((line) => line.start));
    let statementLine = 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.tightStart) line.level = lines[i - 1]!.level;
      else if (line.start <= argsStart || line.kind === "flag" || line.kind === "operator" || line.kind === "lone") line.level = 1;
      else if (nested[i]) line.level = shell.levelAt(line.start, levelOf, continuation);
      else line.level = continuation(lines[statementLine]!.start);
      if (line.kind === "operator" || line.start === argsStart) statementLine = i;
    }
    return lines;
  }

  function render(lines: Line[]): string[] {
    const indent = options.indent;
    const out: string[] = [];
    const lastContent = instr.lines.filter((l) => l.kind === "content").pop();
    lines.forEach((line, i) => {
      for (const e of line.extras) out.push(indent.repeat(line.level) + ("comment" in e ? e.comment : esc));
      let bodyText = printRange(text, tokens, upper, line.start, line.end, i === 0, line.tightEnd);
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
}

/**
 * The user's line breaks as logical offsets, with the comment lines and
 * lone-escape separator lines that follow each. Null when comment lines end
 * the instruction (kept as written by the caller).
 */
function userJoins(model: DockerfileModel, instr: Instruction, tokens: Token[]): Join[] | null {
  const joins: Join[] = [];
  const content = instr.lines.filter((l) => l.kind === "content");
  let pending: Extra[] = [];
  let offset = 0;
  let ci = 0;
  let ti = 0;
  for (const l of instr.lines) {
    if (l.kind === "comment") {
      pending.push({ comment: trimCommentLine(model.lines[l.line]!.text) });
      continue;
    }
    if (l.kind === "empty") continue;
    if (ci > 0) {
      // loose: the break falls in a collapsible blank run
      while (ti < tokens.length && tokens[ti]!.end < offset) ti++;
      let loose = false;
      for (let k = ti; k < tokens.length && tokens[k]!.start <= offset; k++) {
        const t = tokens[k]!;
        if (t.kind === "blank" && t.collapsible && t.start <= offset && offset <= t.end) loose = true;
      }
      joins.push({ at: offset, loose, extras: pending });
      pending = [];
      // a line of blanks only, continued (`\t\`), is a separator the user drew
      if (loose && /^[ \t]*$/.test(l.segment) && ci < content.length - 1) joins[joins.length - 1]!.extras.push({ separator: true });
    }
    offset += l.segment.length;
    ci++;
  }
  if (pending.length > 0) return null;
  return joins;
}

/**
 * A tree-sitter tree copied out in one cursor walk, as flat arrays in
 * preorder (reading nodes one by one through web-tree-sitter's Node objects
 * costs a call into WebAssembly per property).
 */
interface FlatTree {
  count: number;
  type: string[];
  named: boolean[];
  start: number[];
  end: number[];
  /** Index of the parent, -1 for the root. */
  parent: number[];
}

const typeNames = new Map<number, { type: string; named: boolean }>();

/**
 * Copies the nodes that hold one of the (sorted) positions `wanted`, their
 * children, and nothing below a child that holds none of them.
 */
function flatten(tree: Tree, wanted: readonly number[]): FlatTree {
  const flat: FlatTree = { count: 0, type: [], named: [], start: [], end: [], parent: [] };
  const language = tree.language;
  const cursor = tree.walk();
  const stack: number[] = [];
  try {
    outer: for (;;) {
      const id = cursor.nodeTypeId;
      let info = typeNames.get(id);
      if (!info) {
        info = { type: cursor.nodeType, named: cursor.nodeIsNamed };
        // an id names one type; named or not is a property of the id as well
        if (language.nodeTypeForId(id) === info.type) typeNames.set(id, info);
      }
      const index = flat.count++;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      flat.type.push(info.type);
      flat.named.push(info.named);
      flat.start.push(start);
      flat.end.push(end);
      flat.parent.push(stack.length > 0 ? stack[stack.length - 1]! : -1);
      const w = lastAtOrBefore(wanted, end - 1);
      if (w >= 0 && wanted[w]! >= start && cursor.gotoFirstChild()) {
        stack.push(index);
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) continue outer;
        if (!cursor.gotoParent()) break outer;
        stack.pop();
      }
    }
  } finally {
    cursor.delete();
  }
  return flat;
}

/**
 * The shell's structure where a line starts inside a construct that nests
 * (`if`, loops, `case`, `( )`, `{ }`, `$( )`): the tree-sitter tree of the
 * one command of the top-level list that holds the line, parsed once, and
 * only for such commands (the tokens and the top-level operators come from
 * the analysis the tokenizer already made).
 */
class ShellStructure {
  private readonly trees = new Map<number, FlatTree>();
  /** Logical offsets of the lines whose level will be asked, sorted. */
  private readonly wanted: number[] = [];
  /** Body offsets where a nesting construct may start, outside strings and words (found on first use). */
  private nestingStarts: number[] | null = null;
  /** Body offsets where each command of the top-level list starts and ends. */
  private readonly commandStarts: number[] = [0];
  private readonly commandEnds: number[] = [];

  constructor(
    private readonly body: string,
    private readonly mask: Uint8Array,
    operators: readonly { start: number; end: number }[],
    private readonly offset: number,
  ) {
    for (const op of operators) {
      this.commandEnds.push(op.start);
      this.commandStarts.push(op.end);
    }
    this.commandEnds.push(body.length);
  }

  private get nesting(): number[] {
    if (!this.nestingStarts) {
      this.nestingStarts = [];
      NESTING.lastIndex = 0;
      for (let m = NESTING.exec(this.body); m; m = NESTING.exec(this.body)) {
        const at = m[0].length > 1 && !/[A-Za-z]/.test(m[0][0]!) ? m.index + 1 : m.index;
        if (this.mask[at] === 0) this.nestingStarts.push(at);
      }
    }
    return this.nestingStarts;
  }

  /** The command of the top-level list that holds body offset `rel`. */
  private commandAt(rel: number): number {
    return lastAtOrBefore(this.commandStarts, rel);
  }

  /** Whether the line starting at `pos` (logical offset) may be inside a nesting construct. */
  nested(pos: number): boolean {
    const nesting = this.nesting;
    if (nesting.length === 0) return false;
    const rel = pos - this.offset;
    const k = lastAtOrBefore(nesting, rel - 1);
    return k >= 0 && nesting[k]! >= this.commandStarts[this.commandAt(rel)]!;
  }

  /** Says which lines' levels will be asked (logical offsets), before the first is. */
  want(positions: readonly number[]): void {
    const all = [...new Set([...this.wanted, ...positions])].sort((a, b) => a - b);
    if (all.length === this.wanted.length) return;
    this.wanted.splice(0, this.wanted.length, ...all);
    this.trees.clear();
  }

  /**
   * The level of a line starting at `pos` (logical offset), given the levels
   * of the lines before it.
   */
  levelAt(pos: number, levelOf: (offset: number) => number, continuation: (offset: number) => number): number {
    const k = this.commandAt(pos - this.offset);
    const from = this.commandStarts[k]!;
    let t = this.trees.get(k);
    if (!t) {
      const tree = parseShell(this.body.slice(from, this.commandEnds[k]!));
      try {
        t = flatten(
          tree,
          this.wanted.map((p) => p - this.offset - from),
        );
      } finally {
        tree.delete();
      }
      this.trees.set(k, t);
    }
    const base = this.offset + from;
    const rel = pos - base;
    const abs = (n: number) => base + t.start[n]!;
    // the deepest node holding the first character of the line: the last in preorder
    let node = -1;
    for (let n = 0; n < t.count; n++) if (t.start[n]! <= rel && rel < t.end[n]!) node = n;
    if (node < 0) return continuation(base);
    // `fi`, `else`, `done`, `)` ...: at the level of the line that opened the construct
    if (!t.named[node] && t.start[node] === rel && CLOSERS.has(t.type[node]!)) {
      const owner = closerOwner(t, node);
      if (owner >= 0) return levelOf(abs(owner));
    }
    while (t.parent[node]! > 0 && t.start[t.parent[node]!] === rel) node = t.parent[node]!;
    // the start of a statement in a body: one level deeper than the line that opened the body
    const own = bodyOwner(t, node);
    if (own !== undefined) return own === null ? 1 : levelOf(abs(own)) + 1;
    // inside a statement: one level deeper than the line the statement starts on
    for (let n = t.parent[node]!; n > 0; n = t.parent[n]!) {
      if (bodyOwner(t, n) !== undefined) return continuation(abs(n));
    }
    return continuation(base);
  }
}

/** Index of the last element of the sorted `xs` that is <= `x` (-1 if none). */
function lastAtOrBefore(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The first child of `n` of type `type`, or -1. */
function childOfType(t: FlatTree, n: number, type: string): number {
  for (let c = n + 1; c < t.count && t.start[c]! < t.end[n]!; c++) if (t.parent[c] === n && t.type[c] === type) return c;
  return -1;
}

/** The construct whose opening line a closing keyword or bracket lines up with (-1: none). */
function closerOwner(t: FlatTree, node: number): number {
  const parent = t.parent[node]!;
  if (parent < 0) return -1;
  const type = t.type[node]!;
  const parentType = t.type[parent]!;
  const grandparent = t.parent[parent]!;
  if (type === ";") {
    if (LOOPS.has(parentType) || parentType === "if_statement") return parent;
    return parentType === "elif_clause" ? grandparent : -1;
  }
  switch (parentType) {
    case "if_statement":
      return parent;
    case "elif_clause":
    case "else_clause":
      return grandparent;
    case "do_group":
      return grandparent >= 0 && LOOPS.has(t.type[grandparent]!) ? grandparent : parent;
    case "case_statement":
      return type === "esac" ? parent : -1;
    case "subshell":
    case "command_substitution":
    case "process_substitution":
      return type === ")" ? parent : -1;
    case "compound_statement":
      return type === "}" ? parent : -1;
    default:
      return -1;
  }
}

/**
 * If `node` is a statement of a statement list (a command, pipeline, list
 * item, compound command), the construct that opened that list (null: the
 * top level). Undefined if it is not a statement.
 */
function bodyOwner(t: FlatTree, node: number): number | null | undefined {
  if (!t.named[node]) return undefined;
  let child = node;
  let parent = t.parent[node]!;
  // list items and a list under a redirect belong to the list's own parent
  while (parent >= 0 && (t.type[parent] === "list" || (t.type[parent] === "redirected_statement" && t.type[child] === "list"))) {
    child = parent;
    parent = t.parent[parent]!;
  }
  if (parent < 0) return undefined;
  const parentType = t.type[parent]!;
  if (parentType === "program") return null;
  if (parentType === "case_statement") return t.type[child] === "case_item" ? parent : undefined;
  if (!BODY_PARENTS.has(parentType)) return undefined;
  // in `if`/`elif`, the statements after `then` (before it: the condition)
  if (parentType === "if_statement" || parentType === "elif_clause") {
    const then = childOfType(t, parent, "then");
    if (then < 0 || t.start[child]! < t.end[then]!) return undefined;
    if (t.type[child] === "elif_clause" || t.type[child] === "else_clause") return undefined;
    return parentType === "elif_clause" ? t.parent[parent]! : parent;
  }
  if (parentType === "else_clause") return t.parent[parent]!;
  if (parentType === "case_item") {
    const close = childOfType(t, parent, ")");
    return close >= 0 && t.start[child]! >= t.end[close]! ? parent : undefined;
  }
  const grandparent = t.parent[parent]!;
  if (parentType === "do_group") return grandparent >= 0 && LOOPS.has(t.type[grandparent]!) ? grandparent : parent;
  return parent;
}
