/**
 * The formatter: prints a model in the house style and checks that the
 * result means what the input meant.
 */
import { buildModel, type DockerfileModel, type Instruction } from "../model/model.js";
import { DockerfileSyntaxError, commentEffect, isCommentLine, isDirectiveLike, trimCommentEnd, trimCommentLine } from "../model/scan.js";
import { compareMeanings, meaningOf, shellsInEffect, type FileMeaning } from "../meaning/meaning.js";
import { formatInstruction, verbatimLines } from "./instruction.js";
import { resolveOptions, type FormatOptions, type LayoutOptions } from "./options.js";

export type { FormatOptions };

/** How many instructions fell back to their own text in this process (for tests and benchmarks). */
export const fallbackCount = { value: 0 };

export class MeaningChangedError extends Error {
  constructor(
    message: string,
    /** 1-based line of the input where the difference was found (1 when it cannot be told). */
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
    this.name = "MeaningChangedError";
  }
}

const PRETTIER_IGNORE = /^#\s*prettier-ignore\s*$/;

/**
 * Prints the model. `verbatim` lists instructions to print exactly as written
 * (prettier-ignore, or after a failed self-check).
 */
export function printModel(
  model: DockerfileModel,
  options: FormatOptions = {},
  verbatim: ReadonlySet<number> = new Set(),
): string {
  const opts = resolveOptions(options, model);
  const shells = shellsInEffect(model);
  const out: string[] = [];
  let blanks = 0;
  let ignoreNext = false;
  let sawContent = false;
  const entries = model.entries;
  // Blank lines at the top are dropped, except one before a comment that would
  // otherwise become a parser directive (a blank line ends the directive scan).
  const firstContent = entries.find((x) => x.type !== "blank");
  const keepLeadingBlank =
    entries[0]?.type === "blank" &&
    firstContent?.type === "comment" &&
    isDirectiveLike(model.lines[firstContent.line]!.text);
  if (keepLeadingBlank) out.push("");
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e]!;
    if (entry.type === "blank") {
      if (sawContent) blanks++;
      continue;
    }
    if (blanks > 0 && out.length > 0) {
      out.push("");
      // two blank lines written before a stage are kept as its separator
      if (blanks > 1 && startsStage(entries, e)) out.push("");
    }
    blanks = 0;
    sawContent = true;
    if (entry.type === "directive" || entry.type === "comment") {
      const line = model.lines[entry.line]!.text;
      let text = trimCommentLine(line);
      // A comment goes to column 0 unless that changes what BuildKit reads from it for the next instruction:
      // `  # check=skip=X` is no lint setting (BuildKit keeps its `#`) and `  #` clears nothing, unlike `# check=...` and `#`.
      if (entry.type === "comment" && text !== line && commentEffect(text) !== commentEffect(line)) text = trimCommentEnd(line);
      out.push(text);
      ignoreNext = entry.type === "comment" && PRETTIER_IGNORE.test(text);
      continue;
    }
    const instr = entry as Instruction;
    if (ignoreNext || verbatim.has(instr.index)) {
      out.push(...verbatimLines(model, instr));
    } else {
      out.push(...formatOrKeep(model, instr, shells[instr.index] ?? null, opts));
    }
    ignoreNext = false;
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  if (out.length === 0) return "";
  return out.join("\n") + "\n";
}

/** Whether the entry at `e`, with the comment lines that start there, is right above a FROM. */
function startsStage(entries: DockerfileModel["entries"], e: number): boolean {
  let k = e;
  while (entries[k]?.type === "comment") k++;
  const entry = entries[k];
  return entry?.type === "instruction" && (entry as Instruction).command.keyword === "FROM";
}

/** The formatted instruction; if formatting it fails for any reason, the instruction as written. */
function formatOrKeep(model: DockerfileModel, instr: Instruction, shell: string[] | null, opts: LayoutOptions): string[] {
  try {
    return formatInstruction(model, instr, shell, opts);
  } catch (error) {
    fallbackCount.value++;
    if (process.env.DOCKERFILE_FORMAT_DEBUG) console.error(`kept line ${instr.startLine + 1} as written: ${(error as Error).stack}`);
    return verbatimLines(model, instr);
  }
}

export interface FormatResult {
  text: string;
  model: DockerfileModel;
}

/**
 * Formats a Dockerfile (text with `\n` line endings in the output). Throws
 * DockerfileSyntaxError for input BuildKit rejects and MeaningChangedError if
 * the output would mean something else (a bug: it is never returned).
 */
export function formatModel(model: DockerfileModel, options: FormatOptions = {}): string {
  const first = formatChecked(model, options);
  if (!first.outModel) return first.text;
  // "auto" reads the style from the file; the output must read as the style it was printed in, or formatting it
  // again would print it in another (a file whose every indented line the layout puts two levels deep shows 4
  // spaces where it was printed with 2). Then the output's own style is used, if its output reads as it.
  const used = resolveOptions(options, model);
  const shown = resolveOptions(options, first.outModel);
  if (shown.indent === used.indent && shown.operatorPosition === used.operatorPosition) return first.text;
  const pinned: FormatOptions = { ...options, indent: unitOf(shown), dockerfileIndent: undefined, operatorPosition: shown.operatorPosition, dockerfileOperatorPosition: undefined };
  const second = formatVerified(model, pinned);
  if (!second.outModel) return first.text;
  const again = resolveOptions(options, second.outModel);
  return again.indent === shown.indent && again.operatorPosition === shown.operatorPosition ? second.text : first.text;
}

/** The `dockerfileIndent` value of resolved options. */
function unitOf(layout: LayoutOptions): "tab" | "2" | "4" {
  return layout.indent === "\t" ? "tab" : layout.indent.length === 2 ? "2" : "4";
}

/** Whether the options leave the indent or the operator position to the file ("auto", the default). */
function followsFile(options: FormatOptions): boolean {
  const indent = options.indent ?? options.dockerfileIndent;
  const operator = options.operatorPosition ?? options.dockerfileOperatorPosition;
  return operator === undefined || operator === "auto" || ((indent === undefined || indent === "auto") && !(options.useTabs || options.tabWidth !== undefined));
}

/** Prints and verifies; `outModel`: the output read again, when the check ran and the style follows the file. */
function formatChecked(model: DockerfileModel, options: FormatOptions): { text: string; outModel: DockerfileModel | null } {
  const checked = formatVerified(model, options);
  return { text: checked.text, outModel: followsFile(options) ? checked.outModel : null };
}

function formatVerified(model: DockerfileModel, options: FormatOptions): { text: string; outModel: DockerfileModel | null } {
  const inputMeaning = options.verify === false ? null : meaningOf(model);
  const verbatim = new Set<number>();
  for (let attempt = 0; ; attempt++) {
    let text = printModel(model, options, verbatim);
    // A U+FEFF at the start of the output would be read as a byte-order mark (BuildKit strips one from
    // the first line only): where the input did not start with it, a blank line keeps it off the first line.
    if (text.charCodeAt(0) === 0xfeff && model.lines[0]?.text.charCodeAt(0) !== 0xfeff) text = `\n${text}`;
    if (!inputMeaning) return { text, outModel: null };
    // the output never carries the input's byte-order mark: a U+FEFF at its start is text
    let outModel: DockerfileModel;
    try {
      outModel = buildModel(text, { bomStripped: true });
    } catch (error) {
      if (!(error instanceof DockerfileSyntaxError)) throw error;
      // The printed text is one BuildKit rejects (a printer bug): every instruction is kept as written.
      if (model.instructions.every((i) => verbatim.has(i.index))) {
        throw new MeaningChangedError(`formatting would write a Dockerfile BuildKit rejects (${error.message}, at line ${error.line} of the output)`);
      }
      for (const i of model.instructions) verbatim.add(i.index);
      fallbackCount.value++;
      if (process.env.DOCKERFILE_FORMAT_DEBUG) console.error(`fallback of every instruction: the output does not parse: ${error.message}`);
      continue;
    }
    const outMeaning = meaningOf(outModel);
    const diff = compareMeanings(inputMeaning, outMeaning);
    if (!diff) return { text, outModel };
    // Fall back to the user's own text for the instruction that changed.
    const index = inputMeaning.instructions.findIndex((m) => m.line === diff.lineA);
    if (index === -1 || verbatim.has(index) || attempt > model.instructions.length) {
      throw new MeaningChangedError(
        `formatting would change the meaning of this Dockerfile (line ${diff.lineA + 1}): ${diff.message}`,
        Math.max(1, diff.lineA + 1),
      );
    }
    verbatim.add(index);
    fallbackCount.value++;
    if (process.env.DOCKERFILE_FORMAT_DEBUG) console.error(`fallback line ${diff.lineA + 1}: ${diff.message}`);
  }
}

export function formatText(text: string, options: FormatOptions = {}): string {
  return formatModel(buildModel(text), options);
}

export { DockerfileSyntaxError, isCommentLine };
export type { FileMeaning };
