/**
 * Shell text understood through tree-sitter-bash (WASM, shipped in the npm
 * package). The runtime is initialised once per process; after that, parsing
 * is synchronous.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

let parser: Parser | null = null;
let initPromise: Promise<void> | null = null;

/** Loads the WASM runtime and the bash grammar, once. */
export function initShell(): Promise<void> {
  if (parser) return Promise.resolve();
  initPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const wasm = readFileSync(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
    const language = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return initPromise;
}

export function shellReady(): boolean {
  return parser !== null;
}

/** Parses shell text. initShell() must have completed. The caller must delete() the tree. */
export function parseShell(text: string): Tree {
  if (!parser) throw new Error("tree-sitter-bash is not initialised: await initShell() first");
  const tree = parser.parse(text);
  if (!tree) throw new Error("tree-sitter-bash returned no tree");
  return tree;
}

/**
 * The shell text's syntax tree as a string without positions: node types,
 * the text of leaves, and any non-blank text between children (so nothing
 * the shell reads is left out). Blank gaps between children are dropped:
 * they separate words, which the tree already shows.
 */
export function shellTreeSignature(text: string): string {
  const tree = parseShell(text);
  try {
    const out: string[] = [];
    writeNode(tree.rootNode, text, out);
    return out.join("");
  } finally {
    tree.delete();
  }
}

/** Node types whose inner spacing is part of a string's value. */
const VERBATIM_GAP_TYPES = new Set(["string", "heredoc_body", "heredoc_content", "translated_string"]);

function writeNode(node: Node, text: string, out: string[]): void {
  const count = node.childCount;
  if (count === 0) {
    out.push(node.type === node.text ? node.type : `${node.type}=${JSON.stringify(node.text)}`, " ");
    return;
  }
  out.push("(", node.type, " ");
  const verbatim = VERBATIM_GAP_TYPES.has(node.type);
  let pos = node.startIndex;
  for (let i = 0; i < count; i++) {
    const child = node.child(i)!;
    if (child.startIndex > pos) writeGap(text.slice(pos, child.startIndex), verbatim, out);
    writeNode(child, text, out);
    pos = child.endIndex;
  }
  if (node.endIndex > pos) writeGap(text.slice(pos, node.endIndex), verbatim, out);
  out.push(") ");
}

function writeGap(gap: string, verbatim: boolean, out: string[]): void {
  if (!verbatim && gap.trim() === "") return;
  out.push(`gap=${JSON.stringify(verbatim ? gap : gap.trim())} `);
}
