/**
 * One tree-sitter parse per distinct shell text, shared by the formatter
 * (which blanks it may touch) and the meaning check (the tree's signature).
 * Results are cached by text: the self-check re-reads output whose shell
 * texts are mostly the input's.
 */
import type { Node } from "web-tree-sitter";
import { parseShell } from "./bash.js";
import { writeSignature } from "./signature.js";

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

const CACHE_LIMIT = 4096;
const cache = new Map<string, ShellAnalysis>();

export function analyzeShell(text: string): ShellAnalysis {
  const hit = cache.get(text);
  if (hit) return hit;
  const tree = parseShell(text);
  let result: ShellAnalysis;
  try {
    const root = tree.rootNode;
    const mask = new Uint8Array(text.length);
    markProtected(root, mask, text);
    const out: string[] = [];
    writeSignature(root, text, out);
    const operators: ShellAnalysis["operators"] = [];
    collectOperators(root, operators);
    result = {
      signature: out.join(""),
      protectedMask: mask,
      hasError: root.hasError,
      operators,
      hasHeredoc: out.some((t) => t.includes("heredoc")),
    };
  } finally {
    tree.delete();
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, result);
  return result;
}

const OPERATORS = new Set(["&&", "||", ";", "&"]);

/** The operators joining the program's top-level statements and and-or lists. */
function collectOperators(node: Node, out: ShellAnalysis["operators"]): void {
  for (let i = 0; i < node.childCount; i++) {
    const child = node.child(i)!;
    if (!child.isNamed && OPERATORS.has(child.type)) out.push({ start: child.startIndex, end: child.endIndex, type: child.type });
    else if (child.type === "list") collectOperators(child, out);
    else if (child.type === "redirected_statement" && child.child(0)?.type === "list") {
      // tree-sitter-bash reads `a && b > f` as (a && b) > f: the operators are still the list's
      collectOperators(child.child(0)!, out);
    }
  }
}

function markProtected(node: Node, mask: Uint8Array, text: string): void {
  const type = node.type;
  if (PROTECTED.has(type)) {
    mask.fill(1, node.startIndex, node.endIndex);
  } else if (REOPENS.has(type)) {
    if (text[node.startIndex] === "`") {
      mask.fill(1, node.startIndex, node.endIndex);
      return;
    }
    mask.fill(0, node.startIndex, node.endIndex);
  }
  const count = node.childCount;
  for (let i = 0; i < count; i++) markProtected(node.child(i)!, mask, text);
}
