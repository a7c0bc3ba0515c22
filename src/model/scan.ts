/**
 * A line scanner that reads a Dockerfile the way BuildKit's parser does
 * (moby/buildkit frontend/dockerfile/parser/parser.go): parser directives at
 * the top, escape-character line continuations joined without a newline and
 * with the continuation line's leading whitespace kept, comment and empty
 * lines inside a continuation dropped, heredoc bodies read after the line
 * that opens them.
 *
 * It records, for every physical line, what it is, so the formatter can print
 * each line and the meaning check can rebuild BuildKit's logical lines.
 */

export const BOM = "\uFEFF";

export type EscapeChar = "\\" | "`";

export interface PhysicalLine {
  /** The line's text without its line ending (one `\r` before `\n` is part of the ending). */
  text: string;
  /** Offset of the first character in the source (after a byte-order mark). */
  start: number;
  eol: "\n" | "\r\n" | "";
}

export interface Directive {
  name: string;
  value: string;
  line: number;
}

export type ContinuationLineKind = "content" | "comment" | "empty";

export interface InstructionLine {
  line: number;
  kind: ContinuationLineKind;
  /** For content lines: the text that BuildKit appends to the logical line. */
  segment: string;
  /** Whether this content line ends with a continuation escape. */
  continues: boolean;
}

export interface ScannedHeredoc {
  /** The word as written on the instruction line, e.g. `<<-"EOF"`. */
  word: string;
  name: string;
  chomp: boolean;
  expand: boolean;
  fd: number | null;
  /** Physical lines of the body (may be empty) and the terminator line. */
  bodyStart: number;
  terminatorLine: number;
  content: string;
}

export interface ScannedInstruction {
  type: "instruction";
  startLine: number;
  /** Last physical line, heredoc terminators included. */
  endLine: number;
  /** Lines from the first line to the end of the continuation (no heredoc bodies). */
  lines: InstructionLine[];
  /** BuildKit's joined logical line. */
  logical: string;
  heredocs: ScannedHeredoc[];
}

export type TopLevelEntry =
  | { type: "blank"; line: number }
  | { type: "comment"; line: number }
  | { type: "directive"; line: number; directive: Directive }
  | ScannedInstruction;

export interface ScanResult {
  bom: boolean;
  lines: PhysicalLine[];
  directives: Directive[];
  escape: EscapeChar;
  entries: TopLevelEntry[];
  /** Dominant line ending of the source. */
  eol: "\n" | "\r\n";
}

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

const VALID_DIRECTIVES = new Set(["syntax", "escape", "check"]);
const DIRECTIVE_BODY = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

/** Go's unicode.IsSpace for the characters that occur in practice. */
export function isSpace(ch: string): boolean {
  return (
    ch === " " ||
    ch === "\t" ||
    ch === "\n" ||
    ch === "\r" ||
    ch === "\v" ||
    ch === "\f" ||
    ch === "\u0085" ||
    ch === "\u00a0"
  );
}

/** isSpace by character code (no one-character strings in hot loops). */
function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0;
}

export function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpaceCode(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

function trimNewline(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === "\r" || s[end - 1] === "\n")) end--;
  return end === s.length ? s : s.slice(0, end);
}

export function splitLines(source: string): { bom: boolean; lines: PhysicalLine[]; eol: "\n" | "\r\n" } {
  let bom = false;
  let text = source;
  if (text.startsWith(BOM)) {
    bom = true;
    text = text.slice(1);
  }
  const lines: PhysicalLine[] = [];
  let crlf = 0;
  let lf = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    if (nl === -1) {
      lines.push({ text: text.slice(pos), start: pos, eol: "" });
      break;
    }
    if (nl > pos && text.charCodeAt(nl - 1) === 13) {
      lines.push({ text: text.slice(pos, nl - 1), start: pos, eol: "\r\n" });
      crlf++;
    } else {
      lines.push({ text: text.slice(pos, nl), start: pos, eol: "\n" });
      lf++;
    }
    pos = nl + 1;
  }
  return { bom, lines, eol: crlf > lf ? "\r\n" : "\n" };
}

/** Whether a line (already without its line ending) is a comment, as BuildKit's isComment. */
export function isCommentLine(text: string): boolean {
  return trimLeftSpace(text).startsWith("#");
}

/**
 * BuildKit's continuation test: the escape character as the last non-blank
 * character, preceded by a character other than the escape character, or alone.
 * Returns the text without the escape and trailing blanks, or null.
 */
export function stripContinuation(text: string, escape: EscapeChar): string | null {
  let end = text.length;
  let c = end > 0 ? text.charCodeAt(end - 1) : 0;
  while (end > 0 && (c === 32 || c === 9)) {
    end--;
    c = end > 0 ? text.charCodeAt(end - 1) : 0;
  }
  const esc = escape.charCodeAt(0);
  if (end === 0 || c !== esc) return null;
  if (end === 1) return "";
  if (text.charCodeAt(end - 2) === esc) return null;
  return text.slice(0, end - 1);
}

class DirectiveScanner {
  done = false;
  seen = new Set<string>();
  /** Returns the directive a line declares, or null (and ends the scan). */
  parse(text: string, line: number): Directive | null {
    if (this.done) return null;
    if (!text.startsWith("#")) {
      this.done = true;
      return null;
    }
    const m = DIRECTIVE_BODY.exec(trimLeftSpace(text.slice(1)));
    if (!m) {
      this.done = true;
      return null;
    }
    const name = m[1]!.toLowerCase();
    if (!VALID_DIRECTIVES.has(name)) {
      this.done = true;
      return null;
    }
    if (this.seen.has(name)) {
      throw new DockerfileSyntaxError(`only one ${name} parser directive can be used`, line + 1, 1);
    }
    this.seen.add(name);
    return { name, value: m[2]!, line };
  }
}

/** Splits a line into shell-like words keeping quotes and escapes, as BuildKit's heredoc word search does. */
export function rawShellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      if (inWord) {
        words.push(cur);
        cur = "";
        inWord = false;
      }
      i++;
      continue;
    }
    inWord = true;
    if (ch === "\\") {
      cur += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const close = findClosingQuote(line, i);
      cur += line.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    cur += ch;
    i++;
  }
  if (inWord) words.push(cur);
  return words;
}

function findClosingQuote(s: string, open: number): number {
  const q = s[open];
  let i = open + 1;
  while (i < s.length) {
    if (q === '"' && s[i] === "\\") {
      i += 2;
      continue;
    }
    if (s[i] === q) return i;
    i++;
  }
  return s.length - 1;
}

/** Removes shell quoting from a word (heredoc delimiter names). */
export function unquoteShellWord(word: string): string {
  let out = "";
  let i = 0;
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === "\\") {
      out += word[i + 1] ?? "";
      i += 2;
    } else if (ch === "'") {
      const close = word.indexOf("'", i + 1);
      const end = close === -1 ? word.length : close;
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      while (i < word.length && word[i] !== '"') {
        if (word[i] === "\\" && i + 1 < word.length) i++;
        out += word[i];
        i++;
      }
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const HEREDOC_WORD = /^(\d*)<<(-?)\s*([^<]*)$/;

export interface HeredocSpec {
  word: string;
  name: string;
  chomp: boolean;
  expand: boolean;
  fd: number | null;
}

export function heredocsInLine(line: string): HeredocSpec[] {
  const specs: HeredocSpec[] = [];
  for (const word of rawShellWords(line)) {
    const m = HEREDOC_WORD.exec(word);
    if (!m || m[3] === "") continue;
    const rest = m[3]!;
    const name = unquoteShellWord(rest);
    if (name === "" || /\s/.test(name)) continue;
    specs.push({
      word,
      name,
      chomp: m[2] === "-",
      expand: !/['"]/.test(rest) || countQuotes(name) === countQuotes(rest),
      fd: m[1] ? Number(m[1]) : null,
    });
  }
  return specs;
}

function countQuotes(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === "'" || ch === '"') n++;
  return n;
}

const HEREDOC_KEYWORDS = new Set(["run", "copy", "add"]);

/** Whether BuildKit looks for heredocs in this logical line (RUN/COPY/ADD, or ONBUILD of one, not JSON). */
export function canContainHeredoc(logical: string, escape: EscapeChar): boolean {
  if (!logical.includes("<<")) return false;
  let { keyword, rest } = splitKeyword(logical);
  if (keyword.toLowerCase() === "onbuild") {
    ({ keyword, rest } = splitKeyword(rest));
  }
  if (!HEREDOC_KEYWORDS.has(keyword.toLowerCase())) return false;
  const args = stripFlags(rest, escape).args;
  return !isJSONArray(args);
}

export function splitKeyword(line: string): { keyword: string; rest: string } {
  const trimmed = line.trim();
  const m = /[\t\v\f\r ]+/.exec(trimmed);
  if (!m) return { keyword: trimmed, rest: "" };
  return { keyword: trimmed.slice(0, m.index), rest: trimmed.slice(m.index + m[0].length) };
}

/** BuildKit's extractBuilderFlags: leading `--flag` words, processed, and the remaining text. */
export function stripFlags(line: string, escape: EscapeChar): { flags: string[]; args: string } {
  const words: string[] = [];
  let pos = 0;
  const n = line.length;
  for (;;) {
    while (pos < n && isSpace(line[pos]!)) pos++;
    if (pos >= n) return { flags: words, args: "" };
    if (line[pos] !== "-" || line[pos + 1] !== "-") return { flags: words, args: line.slice(pos).trim() };
    let word = "";
    let blankOK = false;
    let quote = "";
    while (pos < n) {
      const ch = line[pos]!;
      if (quote) {
        if (ch === quote) {
          quote = "";
        } else if (ch === escape) {
          if (pos + 1 === n) {
            quote = "";
          } else {
            pos++;
            word += line[pos];
          }
        } else {
          word += ch;
        }
        pos++;
        continue;
      }
      if (isSpace(ch)) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        pos++;
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === n) {
          pos++;
          continue;
        }
        pos++;
      }
      word += line[pos];
      pos++;
    }
    if (word === "--") {
      return { flags: words, args: line.slice(pos).trim() };
    }
    if (blankOK || word.length > 0) words.push(word);
  }
}

export function isJSONArray(args: string): boolean {
  return jsonArrayValue(args) !== null;
}

/** The array when the text (after leading blanks) is a JSON array, else null: isJSONArray with its value. */
export function jsonArrayValue(args: string): unknown[] | null {
  const t = trimLeftSpace(args);
  if (t.charCodeAt(0) !== 91 /* [ */) return null;
  try {
    const value: unknown = JSON.parse(t);
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** Scans a whole Dockerfile. Throws DockerfileSyntaxError for what BuildKit rejects while reading lines. */
export function scan(source: string): ScanResult {
  const { bom, lines, eol } = splitLines(source);
  const entries: TopLevelEntry[] = [];
  const directives: Directive[] = [];
  const dirScanner = new DirectiveScanner();
  let escape: EscapeChar = "\\";
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i]!.text;
    const trimmedNl = trimNewline(raw);
    const text = trimLeftSpace(trimmedNl);
    if (!dirScanner.done) {
      const directive = dirScanner.parse(text, i);
      if (directive) {
        if (directive.name === "escape") {
          if (directive.value !== "\\" && directive.value !== "`") {
            throw new DockerfileSyntaxError(
              `invalid escape token '${directive.value}' does not match \` or \\`,
              i + 1,
              1,
            );
          }
          escape = directive.value as EscapeChar;
        }
        directives.push(directive);
        entries.push({ type: "directive", line: i, directive });
        i++;
        continue;
      }
    }
    if (text.startsWith("#")) {
      entries.push({ type: "comment", line: i });
      i++;
      continue;
    }
    if (text === "") {
      entries.push({ type: "blank", line: i });
      i++;
      continue;
    }
    const first = stripContinuation(text, escape);
    const instr: ScannedInstruction = {
      type: "instruction",
      startLine: i,
      endLine: i,
      lines: [{ line: i, kind: "content", segment: first ?? text, continues: first !== null }],
      logical: first ?? text,
      heredocs: [],
    };
    let continues = first !== null;
    let j = i + 1;
    const parts = [first ?? text];
    while (continues && j < lines.length) {
      const lineText = trimNewline(lines[j]!.text);
      const trimmed = trimLeftSpace(lineText);
      if (trimmed.charCodeAt(0) === 35 /* # */) {
        instr.lines.push({ line: j, kind: "comment", segment: "", continues: true });
      } else if (trimmed === "") {
        instr.lines.push({ line: j, kind: "empty", segment: "", continues: true });
      } else {
        const stripped = stripContinuation(lineText, escape);
        continues = stripped !== null;
        const segment = stripped ?? lineText;
        parts.push(segment);
        instr.lines.push({ line: j, kind: "content", segment, continues });
      }
      j++;
    }
    instr.logical = parts.join("");
    instr.endLine = j - 1;
    if (canContainHeredoc(instr.logical, escape)) {
      for (const spec of heredocsInLine(instr.logical)) {
        const bodyStart = j;
        let content = "";
        let terminated = false;
        while (j < lines.length) {
          const lineText = lines[j]!.text;
          let candidate = trimNewline(lineText);
          if (spec.chomp) candidate = candidate.replace(/^\t+/, "");
          if (candidate === spec.name) {
            terminated = true;
            break;
          }
          content += lineText + "\n";
          j++;
        }
        if (!terminated) {
          throw new DockerfileSyntaxError(
            `unterminated heredoc: no line "${spec.name}" closes the heredoc opened here`,
            i + 1,
            (lines[i]!.text.indexOf(spec.word) + 1) || 1,
          );
        }
        instr.heredocs.push({ ...spec, bodyStart, terminatorLine: j, content });
        j++;
      }
      instr.endLine = j - 1;
    }
    entries.push(instr);
    i = j;
  }
  return { bom, lines, directives, escape, entries, eol };
}
