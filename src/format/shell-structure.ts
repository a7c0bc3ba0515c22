/**
 * The shell's structure where a RUN's line starts inside a construct that
 * nests (`if`, loops, `case`, `( )`, `{ }`, `$( )`): which construct opened
 * the body the line is in, and whether the line starts with the keyword or
 * bracket that closes one. Read from the tree-sitter tree of the one command
 * of the top-level list that holds the line, parsed once, and only for such
 * commands: the tokens and the top-level operators come from the analysis
 * the tokenizer already made.
 */
import { flattenShell, type FlatTree } from "../shell/flat.js";

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

/** Where a line stands in the shell's structure: the offsets of the lines whose level it follows. */
export type Place =
  /** a closing keyword or bracket, or a `;` alone that ends a statement: at the level of the line holding `owner` */
  | { kind: "closer"; owner: number }
  /** a statement of a body, or an `&&`/`||` between two: one level deeper than the line holding `owner` (null: the top-level list) */
  | { kind: "statement"; owner: number | null }
  /** inside a statement: a continuation of the line holding `statement` */
  | { kind: "inside"; statement: number };

/** A command's flat tree with each node's parent. */
interface CommandTree {
  tree: FlatTree;
  parent: Int32Array;
}

export class ShellStructure {
  private readonly trees = new Map<number, CommandTree>();
  /** Body offsets where a nesting construct may start, outside strings and words (found on first use). */
  private nestingStarts: number[] | null = null;
  /** Body offsets where each command of the top-level list starts and ends. */
  private readonly commandStarts: number[] = [0];
  private readonly commandEnds: number[] = [];

  constructor(
    /** The shell text (the RUN's arguments). */
    private readonly body: string,
    /** The analysis' protected characters of `body` (strings, words, comments...). */
    private readonly mask: Uint8Array,
    operators: readonly { start: number; end: number }[],
    /** Where `body` starts in the logical line: positions given and returned are logical offsets. */
    private readonly offset: number,
  ) {
    for (const op of operators) {
      this.commandEnds.push(op.start);
      this.commandStarts.push(op.end);
    }
    this.commandEnds.push(body.length);
  }

  /** Logical offset of the first character of the command of the top-level list holding `pos` (after the blanks that follow its operator). */
  commandStart(pos: number): number {
    let at = this.commandStarts[this.listIndexAt(pos - this.offset)]!;
    while (at < this.body.length && (this.body[at] === " " || this.body[at] === "\t")) at++;
    return this.offset + at;
  }

  /** Whether a line starting at `pos` may be inside a nesting construct (cheap: no parse). */
  nested(pos: number): boolean {
    const nesting = this.nesting;
    if (nesting.length === 0) return false;
    const rel = pos - this.offset;
    const k = lastAtOrBefore(nesting, rel - 1);
    return k >= 0 && nesting[k]! >= this.commandStarts[this.listIndexAt(rel)]!;
  }

  /** Where a line starting at `pos` stands in the structure (parses its command on first use). */
  placeOf(pos: number): Place {
    const k = this.listIndexAt(pos - this.offset);
    const from = this.commandStarts[k]!;
    const { tree: t, parent } = this.treeOf(k);
    const base = this.offset + from;
    const rel = pos - base;
    const abs = (n: number) => base + t.start[n]!;
    let node = deepestAt(t, rel);
    if (node < 0) return { kind: "inside", statement: base };
    // `fi`, `else`, `done`, `)` ...: at the level of the line that opened the construct
    if (!t.named[node] && t.start[node] === rel && CLOSERS.has(t.type[node]!)) {
      const owner = closerOwner(t, parent, node);
      if (owner >= 0) return { kind: "closer", owner: abs(owner) };
      // a `;` that ends a statement (`\t\t; \` after an argument list): at the level of that statement's line
      const ended = t.type[node] === ";" ? previousSibling(t, parent, node) : -1;
      if (ended >= 0) return { kind: "closer", owner: abs(ended) };
    }
    // `&& cmd` starting a line: at the level of the statements of the body the list is in
    if (!t.named[node] && t.start[node] === rel && (t.type[node] === "&&" || t.type[node] === "||") && t.type[parent[node]!] === "list") {
      let list = parent[node]!;
      while (t.type[parent[list]!] === "list") list = parent[list]!;
      const owner = bodyOwner(t, parent, list);
      if (owner !== undefined) return { kind: "statement", owner: owner === null ? null : abs(owner) };
    }
    while (parent[node]! > 0 && t.start[parent[node]!] === rel) node = parent[node]!;
    // the start of a statement in a body: one level deeper than the line that opened the body
    const own = bodyOwner(t, parent, node);
    if (own !== undefined) return { kind: "statement", owner: own === null ? null : abs(own) };
    // inside a statement: one level deeper than the line the statement starts on
    for (let n = parent[node]!; n > 0; n = parent[n]!) {
      if (bodyOwner(t, parent, n) !== undefined) return { kind: "inside", statement: abs(n) };
    }
    return { kind: "inside", statement: base };
  }

  /**
   * The innermost simple command holding the line that starts at `pos`:
   * where it starts, where its command word starts (null: assignments
   * only), and where its first argument starts (null: none). Also whether
   * the line starts one of the command's prefix assignments or its command
   * word after such assignments (`RELEASE=… \` + `./Configure …`).
   */
  simpleCommandAt(pos: number): { start: number; name: number | null; args: number[]; prefixLine: boolean } | null {
    const k = this.listIndexAt(pos - this.offset);
    const { tree: t, parent } = this.treeOf(k);
    const base = this.offset + this.commandStarts[k]!;
    const rel = pos - base;
    let node = deepestAt(t, rel);
    while (node >= 0 && t.type[node] !== "command") node = parent[node]!;
    if (node < 0) return null;
    let name = -1;
    const args: number[] = [];
    let prefixLine = false;
    for (let c = node + 1; c < t.next[node]!; c = t.next[c]!) {
      if (!t.named[c]) continue;
      if (name < 0 && t.type[c] === "variable_assignment") {
        if (t.start[c] === rel) prefixLine = true;
      } else if (name < 0 && t.type[c] === "command_name") {
        name = c;
        if (t.start[c] === rel && t.start[c]! > t.start[node]!) prefixLine = true;
      } else if (name >= 0) args.push(base + t.start[c]!);
    }
    return { start: base + t.start[node]!, name: name < 0 ? null : base + t.start[name]!, args, prefixLine };
  }

  private treeOf(k: number): CommandTree {
    let entry = this.trees.get(k);
    if (!entry) {
      const tree = flattenShell(this.body.slice(this.commandStarts[k]!, this.commandEnds[k]!), false);
      entry = { tree, parent: parents(tree) };
      this.trees.set(k, entry);
    }
    return entry;
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
  private listIndexAt(rel: number): number {
    return lastAtOrBefore(this.commandStarts, rel);
  }
}

/** Each node's parent (-1 for the root), from the preorder and the subtree ends. */
function parents(t: FlatTree): Int32Array {
  const parent = new Int32Array(t.count).fill(-1);
  const stack: number[] = [];
  for (let n = 0; n < t.count; n++) {
    while (stack.length > 0 && t.next[stack[stack.length - 1]!]! <= n) stack.pop();
    if (stack.length > 0) parent[n] = stack[stack.length - 1]!;
    stack.push(n);
  }
  return parent;
}

/** The deepest node holding offset `rel` (-1: none). */
function deepestAt(t: FlatTree, rel: number): number {
  if (t.count === 0 || !(t.start[0]! <= rel && rel < t.end[0]!)) return -1;
  let node = 0;
  for (;;) {
    let inner = -1;
    // the last child holding rel, as the last such node in preorder
    for (let c = node + 1; c < t.next[node]!; c = t.next[c]!) if (t.start[c]! <= rel && rel < t.end[c]!) inner = c;
    if (inner < 0) return node;
    node = inner;
  }
}

/** Index of the last element of the sorted `xs` that is <= `x` (-1 if none). */
export function lastAtOrBefore(xs: readonly number[], x: number): number {
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

/** The child of `parent` right before `node`, or -1. */
function previousSibling(t: FlatTree, parentOf: Int32Array, node: number): number {
  const parent = parentOf[node]!;
  if (parent < 0) return -1;
  let previous = -1;
  for (let c = parent + 1; c < node; c = t.next[c]!) previous = c;
  return previous;
}

/** The first child of `n` of type `type`, or -1. */
function childOfType(t: FlatTree, n: number, type: string): number {
  for (let c = n + 1; c < t.next[n]!; c = t.next[c]!) if (t.type[c] === type) return c;
  return -1;
}

/** The construct whose opening line a closing keyword or bracket lines up with (-1: none). */
function closerOwner(t: FlatTree, parentOf: Int32Array, node: number): number {
  const parent = parentOf[node]!;
  if (parent < 0) return -1;
  const type = t.type[node]!;
  const parentType = t.type[parent]!;
  const grandparent = parentOf[parent]!;
  if (type === ";") {
    // the `;` that ends a loop's word list or an `if` condition (before `do` or `then`), not one that ends a statement of the body
    const loop = LOOPS.has(parentType);
    if (!loop && parentType !== "if_statement" && parentType !== "elif_clause") return -1;
    const body = childOfType(t, parent, loop ? "do_group" : "then");
    if (body >= 0 && t.start[body]! < t.start[node]!) return -1;
    return parentType === "elif_clause" ? grandparent : parent;
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
function bodyOwner(t: FlatTree, parentOf: Int32Array, node: number): number | null | undefined {
  if (!t.named[node]) return undefined;
  let child = node;
  let parent = parentOf[node]!;
  // list items and a list under a redirect belong to the list's own parent
  while (parent >= 0 && (t.type[parent] === "list" || (t.type[parent] === "redirected_statement" && t.type[child] === "list"))) {
    child = parent;
    parent = parentOf[parent]!;
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
    return parentType === "elif_clause" ? parentOf[parent]! : parent;
  }
  if (parentType === "else_clause") return parentOf[parent]!;
  if (parentType === "case_item") {
    const close = childOfType(t, parent, ")");
    return close >= 0 && t.start[child]! >= t.end[close]! ? parent : undefined;
  }
  const grandparent = parentOf[parent]!;
  if (parentType === "do_group") return grandparent >= 0 && LOOPS.has(t.type[grandparent]!) ? grandparent : parent;
  return parent;
}
