/**
 * Go's notions of space and case, as BuildKit's parser (written in Go) uses
 * them. JavaScript's differ from all of them: `\s` and `trim()` include
 * U+FEFF and leave out U+0085; `toUpperCase()` maps `ſ` (U+017F) to `S`
 * and `ß` to `SS`. Every place that decides what BuildKit reads goes
 * through these functions (rulebook: "Facts found the hard way").
 */

/** Go's unicode.IsSpace, by code point. */
export function isGoSpaceCode(c: number): boolean {
  if (c <= 0xff) return c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Go's unicode.IsSpace for a one-character string (every Go space is one UTF-16 unit). */
export function isGoSpace(ch: string): boolean {
  return ch.length === 1 && isGoSpaceCode(ch.charCodeAt(0));
}

/** Go's unicode.IsSpace among ASCII characters (`[\t\n\v\f\r ]`): where BuildKit reads bytes, a non-ASCII character is handled apart. */
export function isAsciiGoSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The characters of Go's regexp `\s` (`[\t\n\f\r ]`: no `\v`). */
export function isGoRegexpSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

/** Go's `[\t\v\f\r ]` (BuildKit's reWhitespace: keyword split, FROM/EXPOSE/ADD word split, legacy ENV). */
export function isReWhitespaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 13;
}

/** BuildKit's reWhitespace as a JavaScript regular expression. */
export const RE_WHITESPACE = /[\t\v\f\r ]+/;

/** bytes.TrimLeftFunc(s, unicode.IsSpace) */
export function goTrimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpaceCode(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

/** strings.TrimRightFunc(s, unicode.IsSpace) */
export function goTrimRightSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpaceCode(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** strings.TrimSpace */
export function goTrimSpace(s: string): string {
  return goTrimRightSpace(goTrimLeftSpace(s));
}

/** Go's regexp.Split(s, n) for reWhitespace: n = 2 splits once, -1 everywhere. */
export function splitReWhitespace(s: string, n: 2 | -1): string[] {
  if (s === "") return [""];
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    if (isReWhitespaceCode(s.charCodeAt(i))) {
      let j = i + 1;
      while (j < s.length && isReWhitespaceCode(s.charCodeAt(j))) j++;
      out.push(s.slice(start, i));
      start = j;
      i = j;
      if (n === 2) break;
      continue;
    }
    i++;
  }
  out.push(s.slice(start));
  return out;
}

/**
 * Go's unicode.ToLower for one code point (the simple case mapping): where
 * JavaScript's full mapping gives more than one character, Go gives one.
 */
function goLowerCode(c: number): number {
  if (c < 0x80) return c >= 65 && c <= 90 ? c + 32 : c;
  if (c === 0x130) return 0x69; // İ: full mapping "i̇", simple mapping "i"
  const lower = String.fromCodePoint(c).toLowerCase();
  const d = lower.codePointAt(0)!;
  return lower.length === String.fromCodePoint(d).length ? d : c;
}

/** Go's unicode.ToUpper for one code point (simple case mapping; `ß` stays `ß`). */
function goUpperCode(c: number): number {
  if (c < 0x80) return c >= 97 && c <= 122 ? c - 32 : c;
  const upper = String.fromCodePoint(c).toUpperCase();
  const d = upper.codePointAt(0)!;
  return upper.length === String.fromCodePoint(d).length ? d : c;
}

function mapCodes(s: string, f: (c: number) => number): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) ascii = false;
  if (ascii) return f === goLowerCode ? s.toLowerCase() : s.toUpperCase();
  let out = "";
  for (const ch of s) out += String.fromCodePoint(f(ch.codePointAt(0)!));
  return out;
}

/** strings.ToLower: `WORKDIR` spelled with the Kelvin sign (U+212A) is `workdir` to BuildKit. */
export function goToLower(s: string): string {
  return mapCodes(s, goLowerCode);
}

/** strings.ToUpper */
export function goToUpper(s: string): string {
  return mapCodes(s, goUpperCode);
}

/**
 * strings.EqualFold against an ASCII word (`as`, `cmd`, `none`): Unicode
 * simple case folding, under which `ſ` (U+017F) equals `s` and the Kelvin
 * sign equals `k`, but `İ` does not equal `i`.
 */
export function goEqualFoldAscii(s: string, ascii: string): boolean {
  const chars = Array.from(s);
  if (chars.length !== ascii.length) return false;
  return chars.every((ch, i) => foldToAscii(ch.codePointAt(0)!) === (ascii.charCodeAt(i) | 0x20));
}

/** The ASCII letter a code point folds to (lower case), or the code point itself. */
function foldToAscii(c: number): number {
  if (c >= 65 && c <= 90) return c | 0x20;
  if (c === 0x17f) return 0x73; // ſ
  if (c === 0x212a) return 0x6b; // Kelvin sign
  return c;
}

/** Unicode letters and decimal digits, as Go's unicode.IsLetter and unicode.IsDigit. */
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

export function isGoLetter(ch: string): boolean {
  return ch.charCodeAt(0) < 0x80 ? /[A-Za-z]/.test(ch) : LETTER.test(ch);
}

export function isGoDigit(ch: string): boolean {
  return ch.charCodeAt(0) < 0x80 ? ch >= "0" && ch <= "9" : DIGIT.test(ch);
}

const encoder = new TextEncoder();

/** Length in UTF-8 bytes (bufio.Scanner's line limit counts bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}
