/**
 * Splits an instruction's logical line into words and blank runs, knowing
 * which blank runs the instruction's parser ignores (and so may be printed
 * as one space or moved to a line break) and which are part of a value.
 */
import type { EscapeChar } from "../model/scan.js";
import { layoutAnalysis } from "../shell/analysis.js";
import type { ShellDialect } from "../shell/quote-scan.js";
import { goTrimSpace } from "../model/go.js";

export interface Token {
  kind: "word" | "blank";
  start: number;
  end: number;
  /** For blanks: whether its width may change without changing the meaning. */
  collapsible: boolean;
}

export type Lexer = "words" | "shell" | "verbatim";

/**
 * Reads one word starting at `pos` and returns where it ends, with BuildKit's
 * parseWords quoting: both quotes; the escape character escapes, not inside ''.
 */
function wordEnd(text: string, pos: number, escape: EscapeChar): number {
  const n = text.length;
  const esc = escape;
  let i = pos;
  while (i < n) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t") return i;
    if (ch === esc) {
      i += 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const q = ch;
      const escapes = q === '"';
      i++;
      while (i < n && text[i] !== q) {
        if (escapes && text[i] === esc) i++;
        i++;
      }
      i++;
      continue;
    }
    i++;
  }
  return n;
}

/**
 * Tokenises `text` from `from` on. Blank runs are collapsible unless the lexer
 * is verbatim; the caller adjusts collapsibility for regions it knows more
 * about. Shell text is read in each of `dialects` (the shells the stage may run).
 */
export function tokenize(text: string, from: number, lexer: Lexer, escape: EscapeChar, dialects: readonly ShellDialect[] = []): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const n = text.length;
  if (lexer === "shell") return tokenizeShell(text, from, dialects);
  if (lexer === "verbatim") {
    // leading blanks are trimmed by BuildKit, trailing too: the middle is one value.
    let s = i;
    while (s < n && (text[s] === " " || text[s] === "\t")) s++;
    let e = n;
    while (e > s && (text[e - 1] === " " || text[e - 1] === "\t")) e--;
    if (s > i) tokens.push({ kind: "blank", start: i, end: s, collapsible: true });
    if (e > s) tokens.push({ kind: "word", start: s, end: e, collapsible: false });
    if (n > e) tokens.push({ kind: "blank", start: e, end: n, collapsible: true });
    return tokens;
  }
  while (i < n) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t") {
      let j = i;
      while (j < n && (text[j] === " " || text[j] === "\t")) j++;
      tokens.push({ kind: "blank", start: i, end: j, collapsible: true });
      i = j;
      continue;
    }
    const j = wordEnd(text, i, escape);
    tokens.push({ kind: "word", start: i, end: Math.max(j, i + 1), collapsible: false });
    i = Math.max(j, i + 1);
  }
  return tokens;
}

/**
 * Shell text: blanks are token separators only where tree-sitter-bash says
 * they are outside strings, words, expansions and comments, and the quote
 * scan agrees in every one of `dialects` (layoutAnalysis).
 */
function tokenizeShell(text: string, from: number, dialects: readonly ShellDialect[]): Token[] {
  const tokens: Token[] = [];
  let end = text.length;
  while (end > from && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  const body = text.slice(from, end);
  const mask = layoutAnalysis(body, dialects).protectedMask.slice();
  // A backslash outside strings escapes the next character, a blank included.
  for (let i = 0; i + 1 < mask.length; i++) {
    if (mask[i] === 0 && body[i] === "\\") {
      mask[i + 1] = 1;
      i++;
    }
  }
  const isBlankAt = (i: number) => (text[i] === " " || text[i] === "\t") && (i >= end || mask[i - from] === 0);
  let i = from;
  while (i < text.length) {
    const start = i;
    if (isBlankAt(i)) {
      while (i < text.length && isBlankAt(i)) i++;
      tokens.push({ kind: "blank", start, end: i, collapsible: true });
    } else {
      while (i < text.length && !isBlankAt(i)) i++;
      tokens.push({ kind: "word", start, end: i, collapsible: false });
    }
  }
  return tokens;
}

/** Tokenises a JSON array's text: returns the raw string tokens, or null if it is not a plain array of strings. */
export function jsonStringTokens(text: string): string[] | null {
  const t = goTrimSpace(text);
  if (!t.startsWith("[") || !t.endsWith("]")) return null;
  const out: string[] = [];
  let i = 1;
  let expectValue = true;
  const n = t.length - 1;
  while (i < n) {
    const ch = t[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    if (ch === '"' && expectValue) {
      let j = i + 1;
      while (j < n && t[j] !== '"') j += t[j] === "\\" ? 2 : 1;
      if (j >= n) return null;
      out.push(t.slice(i, j + 1));
      i = j + 1;
      expectValue = false;
      continue;
    }
    if (ch === "," && !expectValue) {
      expectValue = true;
      i++;
      continue;
    }
    return null;
  }
  if (expectValue && out.length > 0) return null;
  return out;
}
