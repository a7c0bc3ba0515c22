/**
 * One tree-sitter parse per distinct shell text, shared by the formatter
 * (which blanks it may touch) and the meaning check (the tree's signature).
 * Results are cached by text: the self-check re-reads output whose shell
 * texts are mostly the input's.
 */
import type { TreeCursor } from "web-tree-sitter";
import { parseShell } from "./bash.js";
import { VERBATIM_GAP_TYPES, writeGap } from "./signature.js";

export interface ShellAnalysis {
  /** The syntax tree without positions (see signature.ts). */
  signature: string;
  /**
   * 1 where a character belongs to something whose spelling is its value:
   * quoted strings, words (escaped blanks), ${...} expansions, comments,
   * backquoted substitutions, anything the parser could not read. Blanks
   * outside these separate tokens and may be resized or moved to a line break.
   */
  protectedMask: Uint8Array;
  hasError: boolean;
  /** Offsets of the top-level `&&`, `||`, `;` and `&` (not inside any command, group or substitution). */
  operators: { start: number; end: number; type: string }[];
  /** Whether the text has a heredoc redirect. */
  hasHeredoc: boolean;
}

const PROTECTED = new Set([
  "string",
  "raw_string",
  "ansi_c_string",
  "translated_string",
  "comment",
  "word",
  "concatenation",
  "expansion",
  "heredoc_start",
  "heredoc_body",
  "heredoc_content",
  "heredoc_end",
  "regex",
  "extglob_pattern",
  "ERROR",
]);

/** Inside a protected node, these reopen shell syntax (unless written with backquotes). */
const REOPENS = new Set(["command_substitution", "process_substitution", "arithmetic_expansion"]);

/** Cached analyses are bounded by the total length of their texts. */
const CACHE_CHARS = 16_000_000;
let cachedChars = 0;
const cache = new Map<string, ShellAnalysis>();

export function analyzeShell(text: string): ShellAnalysis {
  const hit = cache.get(text);
  if (hit) return hit;
  const tree = parseShell(text);
  const cursor = tree.walk();
  let result: ShellAnalysis;
  try {
    const walk: Walk = { text, cursor, mask: new Uint8Array(text.length), out: [], operators: [], heredoc: false };
    visit(walk, false, 0);
    result = {
      signature: walk.out.join(""),
      protectedMask: walk.mask,
      hasError: tree.rootNode.hasError,
      operators: walk.operators,
      hasHeredoc: walk.heredoc,
    };
  } finally {
    cursor.delete();
    tree.delete();
  }
  while (cachedChars + text.length > CACHE_CHARS && cache.size > 0) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    cachedChars -= oldest.length;
  }
  cache.set(text, result);
  cachedChars += text.length;
  return result;
}

interface Walk {
  text: string;
  cursor: TreeCursor;
  mask: Uint8Array;
  out: string[];
  operators: ShellAnalysis["operators"];
  heredoc: boolean;
}

const OPERATORS = new Set(["&&", "||", ";", "&"]);

/**
 * One walk of the tree with a cursor (no Node objects): writes the signature
 * (see signature.ts), marks protected characters, and collects the operators
 * of the top-level list (`level` 0: the program, the lists directly in it,
 * and a list under a redirect, as tree-sitter-bash reads `a && b > f` as
 * (a && b) > f).
 */
function visit(w: Walk, insideProtected: boolean, level: 0 | 1): void {
  const c = w.cursor;
  const type = c.nodeType;
  const start = c.startIndex;
  const end = c.endIndex;
  let isProtected = insideProtected;
  if (PROTECTED.has(type)) {
    w.mask.fill(1, start, end);
    isProtected = true;
  } else if (REOPENS.has(type)) {
    if (w.text[start] === "`") {
      w.mask.fill(1, start, end);
      isProtected = true;
    } else {
      w.mask.fill(0, start, end);
      isProtected = false;
    }
  }
  if (type.startsWith("heredoc")) w.heredoc = true;
  if (level === 0 && !c.nodeIsNamed && OPERATORS.has(type)) w.operators.push({ start, end, type });
  if (!c.gotoFirstChild()) {
    const leaf = w.text.slice(start, end);
    w.out.push(type === leaf ? type : `${type}=${JSON.stringify(leaf)}`, " ");
    return;
  }
  w.out.push("(", type, " ");
  const verbatim = VERBATIM_GAP_TYPES.has(type);
  const listLevel = level === 0 && (type === "program" || type === "list" || type === "redirected_statement");
  let pos = start;
  do {
    const childStart = c.startIndex;
    if (childStart > pos) writeGap(w.text.slice(pos, childStart), verbatim, w.out);
    const childEnd = c.endIndex;
    const childType = c.nodeType;
    const topLevel = listLevel && (!c.nodeIsNamed || childType === "list" || (childType === "redirected_statement" && type !== "redirected_statement"));
    visit(w, isProtected, topLevel ? 0 : 1);
    pos = childEnd;
  } while (c.gotoNextSibling());
  c.gotoParent();
  if (end > pos) writeGap(w.text.slice(pos, end), verbatim, w.out);
  w.out.push(") ");
}
