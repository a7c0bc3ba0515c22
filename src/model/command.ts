/**
 * What BuildKit's line parser makes of one logical line
 * (moby/buildkit frontend/dockerfile/parser: splitCommand,
 * extractBuilderFlags, the dispatch table of line_parsers.go): the keyword,
 * the flags, the argument text, whether it is a JSON array, and the errors
 * the parser raises. The model keeps one Command per instruction.
 */
import { goToLower, goTrimLeftSpace, goTrimSpace, isAsciiGoSpaceCode, isGoSpaceCode, isReWhitespaceCode, splitReWhitespace, utf8Bytes } from "./go.js";

export type EscapeChar = "\\" | "`";

export class DockerfileSyntaxError extends Error {
  readonly line: number; // 1-based
  readonly column: number; // 1-based
  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = "DockerfileSyntaxError";
    this.line = line;
    this.column = column;
  }
}

export const KNOWN_INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/** What an instruction's arguments are, after BuildKit's flag extraction. */
export interface Command {
  /** Keyword as written. */
  keywordRaw: string;
  /**
   * The instruction BuildKit dispatches to, upper case (`RUN`), when the
   * keyword is one (compared after Go's strings.ToLower: `WORKDIR` spelled
   * with a Kelvin sign is WORKDIR, `ſtopsignal` is not STOPSIGNAL); for an
   * unknown keyword, its Go lower case (`foo`).
   */
  keyword: string;
  /** The keyword names an instruction BuildKit knows. */
  known: boolean;
  /** Processed flag words (`--mount=type=cache,target=/x`), as BuildKit lists them. */
  flags: string[];
  /** Argument text after flags, trimmed as BuildKit trims it. */
  args: string;
  /** Exec form: the whole argument text is a JSON array of strings. */
  json: string[] | null;
  /** For ONBUILD: the trigger. */
  trigger: Command | null;
}

/** Thrown for what BuildKit's line parser rejects; the caller adds the line. */
export class LineParseError extends Error {}

export function canonicalKeyword(raw: string): { keyword: string; known: boolean } {
  const lower = goToLower(raw);
  const upper = lower.toUpperCase();
  // every known keyword is ASCII, so an upper-cased match is exact
  if (KNOWN_INSTRUCTIONS.has(upper) && /^[a-z]+$/.test(lower)) return { keyword: upper, known: true };
  return { keyword: lower, known: false };
}

/** The keyword as the formatter prints it: a known one upper case (BuildKit reads keywords without regard to case), an unknown one as written. */
export function printedKeyword(raw: string): string {
  const { keyword, known } = canonicalKeyword(raw);
  if (known) return keyword;
  // an unknown keyword is kept as written (docs/style.md): it is no instruction the style knows (a template's
  // `{{ ... }}`, a typo BuildKit will reject), so the formatter does not pretend it is one
  return raw;
}

/** BuildKit's splitCommand and dispatch: the command of a logical line. Throws LineParseError. */
export function parseCommand(logical: string, escape: EscapeChar): Command {
  const parts = splitReWhitespace(goTrimSpace(logical), 2);
  const keywordRaw = parts[0]!;
  let flags: string[] = [];
  let args = "";
  if (parts.length === 2) ({ flags, args } = extractBuilderFlags(parts[1]!, escape));
  args = goTrimSpace(args);
  const { keyword, known } = canonicalKeyword(keywordRaw);
  let json: string[] | null = null;
  const parsed = jsonArrayValue(args);
  if (parsed !== null && parsed.every((v) => typeof v === "string")) json = parsed as string[];
  let trigger: Command | null = null;
  if (keyword === "ONBUILD" && args !== "") trigger = parseCommand(args, escape);
  const command = { keywordRaw, keyword, known, flags, args, json, trigger };
  validateArguments(command, parsed, escape);
  return command;
}

export const NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only";

/** The errors BuildKit's per-instruction line parsers raise (line_parsers.go). */
function validateArguments(cmd: Command, parsed: unknown[] | null, escape: EscapeChar): void {
  switch (cmd.keyword) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
    case "SHELL":
    case "ADD":
    case "COPY":
    case "VOLUME":
      if (parsed !== null && cmd.json === null) throw new LineParseError(NOT_STRING_ARRAY);
      return;
    case "HEALTHCHECK": {
      const cmdPart = healthcheckParts(cmd.args)?.rest ?? "";
      const arr = cmdPart === "" ? null : jsonArrayValue(cmdPart);
      if (arr !== null && !arr.every((v) => typeof v === "string")) throw new LineParseError(NOT_STRING_ARRAY);
      return;
    }
    case "ENV":
    case "LABEL":
      parseNameVal(cmd.args, cmd.keyword, escape);
      return;
  }
}

/**
 * BuildKit's parseHealthConfig split: the type word and the rest. Like
 * BuildKit it tests bytes (a UTF-8 byte 0x85 or 0xA0 counts as a space).
 * Null when there are no arguments.
 */
export function healthcheckParts(args: string): { type: string; rest: string } | null {
  if (args === "") return null;
  if (!/[^\x00-\x7f]/.test(args)) {
    let sep = 0;
    while (sep < args.length && !isGoSpaceCode(args.charCodeAt(sep))) sep++;
    let next = sep;
    while (next < args.length && isGoSpaceCode(args.charCodeAt(next))) next++;
    return sep === 0 ? null : { type: args.slice(0, sep), rest: args.slice(next) };
  }
  const bytes = utf8Bytes(args);
  let sep = 0;
  while (sep < bytes.length && !isGoSpaceCode(bytes[sep]!)) sep++;
  let next = sep;
  while (next < bytes.length && isGoSpaceCode(bytes[next]!)) next++;
  if (sep === 0) return null;
  return { type: decodeUtf8(bytes.subarray(0, sep)), rest: decodeUtf8(bytes.subarray(next)) };
}

// ignoreBOM: a U+FEFF in the text is a character, not a byte-order mark to drop
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/**
 * BuildKit's extractBuilderFlags: the leading `--flag` words, with quotes
 * and escapes processed, and the text after them. BuildKit reads this byte
 * by byte (a byte 0x85 or 0xA0 inside a UTF-8 character counts as a space,
 * and a non-ASCII byte is written to the flag as the Latin-1 character of
 * that value); so does this, when the text is not ASCII.
 */
export function extractBuilderFlags(line: string, escape: EscapeChar): { flags: string[]; args: string } {
  const ascii = !/[^\x00-\x7f]/.test(line);
  const units: ArrayLike<number> = ascii ? { length: line.length } : utf8Bytes(line);
  const at = ascii ? (i: number) => line.charCodeAt(i) : (i: number) => (units as Uint8Array)[i]!;
  const rest = (pos: number) => (ascii ? line.slice(pos) : decodeUtf8((units as Uint8Array).subarray(pos)));
  const n = units.length;
  const esc = escape.charCodeAt(0);
  const words: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < n && isGoSpaceCode(at(pos))) pos++;
    if (pos >= n) return { flags: words, args: "" };
    if (at(pos) !== 45 || pos + 1 >= n || at(pos + 1) !== 45) return { flags: words, args: rest(pos) };
    let word = "";
    let blankOK = false;
    let quote = 0;
    for (; pos < n; pos++) {
      let c = at(pos);
      if (quote !== 0) {
        if (c === quote) {
          quote = 0;
          continue;
        }
        if (c === esc) {
          if (pos + 1 === n) {
            quote = 0;
            continue;
          }
          pos++;
          c = at(pos);
        }
        word += String.fromCharCode(c);
        continue;
      }
      if (isGoSpaceCode(c)) break;
      if (c === 39 || c === 34) {
        quote = c;
        blankOK = true;
        continue;
      }
      if (c === esc) {
        if (pos + 1 === n) continue;
        pos++;
        c = at(pos);
      }
      word += String.fromCharCode(c);
    }
    if (pos >= n) {
      if (word !== "--" && (blankOK || word.length > 0)) words.push(word);
      return { flags: words, args: "" };
    }
    if (word === "--") return { flags: words, args: rest(pos) };
    if (blankOK || word.length > 0) words.push(word);
  }
}

/**
 * The array when the text (after leading blanks) is a JSON array, else
 * null, as Go's encoding/json reads it into []any: a number too large for
 * a float64 is an error there (so the text is not JSON), and an unpaired
 * surrogate escape decodes to U+FFFD.
 */
export function jsonArrayValue(args: string): unknown[] | null {
  const t = goTrimLeftSpace(args);
  if (t.charCodeAt(0) !== 91 /* [ */) return null;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v === "string") value[i] = toWellFormed(v);
    else if (hasInfinity(v)) return null;
  }
  return value as unknown[];
}

/** Go's decoder writes U+FFFD for an unpaired surrogate escape (`"\ud800"`). */
function toWellFormed(s: string): string {
  const str = s as string & { isWellFormed(): boolean; toWellFormed(): string };
  return str.isWellFormed() ? s : str.toWellFormed();
}

/** Whether a JSON value holds a number that overflowed (Go's decoder fails on it), without recursion. */
function hasInfinity(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "number" && !Number.isFinite(v)) return true;
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v !== null && typeof v === "object") stack.push(...Object.values(v));
  }
  return false;
}

export type NameValue = { name: string; value: string; sep: "" | "=" };

/** BuildKit's parseNameVal (ENV, LABEL): legacy `KEY value` or `k=v ...`. Throws LineParseError. */
export function parseNameVal(rest: string, keyword: string, escape: EscapeChar): NameValue[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes("=")) {
    const parts = splitReWhitespace(rest, 2);
    if (parts.length < 2) throw new LineParseError(`${keyword} must have two arguments`);
    return [{ name: parts[0]!, value: parts[1]!, sep: "" }];
  }
  return words.map((word) => {
    const eq = word.indexOf("=");
    if (eq === -1) throw new LineParseError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    return { name: word.slice(0, eq), value: word.slice(eq + 1), sep: "=" as const };
  });
}

const QUOTE_OR_ESCAPE = /['"\\`]/;

/** BuildKit's parseWords: words split on Unicode spaces, quotes and escapes kept. */
export function parseWords(rest: string, escape: EscapeChar): string[] {
  if (!QUOTE_OR_ESCAPE.test(rest)) {
    // no quotes or escapes: the words are the runs of non-space characters
    const words: string[] = [];
    let start = -1;
    for (let i = 0; i <= rest.length; i++) {
      const space = i === rest.length || isGoSpaceCode(rest.charCodeAt(i));
      if (space && start !== -1) {
        words.push(rest.slice(start, i));
        start = -1;
      } else if (!space && start === -1) start = i;
    }
    return words;
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
      if (isGoSpaceCode(ch.charCodeAt(0))) continue;
      phase = 1;
    }
    if (atEnd) {
      if (blankOK || cur.length > 0) words.push(cur);
      break;
    }
    if (phase === 1) {
      if (isGoSpaceCode(ch.charCodeAt(0))) {
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

/** Go's strconv.IsPrint beyond ASCII space: letters, marks, numbers, punctuation and symbols (so no other space, no format character). */
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's %q (strconv.Quote) for the messages BuildKit builds with it: what is not printable as `\uXXXX`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\v") out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c === 0x20 || GO_PRINTABLE.test(ch)) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** Where BuildKit's splitCommand and extractBuilderFlags put the parts of a logical line (offsets into it). */
export interface CommandHead {
  keywordStart: number;
  keywordEnd: number;
  /** The flag words, and a `--` that ends them. */
  flagWords: { start: number; end: number }[];
  /** Where the arguments start (after the blanks BuildKit trims); `argsEnd` when there are none. */
  argsStart: number;
  /** Where the arguments end: trailing Unicode spaces are trimmed by BuildKit. */
  argsEnd: number;
}

/**
 * The positions of keyword, flags and arguments in `logical` (from `from`,
 * for an ONBUILD trigger), or null where BuildKit's byte-wise flag reading
 * cannot be mapped onto characters: a non-ASCII character inside the flags
 * or a non-ASCII space before the arguments (such instructions are printed
 * as written).
 */
export function commandHead(logical: string, escape: EscapeChar, from = 0): CommandHead | null {
  const esc = escape.charCodeAt(0);
  let start = from;
  while (start < logical.length && isGoSpaceCode(logical.charCodeAt(start))) start++;
  let end = logical.length;
  while (end > start && isGoSpaceCode(logical.charCodeAt(end - 1))) end--;
  let kwEnd = start;
  while (kwEnd < end && !isReWhitespaceCode(logical.charCodeAt(kwEnd))) kwEnd++;
  const head: CommandHead = { keywordStart: start, keywordEnd: kwEnd, flagWords: [], argsStart: end, argsEnd: end };
  let pos = kwEnd;
  for (;;) {
    while (pos < end && isAsciiGoSpaceCode(logical.charCodeAt(pos))) pos++;
    if (pos >= end) return head;
    const c = logical.charCodeAt(pos);
    if (c >= 0x80) {
      if (isGoSpaceCode(c)) return null;
      head.argsStart = pos;
      return head;
    }
    if (c !== 45 || pos + 1 >= end || logical.charCodeAt(pos + 1) !== 45) {
      head.argsStart = pos;
      return head;
    }
    const wordStart = pos;
    let quote = 0;
    let processed = "";
    for (; pos < end; pos++) {
      let ch = logical.charCodeAt(pos);
      if (ch >= 0x80) return null;
      if (quote === 0 && isAsciiGoSpaceCode(ch)) break;
      if (quote !== 0 && ch === quote) {
        quote = 0;
        continue;
      }
      if (quote === 0 && (ch === 39 || ch === 34)) {
        quote = ch;
        continue;
      }
      if (ch === esc) {
        // an escape at the end is dropped; otherwise it takes the next character into the word
        if (pos + 1 >= end) continue;
        pos++;
        ch = logical.charCodeAt(pos);
        if (ch >= 0x80) return null;
      }
      processed += String.fromCharCode(ch);
    }
    head.flagWords.push({ start: wordStart, end: pos });
    if (processed === "--") {
      while (pos < end && isAsciiGoSpaceCode(logical.charCodeAt(pos))) pos++;
      if (pos < end && logical.charCodeAt(pos) >= 0x80 && isGoSpaceCode(logical.charCodeAt(pos))) return null;
      head.argsStart = pos;
      return head;
    }
  }
}
