/**
 * A tree-sitter-bash tree copied out of WebAssembly memory in one cursor walk,
 * as flat arrays in preorder: the analysis (analysis.ts) and the rules' node
 * trees (tree.ts) are then built in plain JavaScript.
 *
 * Every read through web-tree-sitter's cursor copies the cursor into
 * WebAssembly memory and calls into it (about 0.1 µs each, warm), so the walk
 * reads each node's type, start and end once and nothing else: whether a type
 * is named is looked up once per type id, not once per node.
 */
import type { Tree } from "web-tree-sitter";
import { parseShell } from "./bash.js";

export interface FlatTree {
  /** Number of nodes. Node 0 is the root; nodes are in preorder. */
  count: number;
  /** Node type names, as web-tree-sitter's `nodeType` gives them. */
  type: string[];
  named: Uint8Array;
  start: Uint32Array;
  end: Uint32Array;
  /** Index of the first node after this node's subtree (its first child, if any, is the next index). */
  next: Uint32Array;
  /** Field names in the parent (`null` for none), when asked for. */
  field: (string | null)[] | null;
  /** Whether the tree has a syntax error anywhere. */
  hasError: boolean;
  /** Characters of the text, for cache accounting. */
  chars: number;
}

interface LanguageInfo {
  types: string[];
  fields: (string | null)[];
  named: Int8Array;
  nodeTypeIsNamed(id: number): boolean;
}

let languageInfo: LanguageInfo | null = null;

function info(tree: Tree): LanguageInfo {
  if (!languageInfo) {
    const language = tree.language as unknown as { types: string[]; fields: (string | null)[]; nodeTypeIsNamed(id: number): boolean };
    languageInfo = {
      types: language.types,
      fields: language.fields,
      named: new Int8Array(65536).fill(-1),
      nodeTypeIsNamed: (id) => language.nodeTypeIsNamed(id),
    };
  }
  return languageInfo;
}

/** Parses `text` and copies its tree (with field names only when `withFields`). */
export function flattenShell(text: string, withFields: boolean): FlatTree {
  const tree = parseShell(text);
  try {
    return flattenTree(tree, withFields, text.length);
  } finally {
    tree.delete();
  }
}

/** Scratch space reused by every walk; the result gets exact-size copies. */
let scratch = new Uint32Array(4096);

function grow(): void {
  const bigger = new Uint32Array(scratch.length * 2);
  bigger.set(scratch);
  scratch = bigger;
}

function flattenTree(tree: Tree, withFields: boolean, chars: number): FlatTree {
  const lang = info(tree);
  // scratch holds 4 numbers a node: type id, start, end, next
  const fields: (string | null)[] | null = withFields ? [] : null;
  const ancestors: number[] = [];
  const c = tree.walk();
  let count = 0;
  try {
    for (;;) {
      if ((count + 1) * 4 > scratch.length) grow();
      const at = count * 4;
      scratch[at] = c.nodeTypeId;
      scratch[at + 1] = c.startIndex;
      scratch[at + 2] = c.endIndex;
      if (fields) fields.push(lang.fields[c.currentFieldId] as string | null);
      count++;
      if (c.gotoFirstChild()) {
        ancestors.push(count - 1);
        continue;
      }
      scratch[at + 3] = count;
      let done = false;
      while (!c.gotoNextSibling()) {
        if (ancestors.length === 0) {
          done = true;
          break;
        }
        c.gotoParent();
        scratch[ancestors.pop()! * 4 + 3] = count;
      }
      if (done) break;
    }
  } finally {
    c.delete();
  }
  const type = new Array<string>(count);
  const named = new Uint8Array(count);
  const start = new Uint32Array(count);
  const end = new Uint32Array(count);
  const next = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const id = scratch[k * 4]!;
    // web-tree-sitter's `nodeType`: the type name, or "ERROR" for the error symbol
    type[k] = lang.types[id] || "ERROR";
    let isNamed = lang.named[id]!;
    if (isNamed === -1) isNamed = lang.named[id] = lang.nodeTypeIsNamed(id) ? 1 : 0;
    named[k] = isNamed;
    start[k] = scratch[k * 4 + 1]!;
    end[k] = scratch[k * 4 + 2]!;
    next[k] = scratch[k * 4 + 3]!;
  }
  return { count, type, named, start, end, next, field: fields, hasError: tree.rootNode.hasError, chars };
}
