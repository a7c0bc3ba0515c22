/**
 * Lays out a long shell-form RUN: one command of the top-level list per
 * line, broken after `&&`, `||`, `;` (the operator ends the line: ` && \`),
 * every continuation line indented one level. Inside a command the user's
 * own line breaks stay where they are, indented one level deeper than the
 * line the command starts on; nothing is reflowed word by word.
 *
 * Every break is placed in a blank run that tree-sitter-bash says separates
 * tokens (never inside a word, a string, an expansion or a comment), so the
 * joined logical line keeps the same shell syntax tree. Where that cannot be
 * guaranteed (a break inside a word next to an operator, a parse error), the
 * caller keeps the user's layout.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { analyzeShell } from "../shell/analysis.js";
import type { InstructionFormatOptions } from "./instruction.js";
import { joinKind, printRange } from "./instruction.js";
import type { Token } from "./tokens.js";

interface Break {
  /** Where the line ends (logical offset): the text before it is printed on the line. */
  at: number;
  /** Where the next line starts. */
  resume: number;
  /** loose: ` \` + indent; tight: the escape right after the text, next line verbatim. */
  tight: boolean;
  /** Break after a top-level operator (the next line starts a command). */
  operator: boolean;
  comments: string[];
  /** Blank-only continuation lines the user put here as separators. */
  separators: number;
}

export function layoutRun(
  model: DockerfileModel,
  instr: Instruction,
  text: string,
  tokens: Token[],
  upper: Set<number>,
  argsStart: number,
  options: InstructionFormatOptions,
): string[] | null {
  const esc = model.escape;
  let argsEnd = text.length;
  while (argsEnd > argsStart && (text[argsEnd - 1] === " " || text[argsEnd - 1] === "\t")) argsEnd--;
  const analysis = analyzeShell(text.slice(argsStart, argsEnd));
  if (analysis.hasError || analysis.hasHeredoc) return null;

  // The user's line breaks: logical offset of each join, its comment lines, whether it is loose.
  const joins: { at: number; comments: string[]; loose: boolean; blankSegment: boolean }[] = [];
  let offset = 0;
  let pendingComments: string[] = [];
  const content = instr.lines.filter((l) => l.kind === "content");
  let ci = 0;
  for (const l of instr.lines) {
    if (l.kind === "comment") {
      pendingComments.push(model.lines[l.line]!.text.trim());
      continue;
    }
    if (l.kind === "empty") continue;
    if (ci > 0) {
      joins.push({ at: offset, comments: pendingComments, loose: joinKind(tokens, offset) === "loose", blankSegment: false });
      pendingComments = [];
    }
    offset += l.segment.length;
    if (ci > 0 && l.segment.trim() === "" && ci < content.length - 1) joins[joins.length - 1]!.blankSegment = true;
    ci++;
  }
  if (pendingComments.length > 0) return null; // comment lines after the last line: keep the user's layout

  // Blank runs around each top-level operator: the break goes after the operator.
  const blankAt = (pos: number) => tokens.find((t) => t.kind === "blank" && t.start <= pos && pos <= t.end && t.collapsible);
  const breaks: Break[] = [];
  const absorbed = new Set<number>();
  for (const op of analysis.operators) {
    const opStart = argsStart + op.start;
    const opEnd = argsStart + op.end;
    const after = blankAt(opEnd);
    const nextStart = after ? after.end : opEnd;
    if (nextStart >= argsEnd) continue; // nothing follows the operator
    if (!after) {
      // `a;b`: no blank to break in; a break here would need one: leave it on the line
      continue;
    }
    const before = blankAt(opStart);
    const zoneStart = before && before.end === opStart ? before.start : opStart;
    const zoneEnd = nextStart;
    const comments: string[] = [];
    let separators = 0;
    let count = 0;
    joins.forEach((j, index) => {
      if (j.at < zoneStart || j.at > zoneEnd) return;
      if (!j.loose) return;
      absorbed.add(index);
      comments.push(...j.comments);
      count++;
      if (j.blankSegment) separators++;
    });
    // a tight join inside the operator itself (`&\` + `&`): keep the user's layout
    if (joins.some((j, index) => !absorbed.has(index) && j.at > zoneStart && j.at < zoneEnd)) return null;
    void count;
    breaks.push({ at: opEnd, resume: nextStart, tight: false, operator: true, comments, separators });
  }
  for (const [index, j] of joins.entries()) {
    if (absorbed.has(index)) continue;
    if (j.loose) {
      const blank = blankAt(j.at)!;
      breaks.push({ at: blank.start, resume: blank.end, tight: false, operator: false, comments: j.comments, separators: j.blankSegment ? 1 : 0 });
    } else {
      breaks.push({ at: j.at, resume: j.at, tight: true, operator: false, comments: j.comments, separators: 0 });
    }
  }
  breaks.sort((a, b) => a.at - b.at || (a.tight ? 1 : 0) - (b.tight ? 1 : 0));
  let lines = render(breaks);
  // A first line still too long because of its flags: one flag per line.
  if (lines && lines[0]!.length > options.printWidth) {
    const firstFlag = tokens.find((t) => t.kind === "word" && t.start < argsStart && text.startsWith("--", t.start));
    const flagBreaks: Break[] = tokens
      .filter((t) => t.kind === "blank" && t.collapsible && firstFlag && t.end > firstFlag.start && t.end <= argsStart && text.startsWith("--", t.end))
      .concat(tokens.filter((t) => t.kind === "blank" && t.collapsible && t.end === argsStart && !text.startsWith("--", t.end)))
      .filter((t) => !breaks.some((b) => b.at === t.start))
      .map((t) => ({ at: t.start, resume: t.end, tight: false, operator: false, comments: [], separators: 0 }));
    if (firstFlag && flagBreaks.length > 0) lines = render([...breaks, ...flagBreaks].sort((a, b) => a.at - b.at));
  }
  return lines;

  function render(breaks: Break[]): string[] | null {

  // Print line by line.
  const indent = options.indent;
  const out: string[] = [];
  let lineStart = 0;
  let prefix = "";
  // Commands start one level in; when the list is broken into commands, a
  // command's own continuation lines go one level further.
  const innerLevel = breaks.some((b) => b.operator) ? 2 : 1;
  for (const b of breaks) {
    if (b.at < lineStart) return null;
    let body = printRange(text, tokens, upper, lineStart, b.at, lineStart === 0, b.tight);
    // `curl \` + `; \` as docker-library writes it becomes `curl; \`: blanks before `;` are nothing to the shell
    if (b.operator && body.endsWith(" ;")) body = `${body.slice(0, -2)};`;
    out.push(prefix + body + (b.tight ? esc : body === "" ? esc : ` ${esc}`));
    const level = b.at < argsStart || b.operator ? 1 : innerLevel;
    const nextIndent = b.tight ? "" : indent.repeat(level);
    for (let k = 0; k < b.separators; k++) out.push(indent.repeat(level) + esc);
    for (const c of b.comments) out.push(indent.repeat(level) + c);
    prefix = nextIndent;
    lineStart = b.resume;
  }
  const tail = printRange(text, tokens, upper, lineStart, text.length, lineStart === 0);
  const lastContent = content[content.length - 1];
  out.push(prefix + tail + (lastContent?.continues ? (tail === "" || /[ \t]$/.test(tail) ? esc : ` ${esc}`) : ""));
  return out;
  }
}
