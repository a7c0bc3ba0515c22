/**
 * A second reading of shell text, independent of tree-sitter: a hand-written
 * quote-state scan that says which words /bin/sh passes to a program when
 * the text is one simple command, and what each word is once quotes are
 * removed and backslashes resolved. It knows only what it is sure of: a word
 * whose value the shell computes (a parameter expansion, a glob, a tilde, a
 * brace) has no value, and anything else it cannot follow (an operator, a
 * redirection, a command substitution, an assignment prefix, a reserved word,
 * an unterminated quote, `$'...'`, `$"..."`, a backslash before a newline or
 * at the end) makes the whole text unknown.
 *
 * Two dialects: "posix" (as dash reads it) and "bash". /bin/sh may be either
 * (dash on Debian, bash on others, busybox ash on Alpine): callers read the
 * text under every dialect the SHELL may be (shellDialects) and use a
 * reading only when all of them agree (agreedLiteralWords).
 *
 * Sources: XCU 2.2 (quoting), 2.3 (token recognition, comments), 2.4
 * (reserved words), 2.6 (expansions), 2.9.1 (simple commands); bash(1)
 * QUOTING, RESERVED WORDS, EXPANSION. test/exec-form-behaviour.test.ts
 * checks every reading against dash and bash running the text, and the
 * shape against mvdan/sh's parser.
 */

export type ShellDialect = "posix" | "bash";

export interface ScannedWord {
  /** Offsets of the word in the text. */
  start: number;
  end: number;
  /** The word with quotes removed and backslashes resolved, or null when the shell expands it (its value is computed at run time). */
  value: string | null;
}

export interface SimpleCommandScan {
  /** The command's words, the name first. */
  words: ScannedWord[];
  /** Offset of the `#` that starts a comment after the words, if one does. */
  comment: number | null;
}

/** Words that are reserved in command position (XCU 2.4; bash adds its own). */
const RESERVED: Record<ShellDialect, ReadonlySet<string>> = {
  posix: new Set(["!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while"]),
  bash: new Set(["!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while", "[[", "]]", "function", "select", "time", "coproc"]),
};

/** Characters that end a word and start an operator or a redirection (unquoted). */
const OPERATOR = new Set(["|", "&", ";", "<", ">", "(", ")"]);
/** The characters that separate words: space and tab (a newline ends the command). */
const isBlank = (c: string | undefined) => c === " " || c === "\t";
const isNameStart = (c: string | undefined) => c !== undefined && ((c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || c === "_");
const isNameChar = (c: string | undefined) => isNameStart(c) || (c !== undefined && c >= "0" && c <= "9");
/** `$` followed by one of these is a parameter expansion: a name, a digit, or a special parameter (XCU 2.5.2). */
const isParameterStart = (c: string | undefined) => isNameChar(c) || (c !== undefined && "@*#?-$!".includes(c));

/**
 * The text read as one simple command, or null when it is anything else or
 * the scan is unsure. A word whose value is null is one the shell expands:
 * the command's shape is still known (where each word starts and ends).
 */
export function scanSimpleCommand(text: string, dialect: ShellDialect): SimpleCommandScan | null {
  const words: ScannedWord[] = [];
  let comment: number | null = null;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      // a `#` that starts a word starts a comment, to the end of the line
      if (text.indexOf("\n", i) !== -1) return null;
      comment = i;
      break;
    }
    const word = scanWord(text, i);
    if (word === null) return null;
    words.push(word);
    i = word.end;
  }
  if (words.length === 0) return null;
  const first = words[0]!;
  const raw = text.slice(first.start, first.end);
  if (RESERVED[dialect].has(raw)) return null;
  if (isAssignment(raw, dialect)) return null;
  return { words, comment };
}

/**
 * One word from `start` (not a blank, not a `#`): its end and value, or null
 * when it holds an operator, a newline, a command substitution, an
 * unterminated quote or anything the scan does not follow.
 */
function scanWord(text: string, start: number): ScannedWord | null {
  let value = "";
  let literal = true;
  let i = start;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (isBlank(c)) break;
    if (c === "\n" || OPERATOR.has(c) || c === "`") return null;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return null;
      value += text.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      const r = scanDoubleQuoted(text, i + 1);
      if (r === null) return null;
      if (r.value === null) literal = false;
      else value += r.value;
      i = r.end;
    } else if (c === "\\") {
      const next = text[i + 1];
      // a line continuation, or a backslash at the very end: not followed here
      if (next === undefined || next === "\n") return null;
      value += next;
      i += 2;
    } else if (c === "$") {
      const next = text[i + 1];
      if (next === undefined || isBlank(next)) {
        value += "$"; // a `$` that ends a word is itself
        i++;
        continue;
      }
      const end = parameterEnd(text, i);
      if (end === null) return null;
      literal = false;
      i = end;
    } else if (c === "*" || c === "?" || c === "[" || c === "~" || c === "{" || c === "}") {
      // a pattern, a tilde prefix, a brace expansion (bash): the shell computes the word
      literal = false;
      value += c;
      i++;
    } else {
      value += c;
      i++;
    }
  }
  return { start, end: i, value: literal ? value : null };
}

/**
 * A double-quoted string from just after its opening quote: its end (after
 * the closing quote) and value (null when it expands a parameter), or null
 * when unterminated or unsure.
 */
function scanDoubleQuoted(text: string, from: number): { end: number; value: string | null } | null {
  let value = "";
  let literal = true;
  let i = from;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { end: i + 1, value: literal ? value : null };
    if (c === "`") return null;
    if (c === "\\") {
      const next = text[i + 1];
      if (next === undefined || next === "\n") return null;
      // inside double quotes a backslash quotes only $ ` " \ (and a newline)
      if (next === "$" || next === "`" || next === '"' || next === "\\") {
        value += next;
        i += 2;
      } else {
        value += "\\";
        i++;
      }
    } else if (c === "$") {
      const next = text[i + 1];
      if (next === '"' || isBlank(next)) {
        value += "$";
        i++;
        continue;
      }
      const end = parameterEnd(text, i);
      if (end === null) return null;
      literal = false;
      i = end;
    } else {
      value += c;
      i++;
    }
  }
  return null;
}

/**
 * The end of a parameter expansion starting at the `$` at `at`: `$name`,
 * `$1`, `$@` and the other special parameters, `${...}` holding no quote,
 * backslash, `$`, backtick or brace. Null for everything else: `$(...)`,
 * `$((...))`, `$'...'`, `$"..."`, bash's `$[...]`, and a `$` before a
 * character the scan does not judge.
 */
function parameterEnd(text: string, at: number): number | null {
  const next = text[at + 1];
  if (next === "{") {
    for (let j = at + 2; j < text.length; j++) {
      const c = text[j]!;
      if (c === "}") return j > at + 2 ? j + 1 : null;
      if (c === "'" || c === '"' || c === "\\" || c === "$" || c === "`" || c === "{" || c === "\n") return null;
    }
    return null;
  }
  if (isNameStart(next)) {
    let j = at + 1;
    while (isNameChar(text[j])) j++;
    return j;
  }
  if (isParameterStart(next)) return at + 2;
  return null;
}

/** A first word that is an assignment (`NAME=...`; bash also `NAME+=...`), as written: the command then is not that word. */
function isAssignment(raw: string, dialect: ShellDialect): boolean {
  if (!isNameStart(raw[0])) return false;
  let j = 1;
  while (isNameChar(raw[j])) j++;
  if (raw[j] === "=") return true;
  return dialect === "bash" && raw[j] === "+" && raw[j + 1] === "=";
}

/**
 * The words sh passes to the program, when the text is one simple command
 * made only of literal words (a trailing comment dropped); null otherwise.
 */
export function literalWords(text: string, dialect: ShellDialect): string[] | null {
  const scan = scanSimpleCommand(text, dialect);
  if (scan === null) return null;
  const out: string[] = [];
  for (const w of scan.words) {
    if (w.value === null) return null;
    out.push(w.value);
  }
  return out;
}

/** literalWords under every dialect given, when they all agree; null otherwise. */
export function agreedLiteralWords(text: string, dialects: readonly ShellDialect[]): string[] | null {
  const scan = agreedScan(text, dialects);
  if (scan === null || scan.words.some((w) => w.value === null)) return null;
  return scan.words.map((w) => w.value!);
}

/**
 * The dialects a SHELL (null: the default `/bin/sh -c`) may read its text
 * in: `bash` only bash; any other sh (`sh`, `dash`, `ash`, a path to one)
 * may be dash, busybox ash or bash behind the name, so both.
 */
export function shellDialects(shell: readonly string[] | null): ShellDialect[] {
  const program = shell?.[0] ?? "/bin/sh";
  const name = program.slice(program.lastIndexOf("/") + 1);
  return name === "bash" ? ["bash"] : ["posix", "bash"];
}

/** scanSimpleCommand under every dialect given, when they all read the same words, values and comment; null otherwise. */
export function agreedScan(text: string, dialects: readonly ShellDialect[]): SimpleCommandScan | null {
  let agreed: SimpleCommandScan | null = null;
  for (const d of dialects) {
    const scan = scanSimpleCommand(text, d);
    if (scan === null) return null;
    if (agreed !== null && !sameScan(agreed, scan)) return null;
    agreed = scan;
  }
  return agreed;
}

function sameScan(a: SimpleCommandScan, b: SimpleCommandScan): boolean {
  if (a.comment !== b.comment || a.words.length !== b.words.length) return false;
  return a.words.every((w, k) => w.start === b.words[k]!.start && w.end === b.words[k]!.end && w.value === b.words[k]!.value);
}
