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
import type { Tree, TreeCursor } from "web-tree-sitter";
import { parseShell, wasmBinding } from "./bash.js";

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
    return flattenTree(tree, withFields, text.length, direct());
  } finally {
    tree.delete();
  }
}

/** flattenShell through web-tree-sitter's public cursor (`viaCursor`) or the direct walk (tests compare the two). */
export function flattenShellBy(text: string, withFields: boolean, viaCursor: boolean): FlatTree {
  const tree = parseShell(text);
  try {
    return flattenTree(tree, withFields, text.length, viaCursor ? null : direct());
  } finally {
    tree.delete();
  }
}

/** Whether trees are read through the C functions directly (false: the public cursor, as a fallback). */
export function directWalk(): boolean {
  return direct() !== null;
}

/**
 * web-tree-sitter's cursor functions, called without its wrappers. Each
 * wrapper copies the cursor into WebAssembly memory (the transfer buffer),
 * calls in, and copies it back: four generic setValue calls and four
 * getValue calls around every step, more than half of the walk's time. The
 * C functions read the cursor from the transfer buffer and write it back
 * after a move, so it can stay there for the whole walk: it is copied in
 * once (by `tree.walk()`) and out once (before `delete()`).
 */
interface CursorFunctions {
  typeId(tree: number): number;
  fieldId(tree: number): number;
  start(tree: number): number;
  end(tree: number): number;
  firstChild(tree: number): number;
  nextSibling(tree: number): number;
  parent(tree: number): number;
  /** The transfer buffer, as an index into HEAP32. */
  buffer: number;
  heap(): Int32Array;
}

let directFunctions: CursorFunctions | null | undefined;

function direct(): CursorFunctions | null {
  if (directFunctions !== undefined) return directFunctions;
  if (process.env.DOCKERFILE_TREE_WALK === "cursor") return (directFunctions = null);
  const b = wasmBinding as Record<string, ((...args: number[]) => number) | Int32Array | undefined>;
  const fn = (name: string) => (typeof b[name] === "function" ? (b[name] as (tree: number) => number) : null);
  const init = fn("_ts_init");
  const f = {
    typeId: fn("_ts_tree_cursor_current_node_type_id_wasm"),
    fieldId: fn("_ts_tree_cursor_current_field_id_wasm"),
    start: fn("_ts_tree_cursor_start_index_wasm"),
    end: fn("_ts_tree_cursor_end_index_wasm"),
    firstChild: fn("_ts_tree_cursor_goto_first_child_wasm"),
    nextSibling: fn("_ts_tree_cursor_goto_next_sibling_wasm"),
    parent: fn("_ts_tree_cursor_goto_parent_wasm"),
  };
  if (!init || !(b.HEAP32 instanceof Int32Array) || Object.values(f).some((x) => x === null)) return (directFunctions = null);
  // ts_init() only writes the language versions into the transfer buffer and returns its address
  const buffer = init(0) >> 2;
  return (directFunctions = { ...(f as { [K in keyof typeof f]: (tree: number) => number }), buffer, heap: () => b.HEAP32 as Int32Array });
}

/** Scratch space reused by every walk; the result gets exact-size copies. */
let scratch = new Uint32Array(4096);

function grow(): void {
  const bigger = new Uint32Array(scratch.length * 2);
  bigger.set(scratch);
  scratch = bigger;
}

function flattenTree(tree: Tree, withFields: boolean, chars: number, fast: CursorFunctions | null): FlatTree {
  const lang = info(tree);
  // scratch holds 4 numbers a node: type id, start, end, next
  const fields: (string | null)[] | null = withFields ? [] : null;
  const ancestors: number[] = [];
  const c = tree.walk();
  let count = 0;
  if (fast) {
    count = walkDirect(c, (tree as unknown as Record<number, number>)[0]!, fast, lang, fields, ancestors);
    return finish(tree, lang, count, fields, chars);
  }
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
  return finish(tree, lang, count, fields, chars);
}

/** The walk of flattenTree, through the C functions (see CursorFunctions); returns the node count. */
function walkDirect(c: TreeCursor, t: number, f: CursorFunctions, lang: LanguageInfo, fields: (string | null)[] | null, ancestors: number[]): number {
  let count = 0;
  try {
    for (;;) {
      if ((count + 1) * 4 > scratch.length) grow();
      const at = count * 4;
      scratch[at] = f.typeId(t);
      scratch[at + 1] = f.start(t);
      scratch[at + 2] = f.end(t);
      if (fields) fields.push(lang.fields[f.fieldId(t)] as string | null);
      count++;
      if (f.firstChild(t) === 1) {
        ancestors.push(count - 1);
        continue;
      }
      scratch[at + 3] = count;
      let done = false;
      while (f.nextSibling(t) !== 1) {
        if (ancestors.length === 0) {
          done = true;
          break;
        }
        f.parent(t);
        scratch[ancestors.pop()! * 4 + 3] = count;
      }
      if (done) break;
    }
  } finally {
    // the transfer buffer holds the cursor as the walk left it (its stack may have been reallocated):
    // the JS cursor takes that state, so delete() frees what the cursor now owns
    const heap = f.heap();
    const cursor = c as unknown as Record<number, number>;
    for (let k = 0; k < 4; k++) cursor[k] = heap[f.buffer + k]!;
    c.delete();
  }
  return count;
}

function finish(tree: Tree, lang: LanguageInfo, count: number, fields: (string | null)[] | null, chars: number): FlatTree {
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
