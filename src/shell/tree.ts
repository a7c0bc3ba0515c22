/**
 * A plain copy of a tree-sitter-bash tree, for the rules that must know what
 * a shell command does (which program, which arguments, which operators).
 * Shell meaning is read from this tree, never from regular expressions.
 */
import { flatTreeWithFields } from "./analysis.js";
import type { FlatTree } from "./flat.js";

export interface ShellNode {
  type: string;
  /** Field name in the parent (`name`, `argument`, `redirect`, ...), if any. */
  field: string | null;
  text: string;
  start: number;
  end: number;
  named: boolean;
  children: ShellNode[];
}

export function shellTree(text: string): ShellNode {
  return copy(flatTreeWithFields(text), text);
}

/** Builds the nodes from the flat tree (preorder), without recursion: trees can be thousands of levels deep. */
function copy(t: FlatTree, source: string): ShellNode {
  const nodes: ShellNode[] = new Array<ShellNode>(t.count);
  // the ancestors of the node being built, with where each one's subtree ends
  const open: number[] = [];
  for (let n = 0; n < t.count; n++) {
    const start = t.start[n]!;
    const end = t.end[n]!;
    const node: ShellNode = { type: t.type[n]!, field: t.field![n]!, text: source.slice(start, end), start, end, named: t.named[n] === 1, children: [] };
    nodes[n] = node;
    while (open.length > 0 && t.next[open[open.length - 1]!]! <= n) open.pop();
    if (open.length > 0) nodes[open[open.length - 1]!]!.children.push(node);
    open.push(n);
  }
  return nodes[0]!;
}

/** Every node of the tree, depth first. */
export function* walk(node: ShellNode): Generator<ShellNode> {
  // an explicit stack: a recursive `yield*` makes one generator per node and
  // passes each node up through every level above it
  const stack: ShellNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
}

export function hasType(node: ShellNode, types: ReadonlySet<string>): boolean {
  for (const n of walk(node)) if (types.has(n.type)) return true;
  return false;
}

/**
 * The top-level statements of a program joined by `&&`/`||` (a list), with
 * the separators between them (`;`, `&`, newline). Returns null if the
 * program does not parse cleanly.
 */
export interface Statement {
  node: ShellNode;
  /** The separator after this statement (`;`, `&`, `\n`), or null at the end. */
  separator: string | null;
}

export function topLevelStatements(root: ShellNode): Statement[] | null {
  if (root.type !== "program") return null;
  const out: Statement[] = [];
  for (const c of root.children) {
    if (!c.named) {
      if (out.length > 0) out[out.length - 1]!.separator = c.type;
      continue;
    }
    out.push({ node: c, separator: null });
  }
  return out;
}

/** Flattens `a && b || c` into its commands and the operators between them (iteratively: lists nest one level per operator). */
export function andOrChain(node: ShellNode): { items: ShellNode[]; operators: string[] } {
  const items: ShellNode[] = [];
  const operators: string[] = [];
  const stack: ShellNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type !== "list") {
      if (n.type === "&&" || n.type === "||") operators.push(n.type);
      else items.push(n);
      continue;
    }
    for (let i = n.children.length - 1; i >= 0; i--) {
      const c = n.children[i]!;
      if (c.named || c.type === "&&" || c.type === "||") stack.push(c);
    }
  }
  return { items, operators };
}

export interface SimpleCommand {
  node: ShellNode;
  /** The command name and arguments as written. */
  words: ShellNode[];
  assignments: ShellNode[];
  redirects: ShellNode[];
}

/** `node` as a simple command (name, arguments, prefix assignments, redirects), or null. */
export function asSimpleCommand(node: ShellNode): SimpleCommand | null {
  let redirects: ShellNode[] = [];
  let cmd = node;
  if (node.type === "redirected_statement") {
    const body = node.children.find((c) => c.field === "body");
    if (!body) return null;
    redirects = node.children.filter((c) => c.field === "redirect");
    cmd = body;
  }
  if (cmd.type !== "command") return null;
  const words: ShellNode[] = [];
  const assignments: ShellNode[] = [];
  for (const c of cmd.children) {
    if (c.type === "command_name") words.push(c.children[0] ?? c);
    else if (c.type === "variable_assignment") assignments.push(c);
    else if (c.type.endsWith("_redirect")) redirects.push(c);
    else if (c.named) words.push(c);
  }
  return { node: cmd, words, assignments, redirects };
}

/** All simple commands anywhere in the tree (inside lists, pipelines, subshells, if bodies ...). */
export function allCommands(root: ShellNode): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  for (const n of walk(root)) {
    if (n.type === "command") {
      const c = asSimpleCommand(n);
      if (c) out.push(c);
    }
  }
  return out;
}

/**
 * The literal value of a word, with shell quoting removed, or null if it has
 * anything the shell would expand (variables, substitutions, globs, `~`,
 * braces) or that is not plain text.
 */
export function literalWord(node: ShellNode): string | null {
  switch (node.type) {
    case "word":
    case "number": {
      const t = node.text;
      if (node.children.length > 0) return null;
      let out = "";
      for (let i = 0; i < t.length; i++) {
        const ch = t[i]!;
        if (ch === "\\") {
          if (i + 1 >= t.length) return null;
          out += t[i + 1];
          i++;
          continue;
        }
        if ("*?[]{}~$`".includes(ch)) return null;
        out += ch;
      }
      return out;
    }
    case "raw_string":
      return node.text.slice(1, -1);
    case "string": {
      let out = "";
      for (const c of node.children) {
        if (!c.named) continue; // the quotes
        if (c.type !== "string_content") return null;
        out += decodeDoubleQuoted(c.text);
      }
      return out;
    }
    case "concatenation": {
      let out = "";
      for (const c of node.children) {
        const v = literalWord(c);
        if (v === null) return null;
        out += v;
      }
      return out;
    }
    default:
      return null;
  }
}

/** Inside double quotes a backslash escapes only $ ` " \ and a newline. */
function decodeDoubleQuoted(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1]!)) {
      if (text[i + 1] !== "\n") out += text[i + 1];
      i++;
      continue;
    }
    out += ch;
  }
  return out;
}
