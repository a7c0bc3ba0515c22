/**
 * Lays out a shell-form RUN (docs/run-layout.md). The user's line breaks
 * stay; a break next to a list operator puts the operator where
 * `operatorPosition` says (` && \` at the line end, or `\` + `&& cmd` at the
 * next line's start), at every depth; a line longer than printWidth is
 * broken at its top-level operators, then between its flags, then between
 * the packages of a long package list (run-wrap.ts). Each line is indented
 * from the shell's structure (run-lines.ts).
 *
 * Safety: the printed logical line must keep the shell syntax tree. A line
 * break goes only into a blank run that tree-sitter-bash and the quote scan
 * agree separates tokens, or next to a list operator both read as one
 * (layoutAnalysis; blanks there are insignificant to the shell); a user's break inside a word or a string is kept byte for byte; a
 * break never makes a continuation line start with `#` (BuildKit would drop
 * it as a comment line). Where the shell does not parse cleanly, or the RUN
 * has a heredoc, the caller keeps the user's layout.
 */
import { layoutAnalysis } from "../shell/analysis.js";
import type { LayoutOptions } from "./options.js";
import { flagBreaks, userLayoutBreaks, UserLines, widthOperatorBreaks, type Break, type RunContext, type RunInput } from "./run-breaks.js";
import { planLines, printedWidth, render, type Line } from "./run-lines.js";
import { wrapBreaks } from "./run-wrap.js";
import { ShellStructure } from "./shell-structure.js";

export type { RunInput };

/** The RUN's lines, or null when its layout must stay the user's. */
export function layoutRun(input: RunInput, options: LayoutOptions): string[] | null {
  const ctx = contextOf(input, options);
  if (!ctx) return null;
  const breaks = userLayoutBreaks(ctx);
  let layout = breaks && planAndRender(ctx, breaks);
  // under `preserve`, the user's breaks and nothing else: only the indentation is the layout's
  if (options.shellLayout === "preserve") return layout ? layout.printed : null;
  // Lines that do not fit: broken at their top-level operators, then (the first line) between flags, then between
  // package names. A break can push a later line one level deeper and over printWidth, so until nothing is added
  // (breaks are only ever added, so this ends; a RUN whose lines fit is planned once).
  for (let added = true; added && layout; ) {
    added = false;
    for (const more of [operatorsOfLongLines, flagsOfLongFirstLine, packagesOfLongLines]) {
      if (!layout) break;
      const extra = more(ctx, layout);
      if (extra.length === 0) continue;
      layout = planAndRender(ctx, [...layout.breaks, ...extra]);
      added = true;
      // operators first: a line broken between its and-or lists is broken at its && and || before its flags or packages
      if (more === operatorsOfLongLines) break;
    }
  }
  return layout ? layout.printed : null;
}

interface Layout {
  breaks: Break[];
  lines: Line[];
  printed: string[];
}

function planAndRender(ctx: RunContext, breaks: Break[]): Layout | null {
  breaks.sort((a, b) => a.at - b.at || a.resume - b.resume);
  const lines = planLines(ctx, breaks);
  return lines && { breaks, lines, printed: render(ctx, lines) };
}

/**
 * A line too long is broken between its and-or lists first (at `;` and `&`): an and-or list that then fits
 * (`[ -f x ] || exit 0`) stays on its line, as rule 1 keeps one written so; one still too long is broken at its
 * `&&` and `||` on the next round.
 */
const operatorsOfLongLines = (ctx: RunContext, layout: Layout): Break[] =>
  layout.lines
    .filter((l) => !fits(ctx, l.printed))
    .flatMap((l) => {
      const separators = widthOperatorBreaks(ctx, l.start, l.end, layout.breaks, true);
      return separators.length > 0 ? separators : widthOperatorBreaks(ctx, l.start, l.end, layout.breaks);
    });

const flagsOfLongFirstLine = (ctx: RunContext, layout: Layout): Break[] =>
  fits(ctx, layout.lines[0]!.printed) ? [] : flagBreaks(ctx, layout.breaks);

const packagesOfLongLines = (ctx: RunContext, layout: Layout): Break[] => tooLong(ctx, layout.lines).flatMap((l) => wrapBreaks(ctx, l));

function contextOf(input: RunInput, options: LayoutOptions): RunContext | null {
  const text = input.line.text;
  const argsStart = input.argsStart;
  let argsEnd = text.length;
  while (argsEnd > argsStart && (text[argsEnd - 1] === " " || text[argsEnd - 1] === "\t")) argsEnd--;
  const body = text.slice(argsStart, argsEnd);
  // The same text the tokenizer analysed: a cache hit, not a second parse or scan.
  const analysis = layoutAnalysis(body, input.dialects);
  if (analysis.hasError || analysis.hasHeredoc) return null;
  const shell = new ShellStructure(body, analysis.protectedMask, analysis.operators, argsStart);
  return { input, options, text, argsStart, argsEnd, analysis, shell, user: new UserLines(input.instr, Math.max(1, options.tabWidth)) };
}

function fits(ctx: RunContext, printed: string): boolean {
  return printedWidth(printed, ctx.options.tabWidth) <= ctx.options.printWidth;
}

/** The lines printed wider than printWidth, except those next to a break inside a word or string (the user's text, kept). */
function tooLong(ctx: RunContext, lines: readonly Line[]): Line[] {
  return lines.filter((l) => !l.tightStart && !l.tightEnd && !fits(ctx, l.printed));
}
