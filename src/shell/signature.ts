/**
 * A shell syntax tree as a string without positions (written by
 * analysis.ts): node types, the text of leaves, and any non-blank text
 * between children (so nothing the shell reads is left out). Blank gaps
 * between children are dropped: they separate words, which the tree already
 * shows. Inside strings every gap is kept.
 */

/** Node types whose inner spacing is part of a string's value. */
export const VERBATIM_GAP_TYPES = new Set(["string", "heredoc_body", "heredoc_content", "translated_string"]);

/** The shell's own blanks: only space, tab and newline separate words (not `\v`, `\f`, `\r` or Unicode spaces). */
const SHELL_BLANKS = /^[ \t\n]*$/;

export function writeGap(gap: string, verbatim: boolean, out: string[]): void {
  if (!verbatim && SHELL_BLANKS.test(gap)) return;
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
