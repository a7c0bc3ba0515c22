/**
 * BuildKit's per-instruction argument parsers (moby/buildkit
 * frontend/dockerfile/parser/line_parsers.go), re-implemented: what each
 * instruction's argument text means before any variable expansion.
 */
import { isSpace, type EscapeChar } from "../model/scan.js";
import { DockerfileSyntaxError } from "../model/scan.js";

const WHITESPACE_RUN = /[\t\v\f\r ]+/;
/** The characters isSpace (Go's unicode.IsSpace) accepts, as runs. */
const BLANK_RUN = /[ \t\n\v\f\r\u0085\u00a0]+/;
const QUOTE_OR_BACKSLASH = /['"\\]/;

export function splitWhitespace(rest: string): string[] {
  if (rest === "") return [];
  return rest.split(WHITESPACE_RUN);
}

/** BuildKit's parseWords: words split on blanks, quotes and escapes kept. */
export function parseWords(rest: string, escape: EscapeChar): string[] {
  // Without quotes or escapes, the words are the runs of non-blank characters.
  if (!QUOTE_OR_BACKSLASH.test(rest) && !rest.includes(escape)) {
    const split = rest.split(BLANK_RUN);
    return split[0] === "" || split[split.length - 1] === "" ? split.filter((w) => w !== "") : split;
  }
  const words: string[] = [];
  let phase: 0 | 1 | 2 = 0; // spaces, word, quote
  let quote = "";
  let blankOK = false;
  let cur = "";
  const chars = Array.from(rest);
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? "" : chars[pos]!;
    if (phase === 0) {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      phase = 1;
    }
    if (atEnd) {
      if (blankOK || cur.length > 0) words.push(cur);
      break;
    }
    if (phase === 1) {
      if (isSpace(ch)) {
        phase = 0;
        if (blankOK || cur.length > 0) words.push(cur);
        cur = "";
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 2;
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        cur += ch;
        pos++;
        ch = chars[pos]!;
      }
      cur += ch;
      continue;
    }
    // in quote
    if (ch === quote) phase = 1;
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 1;
        continue;
      }
      pos++;
      cur += ch;
      ch = chars[pos]!;
    }
    cur += ch;
  }
  return words;
}

export type NameValue = { name: string; value: string; sep: "" | "=" };

/** BuildKit's parseNameVal (ENV, LABEL): legacy `KEY value` or `k=v ...`. */
export function parseNameVal(rest: string, keyword: string, escape: EscapeChar, line: number): NameValue[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes("=")) {
    const m = WHITESPACE_RUN.exec(rest);
    if (!m) throw new DockerfileSyntaxError(`${keyword} must have two arguments`, line + 1, 1);
    return [{ name: rest.slice(0, m.index), value: rest.slice(m.index + m[0].length), sep: "" }];
  }
  return words.map((word) => {
    const eq = word.indexOf("=");
    if (eq === -1) {
      throw new DockerfileSyntaxError(
        `Syntax error - can't find = in "${word}". Must be of the form: name=value`,
        line + 1,
        1,
      );
    }
    return { name: word.slice(0, eq), value: word.slice(eq + 1), sep: "=" as const };
  });
}

export class NotStringArrayError extends Error {}

/** BuildKit's parseJSON: null when the text is not a JSON array; throws when it is one with non-strings. */
export function parseJSONArray(rest: string): string[] | null {
  const t = rest.replace(/^[\s]+/, "");
  if (!t.startsWith("[")) return null;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  if (!value.every((v) => typeof v === "string")) {
    throw new NotStringArrayError("when using JSON array syntax, arrays must be comprised of strings only");
  }
  return value as string[];
}
