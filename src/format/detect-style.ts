/**
 * The style a Dockerfile is written in, read from its own continuation
 * lines: the unit its RUN commands' continuation lines are indented with
 * (a tab, 2 or 4 spaces) and the side of the line where it puts `&&` and
 * `||` when it breaks next to them. With `dockerfileIndent` and
 * `dockerfileOperatorPosition` at "auto" (the defaults) the formatter
 * follows what the file shows when at least FOLLOW_SHARE of the lines that
 * show it agree; for what the file does not show, or shows inconsistently,
 * the fixed fallback (options.ts, chosen from the corpus: docs/style.md).
 *
 * What counts (one pass over the model, reusing the shell analyses the
 * formatter and the meaning check make of the same texts):
 * - indentation: each continuation line of a shell-form RUN under a POSIX
 *   shell whose leading blanks separate words (a line that continues a word
 *   or a quoted string shows no indentation: its blanks are text). The
 *   file is indented with tabs where at least FOLLOW_SHARE of those lines
 *   are indented with tabs only, with spaces where at least FOLLOW_SHARE are
 *   an even number of spaces. Which unit, 2 or 4, the lines alone cannot
 *   tell (8 spaces are level 2 of 4 or level 4 of 2, and a 2-space file's
 *   package lists are mostly at 4): each RUN's shallowest space-indented
 *   line is one level deep (in the formatter's output always), so the unit
 *   is 2 where more RUNs have that line at 2, 6, 10 ... spaces than at a
 *   multiple of 4, else 4. So the output of a file formatted with 2 spaces
 *   reads as 2 spaces again, whatever its lists.
 * - operator position: each line break of such a RUN right after a `&&` or
 *   `||` (line end) or right before one (line start), at any depth, where
 *   the quote scan reads the characters as the operator (not quoted, not a
 *   word). A line holding only the operator is neither: it stays alone on its
 *   line in both positions (docs/run-layout.md, rule 3).
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { shellKindOf, shellsInEffect } from "../meaning/meaning.js";
import { analyzeShell, shellScan } from "../shell/analysis.js";
import { OPERATOR } from "../shell/quote-scan.js";
import { argsLogicalOffset } from "../rules/helpers.js";

/** The share of a file's relevant continuation lines that must agree for the formatter to follow them (issue 18). */
export const FOLLOW_SHARE = 0.8;

export type IndentUnit = "tab" | "2" | "4";
export type OperatorSide = "end" | "start";

export interface StyleCounts {
  /** Continuation lines indented with tabs only. */
  tab: number;
  /** With spaces only, a multiple of 4. */
  spaces4: number;
  /** With spaces only, even but not a multiple of 4. */
  spaces2: number;
  /** Indented otherwise (odd spaces, tabs and spaces mixed). */
  otherIndent: number;
  /** RUNs whose shallowest space-indented continuation line is at a multiple of 4 spaces. */
  runs4: number;
  /** RUNs whose shallowest space-indented continuation line is at 2 more than a multiple of 4. */
  runs2: number;
  /** Breaks with `&&` / `||` at the end of the line before. */
  end: number;
  /** Breaks with `&&` / `||` at the start of the line after. */
  start: number;
}

export interface DetectedStyle {
  /** The file's indent unit, or null when it shows none or no unit reaches FOLLOW_SHARE. */
  indent: IndentUnit | null;
  operatorPosition: OperatorSide | null;
  counts: StyleCounts;
}

const cache = new WeakMap<DockerfileModel, DetectedStyle>();

/** The style the file's continuation lines show (computed once per model). */
export function detectStyle(model: DockerfileModel): DetectedStyle {
  const hit = cache.get(model);
  if (hit) return hit;
  const counts: StyleCounts = { tab: 0, spaces4: 0, spaces2: 0, otherIndent: 0, runs4: 0, runs2: 0, end: 0, start: 0 };
  let shells: ReturnType<typeof shellsInEffect> | null = null;
  for (const instr of model.instructions) {
    if (instr.command.keyword !== "RUN" || instr.command.json || instr.heredocs.length > 0) continue;
    const content = instr.lines.filter((l) => l.kind === "content");
    if (content.length < 2) continue;
    shells ??= shellsInEffect(model);
    if (shellKindOf(shells[instr.index] ?? null, model.escape) !== "posix") continue;
    countInstruction(instr, content, counts);
  }
  const result: DetectedStyle = { indent: indentUnit(counts), operatorPosition: operatorSide(counts), counts };
  cache.set(model, result);
  return result;
}

/** Tabs, or spaces (2 or 4: see the top of this file), where at least FOLLOW_SHARE of the indented continuation lines use them. */
export function indentUnit(c: StyleCounts): IndentUnit | null {
  const total = c.tab + c.spaces4 + c.spaces2 + c.otherIndent;
  if (total === 0) return null;
  if (c.tab >= FOLLOW_SHARE * total) return "tab";
  if (c.spaces4 + c.spaces2 >= FOLLOW_SHARE * total) return c.runs2 > c.runs4 ? "2" : "4";
  return null;
}

export function operatorSide(c: StyleCounts): OperatorSide | null {
  const total = c.end + c.start;
  if (total === 0) return null;
  if (c.end >= FOLLOW_SHARE * total) return "end";
  if (c.start >= FOLLOW_SHARE * total) return "start";
  return null;
}

function countInstruction(instr: Instruction, content: Instruction["lines"], counts: StyleCounts): void {
  const args = instr.command.args;
  const base = argsLogicalOffset(instr);
  const analysis = analyzeShell(args);
  if (analysis.hasError) return;
  const classes = shellScan(args, "posix", analysis);
  const isOperator = (p: number): boolean => {
    if (p < 0 || p + 1 >= args.length) return false;
    const two = args.slice(p, p + 2);
    return (two === "&&" || two === "||") && classes[p] === OPERATOR && classes[p + 1] === OPERATOR;
  };
  let offset = 0;
  let shallowest = Infinity;
  for (let k = 0; k < content.length; k++) {
    const seg = content[k]!.segment;
    const start = offset - base;
    offset += seg.length;
    let i = 0;
    while (i < seg.length && (seg[i] === " " || seg[i] === "\t")) i++;
    let j = seg.length;
    while (j > i && (seg[j - 1] === " " || seg[j - 1] === "\t")) j--;
    // a line of blanks only (a separator the user drew) shows nothing
    if (k === 0 || i === j || start < 0) continue;
    // its leading blanks separate words (not the inside of a word or a string)
    if (i > 0 && analysis.protectedMask[start] === 0) {
      const blanks = seg.slice(0, i);
      countIndent(blanks, counts);
      if (!blanks.includes("\t")) shallowest = Math.min(shallowest, blanks.length);
    }
    const lone = j - i === 2 && isOperator(start + i);
    if (lone) continue;
    if (isOperator(start + i)) counts.start++;
    // the end of the line before this one
    const prev = content[k - 1]!.segment;
    let e = prev.length;
    while (e > 0 && (prev[e - 1] === " " || prev[e - 1] === "\t")) e--;
    const prevStart = start - prev.length;
    let lead = 0;
    while (lead < e && (prev[lead] === " " || prev[lead] === "\t")) lead++;
    // the line before holds only the operator (its blanks are the shell's: spaces and tabs, not JavaScript's trim)
    const prevLone = k - 1 > 0 && prevStart + e - 2 >= 0 && e - lead === 2;
    if (!prevLone && e >= 2 && isOperator(prevStart + e - 2)) counts.end++;
  }
  if (shallowest % 4 === 0) counts.runs4++;
  else if (shallowest % 4 === 2) counts.runs2++;
}

function countIndent(blanks: string, counts: StyleCounts): void {
  if (!blanks.includes(" ")) counts.tab++;
  else if (blanks.includes("\t")) counts.otherIndent++;
  else if (blanks.length % 4 === 0) counts.spaces4++;
  else if (blanks.length % 2 === 0) counts.spaces2++;
  else counts.otherIndent++;
}
