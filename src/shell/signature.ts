/**
 * A shell syntax tree as a string without positions: node types, the text of
 * leaves, and any non-blank text between children (so nothing the shell reads
 * is left out). Blank gaps between children are dropped: they separate words,
 * which the tree already shows. Inside strings every gap is kept.
 */
import type { Node, TreeCursor } from "web-tree-sitter";

/** Node types whose inner spacing is part of a string's value. */
export const VERBATIM_GAP_TYPES = new Set(["string", "heredoc_body", "heredoc_content", "translated_string"]);

export function writeSignature(node: Node, text: string, out: string[]): void {
  const cursor = node.walk();
  try {
    writeAt(cursor, text, out);
  } finally {
    cursor.delete();
  }
}

/** Walks with a cursor (no Node objects) and takes text from the source string. */
function writeAt(cursor: TreeCursor, text: string, out: string[]): void {
  const type = cursor.nodeType;
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  if (!cursor.gotoFirstChild()) {
    const leaf = text.slice(start, end);
    out.push(type === leaf ? type : `${type}=${JSON.stringify(leaf)}`, " ");
    return;
  }
  out.push("(", type, " ");
  const verbatim = VERBATIM_GAP_TYPES.has(type);
  let pos = start;
  do {
    const childStart = cursor.startIndex;
    if (childStart > pos) writeGap(text.slice(pos, childStart), verbatim, out);
    const childEnd = cursor.endIndex;
    writeAt(cursor, text, out);
    pos = childEnd;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
  if (end > pos) writeGap(text.slice(pos, end), verbatim, out);
  out.push(") ");
}

export function writeGap(gap: string, verbatim: boolean, out: string[]): void {
  if (!verbatim && gap.trim() === "") return;
  out.push(`gap=${JSON.stringify(verbatim ? gap : normaliseGap(gap))} `);
}

/**
 * Text between nodes that the tree does not show (tree-sitter-bash leaves an
 * escaped blank, `\ `, outside any node): escaped characters are kept as
 * written, and each run of blanks counts as one separator, so `\ x` (one
 * word) and `\  x` (two words) stay different.
 */
function normaliseGap(gap: string): string {
  let out = "";
  for (let i = 0; i < gap.length; i++) {
    const ch = gap[i]!;
    if (ch === "\\" && i + 1 < gap.length) {
      out += ch + gap[i + 1];
      i++;
    } else if (ch === " " || ch === "\t") {
      if (!out.endsWith(" ") || out.endsWith("\\ ")) out += " ";
    } else {
      out += ch;
    }
  }
  return out;
}
