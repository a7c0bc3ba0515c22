/**
 * Prints one instruction in the house style, keeping the user's line breaks:
 * keyword upper case, one space between keyword, flags and arguments, blank
 * runs collapsed where the instruction's parser ignores them, continuation
 * lines indented one level where the break is between words, comment lines
 * kept, empty continuation lines dropped, heredoc bodies byte for byte.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { shellKindOf, type ShellKind } from "../meaning/meaning.js";
import { tokenize, jsonStringTokens, type Lexer, type Token } from "./tokens.js";
import { isSpace } from "../model/scan.js";
import { layoutRun } from "./run-layout.js";

export interface InstructionFormatOptions {
  indent: string;
  printWidth: number;
  /** "auto": lay out long RUN commands (run-layout.ts); "preserve": keep the user's line breaks. */
  shellLayout: "auto" | "preserve";
}

/** The instruction's lines exactly as written. */
export function verbatimLines(model: DockerfileModel, instr: Instruction): string[] {
  const out: string[] = [];
  for (let l = instr.startLine; l <= instr.endLine; l++) out.push(model.lines[l]!.text);
  return out;
}

/** Heredoc bodies and terminators, byte for byte. */
function heredocLines(model: DockerfileModel, instr: Instruction): string[] {
  const out: string[] = [];
  for (const h of instr.heredocs) {
    for (let l = h.bodyStart; l <= h.terminatorLine; l++) out.push(model.lines[l]!.text);
  }
  return out;
}

interface Region {
  /** Lexer for the arguments after the keyword (and flags). */
  lexer: Lexer;
  /** Print the arguments as a one-line JSON array. */
  json: boolean;
}

function regionFor(keyword: string, args: string, jsonArgs: string[] | null, kind: ShellKind): Region {
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
      // The legacy `ENV key value` form keeps its value verbatim.
      const first = args.split(/[\t\v\f\r ]+/, 1)[0] ?? "";
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

/**
 * Splits the logical line into tokens: keyword, flags, then the arguments
 * with the lexer their instruction needs. Also returns the word indexes to
 * print upper case.
 */
function tokensFor(
  logical: string,
  model: DockerfileModel,
  kind: ShellKind,
  hasComments: boolean,
): { tokens: Token[]; upper: Set<number>; jsonFrom: number | null; shellFrom: { start: number; keyword: string } | null } {
  let shellFrom: { start: number; keyword: string } | null = null;
  const tokens: Token[] = [];
  const upper = new Set<number>();
  let pos = 0;
  let jsonFrom: number | null = null;
  const pushBlank = (from: number): number => {
    let j = from;
    while (j < logical.length && (logical[j] === " " || logical[j] === "\t")) j++;
    if (j > from) tokens.push({ kind: "blank", start: from, end: j, collapsible: true });
    return j;
  };
  const readFlagWord = (from: number): number => {
    // a flag word, quotes and escapes as BuildKit's extractBuilderFlags reads them
    const toks = tokenize(logical.slice(0, findWordEndWords(logical, from, model)), from, "words", model.escape);
    return toks.length ? toks[toks.length - 1]!.end : from;
  };
  let depth = 0;
  // An instruction whose first line is only the escape character starts with blanks.
  pos = pushBlank(pos);
  for (;;) {
    // keyword
    const kwStart = pos;
    let kwEnd = pos;
    while (kwEnd < logical.length && !isSpace(logical[kwEnd]!)) kwEnd++;
    if (kwEnd === kwStart) break;
    tokens.push({ kind: "word", start: kwStart, end: kwEnd, collapsible: false });
    upper.add(tokens.length - 1);
    const keyword = logical.slice(kwStart, kwEnd).toUpperCase();
    pos = pushBlank(kwEnd);
    // flags
    while (logical.startsWith("--", pos)) {
      const end = readFlagWord(pos);
      const word = logical.slice(pos, end);
      tokens.push({ kind: "word", start: pos, end, collapsible: false });
      pos = pushBlank(end);
      if (word === "--") break;
    }
    if (keyword === "ONBUILD" && depth === 0 && pos < logical.length) {
      depth++;
      continue;
    }
    let argsStart = pos;
    if (keyword === "HEALTHCHECK" && pos < logical.length) {
      let typeEnd = pos;
      while (typeEnd < logical.length && !isSpace(logical[typeEnd]!)) typeEnd++;
      const type = logical.slice(pos, typeEnd).toUpperCase();
      tokens.push({ kind: "word", start: pos, end: typeEnd, collapsible: false });
      if (type === "CMD" || type === "NONE") upper.add(tokens.length - 1);
      argsStart = pushBlank(typeEnd);
      if (type !== "CMD") {
        tokens.push(...tokenize(logical, argsStart, "verbatim", model.escape));
        break;
      }
    }
    const args = logical.slice(argsStart).trim();
    let jsonArgs: string[] | null = null;
    if (args.startsWith("[")) {
      try {
        const v = JSON.parse(args) as unknown;
        if (Array.isArray(v) && v.every((s) => typeof s === "string")) jsonArgs = v as string[];
      } catch {
        /* shell form */
      }
    }
    const region = regionFor(keyword === "HEALTHCHECK" ? "CMD" : keyword, args, jsonArgs, kind);
    if (region.json && !hasComments) jsonFrom = argsStart;
    if (region.lexer === "shell") shellFrom = { start: argsStart, keyword };
    const argTokens = tokenize(logical, argsStart, region.lexer, model.escape);
    tokens.push(...argTokens);
    if (keyword === "FROM") {
      const words = argTokens.filter((t) => t.kind === "word");
      if (words.length === 3 && logical.slice(words[1]!.start, words[1]!.end).toUpperCase() === "AS") {
        upper.add(tokens.indexOf(words[1]!));
      }
    }
    break;
  }
  // BuildKit trims the logical line: blanks at its end never matter.
  const last = tokens[tokens.length - 1];
  if (last && last.kind === "blank") last.collapsible = true;
  return { tokens, upper, jsonFrom, shellFrom };
}

function findWordEndWords(text: string, from: number, model: DockerfileModel): number {
  const toks = tokenize(text, from, "words", model.escape);
  return toks.length ? toks[0]!.end : from;
}

/**
 * Prints the instruction. `shell` is the SHELL in effect. Returns the lines
 * (without line endings).
 */
export function formatInstruction(
  model: DockerfileModel,
  instr: Instruction,
  shell: string[] | null,
  options: InstructionFormatOptions,
): string[] {
  const kind = model.escape === "`" && !shell ? "unknown" : shellKindOf(shell, model.escape);
  const hasComments = instr.lines.some((l) => l.kind === "comment");
  const { tokens, upper, jsonFrom, shellFrom } = tokensFor(instr.logical, model, kind, hasComments);
  const text = instr.logical;

  if (jsonFrom !== null) {
    // Exec form on one line: the logical line is exactly what BuildKit reads.
    const head = printRange(text, tokens, upper, 0, jsonFrom, true);
    const strings = jsonStringTokens(text.slice(jsonFrom)) ?? [];
    return [`${head}${head ? " " : ""}[${strings.join(", ")}]`, ...heredocLines(model, instr)];
  }

  // Layout only for POSIX shell text in files with the default escape: a `# escape=\`` file keeps its RUN text.
  if (options.shellLayout === "auto" && shellFrom && shellFrom.keyword === "RUN" && model.escape === "\\" && instr.heredocs.length === 0) {
    // one line as written, and it fits: it stays
    const oneLine = instr.lines.length === 1 ? preserveLayout(model, instr, text, tokens, upper, options) : null;
    if (oneLine && oneLine.length === 1 && oneLine[0]!.length <= options.printWidth) return oneLine;
    return layoutRun(model, instr, text, tokens, upper, shellFrom.start, options) ?? oneLine ?? preserveLayout(model, instr, text, tokens, upper, options);
  }
  return preserveLayout(model, instr, text, tokens, upper, options);
}

/** The instruction with the user's own line breaks, each continuation line re-indented where that is safe. */
function preserveLayout(
  model: DockerfileModel,
  instr: Instruction,
  text: string,
  tokens: Token[],
  upper: Set<number>,
  options: InstructionFormatOptions,
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
  let ci = 0;
  let pendingIndent = "";
  for (const l of instr.lines) {
    if (l.kind === "empty") continue;
    if (l.kind === "comment") {
      out.push(options.indent + model.lines[l.line]!.text.trim());
      continue;
    }
    const segStart = bounds[ci]!;
    const segEnd = bounds[ci + 1]!;
    const last = ci === contentLines.length - 1;
    const joinAfter = !last ? joinKind(tokens, segEnd) : "none";
    let body = printRange(text, tokens, upper, segStart, segEnd, ci === 0);
    if (!last && joinAfter === "tight") {
      // the break is inside a word or a value: keep every character
      body = printRange(text, tokens, upper, segStart, segEnd, ci === 0, true);
    }
    let line = pendingIndent + body;
    if (!last) {
      line += joinAfter === "loose" ? (body === "" ? esc : ` ${esc}`) : esc;
    } else if (l.continues) {
      // a continuation at the end of the file: BuildKit trims the logical line
      line += body === "" || /[ \t]$/.test(body) ? esc : ` ${esc}`;
    }
    out.push(line);
    pendingIndent = joinAfter === "loose" ? options.indent : "";
    ci++;
  }
  out.push(...heredocLines(model, instr));
  return out;
}

/** Whether a line break at `offset` falls in a collapsible blank run ("loose") or not ("tight"). */
export function joinKind(tokens: Token[], offset: number): "loose" | "tight" {
  for (const t of tokens) {
    if (t.end < offset) continue;
    if (t.start > offset) break;
    if (t.kind === "blank" && t.collapsible && t.start <= offset && offset <= t.end) return "loose";
  }
  return "tight";
}

/**
 * Prints the part of the logical line in [from, to). Collapsible blanks become
 * one space inside the range and disappear at its edges (a line break takes
 * their place). With `exact`, the trailing blanks of the range are kept.
 */
export function printRange(
  text: string,
  tokens: Token[],
  upper: Set<number>,
  from: number,
  to: number,
  isFirst: boolean,
  exactEnd = false,
): string {
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.end <= from && !(t.start === t.end)) continue;
    if (t.start >= to) break;
    const s = Math.max(t.start, from);
    const e = Math.min(t.end, to);
    if (t.kind === "blank" && t.collapsible) {
      const atStart = s === from && !isFirst;
      const atEnd = e === to;
      if ((atStart && t.start < from) || atStart) {
        // leading blank of a continuation line: replaced by the indent
        continue;
      }
      if (atEnd && !exactEnd) continue;
      if (atEnd && exactEnd) {
        out += text.slice(s, e);
        continue;
      }
      if (s === from && isFirst) continue;
      out += " ";
      continue;
    }
    const piece = text.slice(s, e);
    out += upper.has(i) && s === t.start && e === t.end ? piece.toUpperCase() : piece;
  }
  return out;
}
