/**
 * A line scanner that reads a Dockerfile the way BuildKit's parser does
 * (moby/buildkit frontend/dockerfile/parser/parser.go, `Parse`): parser
 * directives at the top, escape-character line continuations joined without
 * a newline and with the continuation line's leading whitespace kept,
 * comment and empty lines inside a continuation dropped, heredoc bodies read
 * after the line that opens them. Blanks are Go's (unicode.IsSpace, regexp
 * `\s`), keywords are compared after Go's strings.ToLower, and heredoc words
 * are found with BuildKit's own shell lexer rules (lex.ts).
 *
 * It records, for every physical line, what it is, so the formatter can print
 * each line and the meaning check can rebuild BuildKit's logical lines.
 * test/buildkit-oracle.test.ts checks it against BuildKit's parser itself:
 * the 22,353 readings recorded in ../shared/buildkit-readings.
 */
import {
  DockerfileSyntaxError,
  LineParseError,
  parseCommand,
  type Command,
  type EscapeChar,
} from "./command.js";
import { goTrimLeftSpace, goTrimRightSpace, goTrimSpace, isGoRegexpSpaceCode, isGoSpaceCode, utf8Length } from "./go.js";
import { LexError, processWords } from "./lex.js";

export { DockerfileSyntaxError, type EscapeChar };

export const BOM = "\uFEFF";

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
  name: string;
  chomp: boolean;
  expand: boolean;
  fd: number | null;
  /** Physical lines of the body (may be empty) and the terminator line. */
  bodyStart: number;
  terminatorLine: number;
  /** The body as BuildKit reads it: each line with its own line ending. */
  content: string;
}

export interface ScannedInstruction {
  type: "instruction";
  startLine: number;
  /** Last physical line, heredoc terminators included. */
  endLine: number;
  /** Lines from the first line to the end of the continuation (no heredoc bodies). */
  lines: InstructionLine[];
  /** BuildKit's joined logical line (its node's Original). */
  logical: string;
  heredocs: ScannedHeredoc[];
  /** What BuildKit's line parser makes of the logical line. */
  command: Command;
  /**
   * BuildKit's PrevComment: the top-level comment lines since the previous
   * instruction (directives aside), each as prevCommentText reads it, with
   * its 0-based line; an empty comment (`#`) clears those before it. Its
   * linter reads the first `check=` among them (see checkCommentValue).
   */
  prevComments: PrevComment[];
}

export interface PrevComment {
  line: number;
  text: string;
}

export type TopLevelEntry =
  | { type: "blank"; line: number }
  | { type: "comment"; line: number }
  | { type: "directive"; line: number; directive: Directive }
  | ScannedInstruction;

/** What each physical line is. */
export type LineKind =
  | "blank"
  | "comment"
  | "directive"
  /** a line that holds instruction text (its first line or a continuation) */
  | "instruction"
  /** a comment line inside a continuation (BuildKit drops it) */
  | "continuation-comment"
  /** a line of blanks inside a continuation (BuildKit drops it) */
  | "continuation-empty"
  | "heredoc-body"
  | "heredoc-end";

export interface ScanResult {
  bom: boolean;
  lines: PhysicalLine[];
  lineKinds: LineKind[];
  directives: Directive[];
  escape: EscapeChar;
  entries: TopLevelEntry[];
  /** Dominant line ending of the source. */
  eol: "\n" | "\r\n";
}

/** Go's bufio.Scanner refuses a line (with its line break) over 64 KiB. */
const MAX_LINE_BYTES = 64 * 1024;

/** Go's unicode.IsSpace for one character. */
export function isSpace(ch: string): boolean {
  return ch.length === 1 && isGoSpaceCode(ch.charCodeAt(0));
}

export const trimLeftSpace = goTrimLeftSpace;

/** bytes.TrimRight(s, "\r\n") */
function trimNewline(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 13 || s.charCodeAt(end - 1) === 10)) end--;
  return end === s.length ? s : s.slice(0, end);
}

export interface ScanOptions {
  /**
   * The caller has already removed the file's byte-order mark (Prettier
   * does): a U+FEFF at the start is then a character, as BuildKit reads a
   * file that starts with two.
   */
  bomStripped?: boolean;
}

export function splitLines(source: string, options: ScanOptions = {}): { bom: boolean; lines: PhysicalLine[]; eol: "\n" | "\r\n" } {
  let bom = false;
  let text = source;
  if (!options.bomStripped && text.startsWith(BOM)) {
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

/** Whether a line (without its line ending) is a comment, as BuildKit's isComment. */
export function isCommentLine(text: string): boolean {
  return goTrimLeftSpace(text).charCodeAt(0) === 35 /* # */;
}

/**
 * BuildKit's continuation test (its lineContinuationRegex): the escape
 * character as the last character but spaces and tabs, preceded by a
 * character other than the escape character, or alone. Returns the text
 * without the escape and trailing blanks, or null.
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

const VALID_DIRECTIVES = new Set(["syntax", "escape", "check"]);
/** BuildKit's directiveRegexp with Go's `\s` ([\t\n\f\r ]) and `.` (anything but \n). */
const DIRECTIVE_BODY = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;

/** BuildKit's DirectiveParser. */
class DirectiveScanner {
  done = false;
  seen = new Set<string>();
  /** Returns the directive a line (trimmed as BuildKit trims it) declares, or null (and ends the scan). */
  parse(text: string, line: number): Directive | null {
    if (this.done) return null;
    if (text.charCodeAt(0) !== 35 /* # */) {
      this.done = true;
      return null;
    }
    const m = DIRECTIVE_BODY.exec(goTrimLeftSpace(text.slice(1)));
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

/** Whether a line would be read as a parser directive if it stood at the top of the file. */
export function isDirectiveLike(text: string): boolean {
  const t = goTrimLeftSpace(text);
  if (t.charCodeAt(0) !== 35 /* # */) return false;
  const m = DIRECTIVE_BODY.exec(goTrimLeftSpace(t.slice(1)));
  return m !== null && VALID_DIRECTIVES.has(m[1]!.toLowerCase());
}

/**
 * A comment or directive line without the blanks BuildKit ignores around it:
 * Unicode spaces before it, and after it only Go's `\s` ([\t\n\f\r ]),
 * since a directive's value keeps a trailing `\v` or no-break space.
 */
export function trimCommentLine(text: string): string {
  return trimCommentEnd(goTrimLeftSpace(text));
}

/** A comment or directive line without the blanks after it that BuildKit ignores (Go's `\s`: [\t\n\f\r ]). */
export function trimCommentEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isGoRegexpSpaceCode(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * What BuildKit's parser keeps of a comment line for the next instruction's
 * PrevComment: `strings.TrimSpace(line[1:])`, the line's first byte dropped
 * whatever it is. So `# check=x` gives `check=x`, an indented `  # x` keeps
 * its `#`, and a comment indented by a non-ASCII space keeps the other bytes
 * of that character, which are not valid UTF-8 (U+FFFD each here, as Go's
 * JSON writes them).
 */
export function prevCommentText(text: string): string {
  const c = text.codePointAt(0);
  if (c === undefined) return "";
  if (c < 0x80) return goTrimSpace(text.slice(1));
  const first = String.fromCodePoint(c);
  return "\uFFFD".repeat(utf8Length(first) - 1) + goTrimRightSpace(text.slice(first.length));
}

/**
 * What BuildKit's linter takes from an instruction's PrevComment
 * (linter.WithMergedConfigFromComments): the first comment that its
 * directive parser reads as `check=` (the name in any case), and of its value
 * the part before the first space; null when there is none. Only that first
 * one counts, valid or not.
 */
export function checkCommentValue(comments: readonly { text: string }[]): string | null {
  for (const c of comments) {
    const m = DIRECTIVE_BODY.exec(goTrimLeftSpace(c.text));
    if (m === null || m[1]!.toLowerCase() !== "check") continue;
    const value = m[2]!;
    const space = value.indexOf(" ");
    return space === -1 ? value : value.slice(0, space);
  }
  return null;
}

/** Whether BuildKit's linter reads a comment line as `check=` settings for the instruction after it. */
export function isCheckComment(text: string): boolean {
  return checkCommentValue([{ text: prevCommentText(text) }]) !== null;
}

/**
 * What a comment line does to the next instruction's PrevComment, as far as
 * BuildKit acts on it: clears the comments before it (an empty comment),
 * gives `check=` settings (their value), or neither. The formatter keeps a
 * comment's indentation where removing it would change this.
 */
export function commentEffect(text: string): string {
  const c = prevCommentText(text);
  if (c === "") return "clear";
  const check = checkCommentValue([{ text: c }]);
  return check === null ? "other" : `check=${check}`;
}

export interface HeredocSpec {
  name: string;
  chomp: boolean;
  expand: boolean;
  fd: number | null;
}

/** BuildKit's reHeredoc, with Go's `\d` and `\s`. */
const HEREDOC_WORD = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

const countQuotes = (s: string) => {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === "'" || s[i] === '"') n++;
  return n;
};

/**
 * BuildKit's heredocsFromLine: the heredocs a logical line opens. The line
 * is split into words by BuildKit's shell lexer with `\` as escape whatever
 * the file's escape directive, raw quotes and escapes and unset variables
 * kept; a line it cannot lex opens none. Throws LexError where BuildKit's
 * parser fails on a heredoc word.
 */
export function heredocsInLine(line: string): HeredocSpec[] {
  let words: string[];
  try {
    words = processWords(line, { escape: "\\", rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  } catch (e) {
    if (e instanceof LexError) return [];
    throw e;
  }
  const specs: HeredocSpec[] = [];
  for (const word of words) {
    const m = HEREDOC_WORD.exec(word);
    if (!m || m[3] === "") continue;
    const rest = m[3]!;
    const cooked = processWords(rest, { escape: "\\", skipUnsetEnv: true });
    if (cooked.length !== 1) continue;
    const raw = processWords(rest, { escape: "\\", skipUnsetEnv: true, rawQuotes: true });
    if (raw.length !== cooked.length) throw new LexError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
    specs.push({
      name: cooked[0]!,
      chomp: m[2] === "-",
      expand: countQuotes(cooked[0]!) === countQuotes(raw[0]!),
      fd: m[1] ? Number(m[1]) : null,
    });
  }
  return specs;
}

const HEREDOC_KEYWORDS = new Set(["RUN", "COPY", "ADD"]);

/** BuildKit's canContainHeredoc: RUN, COPY or ADD (or ONBUILD of one) in shell form. */
export function canContainHeredoc(command: Command): boolean {
  const cmd = command.keyword === "ONBUILD" && command.trigger ? command.trigger : command;
  return HEREDOC_KEYWORDS.has(cmd.keyword) && cmd.json === null;
}

/** A lexer or line-parser error as a syntax error at an instruction's first line. */
function atLine(e: unknown, line: number): unknown {
  if (e instanceof LineParseError || e instanceof LexError) return new DockerfileSyntaxError(e.message, line + 1, 1);
  return e;
}

/** Scans a whole Dockerfile. Throws DockerfileSyntaxError for what BuildKit's parser rejects. */
export function scan(source: string, options: ScanOptions = {}): ScanResult {
  const { bom, lines, eol } = splitLines(source, options);
  checkLineLengths(lines, bom);
  const lineKinds: LineKind[] = new Array<LineKind>(lines.length);
  const entries: TopLevelEntry[] = [];
  const directives: Directive[] = [];
  const dirScanner = new DirectiveScanner();
  let escape: EscapeChar = "\\";
  let comments: PrevComment[] = [];
  let i = 0;
  while (i < lines.length) {
    const text = goTrimLeftSpace(trimNewline(lines[i]!.text));
    if (!dirScanner.done) {
      const directive = dirScanner.parse(text, i);
      if (directive) {
        if (directive.name === "escape") {
          if (directive.value !== "\\" && directive.value !== "`") {
            throw new DockerfileSyntaxError(`invalid escape token '${directive.value}' does not match \` or \\`, i + 1, 1);
          }
          escape = directive.value;
        }
        directives.push(directive);
        entries.push({ type: "directive", line: i, directive });
        lineKinds[i] = "directive";
        i++;
        continue;
      }
    }
    if (text.charCodeAt(0) === 35 /* # */) {
      entries.push({ type: "comment", line: i });
      lineKinds[i] = "comment";
      const comment = prevCommentText(lines[i]!.text);
      if (comment === "") comments = [];
      else comments.push({ line: i, text: comment });
      i++;
      continue;
    }
    if (text === "") {
      entries.push({ type: "blank", line: i });
      lineKinds[i] = "blank";
      i++;
      continue;
    }
    const first = stripContinuation(text, escape);
    const instrLines: InstructionLine[] = [{ line: i, kind: "content", segment: first ?? text, continues: first !== null }];
    lineKinds[i] = "instruction";
    let continues = first !== null;
    let j = i + 1;
    const parts = [first ?? text];
    while (continues && j < lines.length) {
      const lineText = trimNewline(lines[j]!.text);
      const trimmed = goTrimLeftSpace(lineText);
      if (trimmed.charCodeAt(0) === 35 /* # */) {
        instrLines.push({ line: j, kind: "comment", segment: "", continues: true });
        lineKinds[j] = "continuation-comment";
      } else if (trimmed === "") {
        instrLines.push({ line: j, kind: "empty", segment: "", continues: true });
        lineKinds[j] = "continuation-empty";
      } else {
        const stripped = stripContinuation(lineText, escape);
        continues = stripped !== null;
        const segment = stripped ?? lineText;
        parts.push(segment);
        instrLines.push({ line: j, kind: "content", segment, continues });
        lineKinds[j] = "instruction";
      }
      j++;
    }
    const logical = parts.length === 1 ? parts[0]! : parts.join("");
    let command: Command;
    try {
      command = parseCommand(logical, escape);
    } catch (e) {
      throw atLine(e, i);
    }
    const instr: ScannedInstruction = { type: "instruction", startLine: i, endLine: j - 1, lines: instrLines, logical, heredocs: [], command, prevComments: comments };
    comments = [];
    if (logical.includes("<<") && canContainHeredoc(command)) {
      let specs: HeredocSpec[];
      try {
        specs = heredocsInLine(logical);
      } catch (e) {
        throw atLine(e, i);
      }
      for (const spec of specs) {
        const bodyStart = j;
        let content = "";
        let terminated = false;
        for (; j < lines.length; j++) {
          const line = lines[j]!;
          let candidate = trimNewline(line.text);
          if (spec.chomp) candidate = trimLeadingTabs(candidate);
          if (candidate === spec.name) {
            terminated = true;
            break;
          }
          content += line.text + line.eol;
          lineKinds[j] = "heredoc-body";
        }
        if (!terminated) {
          const at = logicalPosition(lines, instrLines, heredocOpenerOffset(logical, specs.indexOf(spec), specs.length));
          throw new DockerfileSyntaxError(`unterminated heredoc: no line ${JSON.stringify(spec.name)} closes the heredoc opened here`, at.line + 1, at.column + 1);
        }
        lineKinds[j] = "heredoc-end";
        instr.heredocs.push({ ...spec, bodyStart, terminatorLine: j, content });
        j++;
      }
      instr.endLine = j - 1;
    }
    entries.push(instr);
    i = j;
  }
  return { bom, lines, lineKinds, directives, escape, entries, eol };
}

/**
 * Where in a logical line the `<<` of its k-th heredoc (of `count`) is:
 * BuildKit names no position, so this finds it with BuildKit's own word
 * reading: lexed from a `<<` that starts the k-th heredoc word, the rest of
 * the line opens `count - k` heredocs, and from any later `<<` fewer. The
 * last `<<` from which `count - k` remain is the opener.
 */
function heredocOpenerOffset(logical: string, k: number, count: number): number {
  let opener = Math.max(0, logical.indexOf("<<"));
  // each try lexes the rest of the line: on a line so long that this would cost more than lexing about
  // 100,000 characters, the last `<<` tried will do (a refusal needs no more)
  let budget = 100_000;
  for (let a = logical.indexOf("<<"); a !== -1 && (budget -= logical.length - a) >= 0; a = logical.indexOf("<<", a + 1)) {
    let opened: number;
    try {
      opened = heredocsInLine(logical.slice(a)).length;
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      continue;
    }
    if (opened === count - k) opener = a;
  }
  return opener;
}

/**
 * The physical line and column (0-based) of an offset into an
 * instruction's logical line: its content lines' segments in order, the
 * first one after the blanks BuildKit trims before the keyword.
 */
export function logicalPosition(lines: readonly PhysicalLine[], instrLines: readonly InstructionLine[], offset: number): { line: number; column: number } {
  let acc = 0;
  let first = true;
  let last = { line: instrLines[0]!.line, column: 0 };
  for (const l of instrLines) {
    if (l.kind !== "content") continue;
    const text = trimNewline(lines[l.line]!.text);
    const column = first ? text.length - goTrimLeftSpace(text).length : 0;
    first = false;
    if (offset < acc + l.segment.length || !l.continues) return { line: l.line, column: column + Math.max(0, offset - acc) };
    acc += l.segment.length;
    last = { line: l.line, column: column + l.segment.length };
  }
  return last;
}

function trimLeadingTabs(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 9) i++;
  return i === 0 ? s : s.slice(i);
}

/** BuildKit stops at a physical line of more than 65,535 bytes (bufio.Scanner's token limit). */
function checkLineLengths(lines: PhysicalLine[], bom: boolean): void {
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    // the cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes
    if (line.text.length * 3 + 4 < MAX_LINE_BYTES) continue;
    const bytes = utf8Length(line.text) + (line.eol === "\r\n" ? 1 : 0) + (k === 0 && bom ? 3 : 0);
    if (bytes > MAX_LINE_BYTES - 1) {
      throw new DockerfileSyntaxError(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES - 1}`, k + 1, 1);
    }
  }
}
