/**
 * Prints one instruction in the house style, keeping the user's line breaks:
 * keyword upper case, one space between keyword, flags and arguments, blank
 * runs collapsed where the instruction's parser ignores them, continuation
 * lines indented one level where the break is between words, comment lines
 * kept, empty continuation lines dropped, heredoc bodies byte for byte.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { shellDialects, shellKindOf, type ShellKind } from "../meaning/meaning.js";
import type { ShellDialect } from "../shell/quote-scan.js";
import { tokenize, jsonStringTokens, type Lexer, type Token } from "./tokens.js";
import { commandHead, jsonArrayValue, parseWords, printedKeyword, type EscapeChar } from "../model/command.js";
import { stripContinuation, trimCommentEnd, trimCommentLine } from "../model/scan.js";
import { goEqualFoldAscii, goToUpper, isAsciiGoSpaceCode } from "../model/go.js";
import { LogicalLine } from "./logical-line.js";
import type { LayoutOptions } from "./options.js";
import { indentOf } from "./run-breaks.js";
import { layoutRun } from "./run-layout.js";

/** The instruction's lines exactly as written (heredoc terminators without stray carriage returns, as heredocLines). */
export function verbatimLines(model: DockerfileModel, instr: Instruction): string[] {
  const out: string[] = [];
  const last = instr.heredocs.length > 0 ? instr.lines[instr.lines.length - 1]!.line : instr.endLine;
  for (let l = instr.startLine; l <= last; l++) out.push(model.lines[l]!.text);
  out.push(...heredocLines(model, instr));
  return out;
}

/**
 * Heredoc bodies byte for byte, and their terminators (without the carriage
 * returns BuildKit strips from a terminator line).
 */
function heredocLines(model: DockerfileModel, instr: Instruction): string[] {
  const out: string[] = [];
  for (const h of instr.heredocs) {
    for (let l = h.bodyStart; l < h.terminatorLine; l++) out.push(model.lines[l]!.text);
    out.push(model.lines[h.terminatorLine]!.text.replace(/\r+$/, ""));
  }
  return out;
}

interface Region {
  /** Lexer for the arguments after the keyword (and flags). */
  lexer: Lexer;
  /** Print the arguments as a one-line JSON array. */
  json: boolean;
}

function regionFor(keyword: string, args: string, jsonArgs: string[] | null, kind: ShellKind, escape: EscapeChar): Region {
  switch (keyword) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
      if (jsonArgs) return { lexer: "verbatim", json: true };
      return { lexer: kind === "posix" ? "shell" : "verbatim", json: false };
    case "SHELL":
    case "ADD":
    case "COPY":
    case "VOLUME":
      if (jsonArgs) return { lexer: "verbatim", json: true };
      return { lexer: keyword === "SHELL" ? "verbatim" : "words", json: false };
    case "ENV":
    case "LABEL": {
      // The legacy `ENV key value` form keeps its value verbatim; which form it is, BuildKit's parseNameVal
      // decides by the first of its words (split at Unicode spaces, quotes kept together).
      const first = parseWords(args, escape)[0] ?? "";
      return { lexer: first.includes("=") ? "words" : "verbatim", json: false };
    }
    case "ARG":
    case "EXPOSE":
    case "FROM":
      return { lexer: "words", json: false };
    default:
      return { lexer: "verbatim", json: false };
  }
}

interface InstructionTokens {
  tokens: Token[];
  /** Token index -> the spelling to print (keywords upper case). */
  upper: Map<number, string>;
  /** Where a one-line JSON array starts. */
  jsonFrom: number | null;
  /** Where shell text starts, and for which keyword. */
  shellFrom: { start: number; keyword: string } | null;
  /** Where the arguments start when they are words (FROM, COPY, ENV k=v ...): continuation lines may align under them. */
  wordsFrom: number | null;
}

/**
 * Splits the logical line into tokens: keyword, flags, then the arguments
 * with the lexer their instruction needs, at the places BuildKit's
 * splitCommand and extractBuilderFlags put them (model/command.ts). Null
 * when those places cannot be known character by character (non-ASCII text
 * among the flags): the instruction is then printed as written.
 */
function tokensFor(
  logical: string,
  model: DockerfileModel,
  kind: ShellKind,
  dialects: readonly ShellDialect[],
  hasComments: boolean,
): InstructionTokens | null {
  const result: InstructionTokens = { tokens: [], upper: new Map(), jsonFrom: null, shellFrom: null, wordsFrom: null };
  const { tokens, upper } = result;
  const blank = (start: number, end: number) => {
    if (end > start) tokens.push({ kind: "blank", start, end, collapsible: true });
  };
  const word = (start: number, end: number, spelling?: string) => {
    tokens.push({ kind: "word", start, end, collapsible: false });
    if (spelling !== undefined) upper.set(tokens.length - 1, spelling);
  };
  let head = commandHead(logical, model.escape);
  if (!head) return null;
  // An instruction whose first line is only the escape character starts with blanks.
  blank(0, head.keywordStart);
  let keyword = "";
  for (let depth = 0; ; depth++) {
    if (head.keywordEnd === head.keywordStart) break;
    keyword = printedKeyword(logical.slice(head.keywordStart, head.keywordEnd));
    word(head.keywordStart, head.keywordEnd, keyword);
    let pos = head.keywordEnd;
    for (const flag of head.flagWords) {
      blank(pos, flag.start);
      word(flag.start, flag.end);
      pos = flag.end;
    }
    blank(pos, head.argsStart);
    if (keyword !== "ONBUILD" || depth > 0 || head.argsStart === head.argsEnd) break;
    // ONBUILD's trigger is an instruction of its own
    const trigger = commandHead(logical, model.escape, head.argsStart);
    if (!trigger) return null;
    head = trigger;
  }
  const end = head.argsEnd;
  let argsStart = head.argsStart;
  const text = logical.slice(0, end);
  if (keyword === "HEALTHCHECK" && argsStart < end) {
    const type = healthcheckType(logical, argsStart, end);
    if (!type) return null;
    const spelled = goToUpper(logical.slice(argsStart, type.end));
    word(argsStart, type.end, spelled === "CMD" || spelled === "NONE" ? spelled : undefined);
    blank(type.end, type.restStart);
    argsStart = type.restStart;
    if (spelled !== "CMD") {
      tokens.push(...tokenize(text, argsStart, "verbatim", model.escape));
      trailingBlanks(logical, end, model.escape, tokens);
      return result;
    }
  }
  const args = logical.slice(argsStart, end);
  const parsed = jsonArrayValue(args);
  const jsonArgs = parsed !== null && parsed.every((v) => typeof v === "string") ? (parsed as string[]) : null;
  const region = regionFor(keyword === "HEALTHCHECK" ? "CMD" : keyword, args, jsonArgs, kind, model.escape);
  if (region.json && !hasComments) result.jsonFrom = argsStart;
  if (region.lexer === "shell") result.shellFrom = { start: argsStart, keyword };
  if (region.lexer === "words" && !region.json) result.wordsFrom = argsStart;
  const argTokens = argsStart < end ? tokenize(text, argsStart, region.lexer, model.escape, dialects) : [];
  tokens.push(...argTokens);
  if (keyword === "FROM") {
    const words = argTokens.filter((t) => t.kind === "word");
    if (words.length === 3 && goEqualFoldAscii(logical.slice(words[1]!.start, words[1]!.end), "as")) {
      upper.set(tokens.indexOf(words[1]!), "AS");
    }
  }
  trailingBlanks(logical, end, model.escape, tokens);
  return result;
}

/**
 * The blanks after the arguments, which BuildKit trims (Go's unicode.IsSpace:
 * U+00A0, U+3000, `\v`, `\f`, U+0085 too), so they never matter, and are
 * dropped, unless the text before them ends with the escape character: the
 * line would then end with it and continue onto the next instruction's
 * (`ENV a=b\` + U+00A0): those blanks are kept as written.
 */
function trailingBlanks(logical: string, end: number, escape: EscapeChar, tokens: Token[]): void {
  if (end >= logical.length) return;
  const kept = end > 0 && stripContinuation(logical.slice(0, end), escape) !== null;
  tokens.push({ kind: kept ? "word" : "blank", start: end, end: logical.length, collapsible: !kept });
}

/**
 * BuildKit's parseHealthConfig split of HEALTHCHECK's arguments into the
 * type word and the rest, which tests bytes: with a non-ASCII character in
 * the type word, where it ends cannot be known by characters (null).
 */
function healthcheckType(logical: string, from: number, end: number): { end: number; restStart: number } | null {
  let typeEnd = from;
  while (typeEnd < end && !isAsciiGoSpaceCode(logical.charCodeAt(typeEnd))) {
    if (logical.charCodeAt(typeEnd) >= 0x80) return null;
    typeEnd++;
  }
  let restStart = typeEnd;
  while (restStart < end && isAsciiGoSpaceCode(logical.charCodeAt(restStart))) restStart++;
  return { end: typeEnd, restStart };
}

/**
 * Prints the instruction. `shell` is the SHELL in effect. Returns the lines
 * (without line endings).
 */
export function formatInstruction(model: DockerfileModel, instr: Instruction, shell: string[] | null, options: LayoutOptions): string[] {
  const kind = model.escape === "`" && !shell ? "unknown" : shellKindOf(shell, model.escape);
  const hasComments = instr.lines.some((l) => l.kind === "comment");
  const dialects = shellDialects(shell);
  const split = tokensFor(instr.logical, model, kind, dialects, hasComments);
  if (!split) return verbatimLines(model, instr);
  const { jsonFrom, shellFrom } = split;
  const line = new LogicalLine(instr.logical, split.tokens, split.upper);

  if (jsonFrom !== null) {
    const array = `[${(jsonStringTokens(line.text.slice(jsonFrom)) ?? []).join(", ")}]`;
    // your breaks before the array stay (`HEALTHCHECK --interval=5m \` + `    CMD ["curl", ...]`)
    const content = instr.lines.filter((l) => l.kind === "content");
    if (content.length > 1 && jsonFrom >= instr.logical.length - content[content.length - 1]!.segment.length) {
      return preserveLayout(model, instr, line, options, { from: jsonFrom, text: array });
    }
    // Exec form on one line: the logical line is exactly what BuildKit reads.
    const head = line.print(0, jsonFrom, true);
    return [`${head}${head ? " " : ""}${array}`, ...heredocLines(model, instr)];
  }

  // Layout only for POSIX shell text in files with the default escape: a `# escape=\`` file keeps its RUN text.
  if (shellFrom && shellFrom.keyword === "RUN" && model.escape === "\\" && instr.heredocs.length === 0) {
    // one line as written, and it fits: it stays
    const oneLine = instr.lines.length === 1 ? preserveLayout(model, instr, line, options) : null;
    if (oneLine && oneLine.length === 1 && oneLine[0]!.length <= options.printWidth) return oneLine;
    return layoutRun({ model, instr, line, argsStart: shellFrom.start, dialects }, options) ?? oneLine ?? preserveLayout(model, instr, line, options);
  }
  const column = split.wordsFrom === null ? null : alignedColumn(instr, line, split.wordsFrom, options);
  return preserveLayout(model, instr, line, column === null ? options : { ...options, indent: " ".repeat(column) });
}

/**
 * The column to align continuation lines to, when the user aligned every
 * one of them under the first argument (`LABEL a=1 \` + `      b=2`): the
 * column of the first argument as printed. Null otherwise, or when that
 * column is one indent level anyway.
 */
function alignedColumn(instr: Instruction, line: LogicalLine, argsStart: number, options: LayoutOptions): number | null {
  const content = instr.lines.filter((l) => l.kind === "content");
  if (content.length < 2 || argsStart >= content[0]!.segment.length) return null;
  let offset = content[0]!.segment.length;
  let aligned = 0;
  for (const l of content.slice(1)) {
    if (line.isLooseAt(offset)) {
      const indent = /^ */.exec(l.segment)![0].length;
      if (indent !== argsStart || l.segment[indent] === "\t") return null;
      aligned++;
    }
    offset += l.segment.length;
  }
  const column = line.print(0, argsStart, true).length + 1;
  return aligned > 0 && column !== options.tabWidth ? column : null;
}

/**
 * The instruction with the user's own line breaks, each continuation line
 * re-indented where that is safe; `tail` replaces the end of the logical
 * line from `from` on (an exec form's JSON array, printed `["a", "b"]`).
 */
function preserveLayout(
  model: DockerfileModel,
  instr: Instruction,
  line: LogicalLine,
  options: LayoutOptions,
  tail?: { from: number; text: string },
): string[] {
  // Segment boundaries in the logical line.
  const contentLines = instr.lines.filter((l) => l.kind === "content");
  const bounds: number[] = [];
  let off = 0;
  for (const l of contentLines) {
    bounds.push(off);
    off += l.segment.length;
  }
  bounds.push(off);

  const out: string[] = [];
  const esc = model.escape;
  // An indented instruction (a stage written with every instruction indented, as PowerShell images do) whose
  // continuation lines are printed as written (breaks inside a value) keeps its indent, so that those lines stay where
  // they were relative to it; its other lines are indented from it.
  const asWritten = contentLines.some((_, k) => k < contentLines.length - 1 && !line.isLooseAt(bounds[k + 1]!));
  const firstLine = model.lines[contentLines[0]!.line]!.text;
  const lead = asWritten ? firstLine.slice(0, indentOf(firstLine, 1).chars) : "";
  let ci = 0;
  let pendingIndent = lead;
  for (const l of instr.lines) {
    if (l.kind === "empty") continue;
    if (l.kind === "comment") {
      // written at column 0 (docker-library's way), it stays there; before a line printed as written (the break is
      // inside a string, a word or a value: a PowerShell script in quotes, a JSON array), it stays as written too;
      // otherwise it is indented one level
      const text = model.lines[l.line]!.text;
      if (ci > 0 && pendingIndent === "") out.push(trimCommentEnd(text));
      else out.push((text.startsWith("#") ? "" : lead + options.indent) + trimCommentLine(text));
      continue;
    }
    const segStart = bounds[ci]!;
    const segEnd = bounds[ci + 1]!;
    const last = ci === contentLines.length - 1;
    const loose = !last && line.isLooseAt(segEnd);
    // a break inside a word or a value keeps every character
    let body = line.print(segStart, tail && last ? tail.from : segEnd, ci === 0, !last && !loose);
    if (tail && last) body += (body === "" ? "" : " ") + tail.text;
    let printed = pendingIndent + body;
    if (!last) {
      printed += loose ? (body === "" ? esc : ` ${esc}`) : esc;
    } else if (l.continues) {
      // a continuation at the end of the file: BuildKit trims the logical line
      printed += body === "" || /[ \t]$/.test(body) ? esc : ` ${esc}`;
    }
    out.push(printed);
    pendingIndent = loose ? lead + options.indent : "";
    ci++;
  }
  out.push(...heredocLines(model, instr));
  return out;
}
