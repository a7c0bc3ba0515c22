/**
 * A second reading of shell text, independent of tree-sitter-bash: a
 * hand-written quote-state scan that says, character by character, which
 * blanks only separate words. The formatter changes a blank only where this
 * reading and tree-sitter's agree, and the meaning check compares this
 * reading too, so a quoting mistake of one reading is caught by the other.
 *
 * Two dialects: "posix" reads as dash does (no `$'…'`: there `$` is followed
 * by an ordinary single-quoted string, in which a backslash is literal), and
 * "bash". The scan knows backslash escapes, single and double quotes,
 * `$'…'` (bash), `$"…"`, `${…}` (nested, with quotes inside), `$(…)`,
 * `$((…))`, backquotes, comments and heredocs. It never guesses: where it
 * meets something it cannot read for certain (a quote inside backquotes, a
 * `case` inside `$(…)`, a single quote in `${…}` inside double quotes, a
 * heredoc delimiter that is not plain, `[[ … =~ … ]]` in bash, an
 * unterminated quote), every character from there on is "protected".
 *
 * One pass, no allocation per character beyond the result.
 */

export type ShellDialect = "posix" | "bash";

/** Both dialects: the shells a stage whose shell is /bin/sh may run (an image's sh may be dash or bash). */
export const ALL_DIALECTS: readonly ShellDialect[] = Object.freeze(["posix", "bash"]);

/** A character the scan read as nothing that matters to the blanks: quoted, inside an expansion or a substitution, a comment, a word, or after a point it could not read. */
export const PROTECTED = 0;
/**
 * A space or tab outside every quote, expansion and comment, at the top level
 * or at the command level of a `$(…)` whose end the scan is sure of: it only
 * separates words (of the command line, or of the substitution's commands).
 */
export const SEPARATOR = 1;
/** A `;`, `&` or `|` where a SEPARATOR could be: part of an operator. */
export const OPERATOR = 2;

/** What a frame on the scan's stack is. */
const TOP = 0;
/** `$(…)`, or `<(…)` / `>(…)` in bash. */
const SUBST = 1;
const DQUOTE = 2;
/** `${…}` */
const BRACE = 3;
/** `$((…))` */
const ARITH = 4;

/** Where a word may start in command context. */
const IN_WORD = 0;
const WORD_START = 1;
/** After `<`, `>`, `(` or `)`: a word starts, but whether a `#` there starts a comment is not certain. */
const UNSURE_START = 2;

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/** Characters a heredoc delimiter may hold for the scan to be sure where its body ends. */
function isPlainDelimiterCode(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || // _
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x3a || // :
    c === 0x2b || // +
    c === 0x40 || // @
    c === 0x25 || // %
    c === 0x2c || // ,
    c === 0x3d // =
  );
}

/** Characters that end an unquoted word in command context (besides blanks and newline). */
function endsWord(c: number): boolean {
  return c === 0x3b || c === 0x26 || c === 0x7c || c === 0x3c || c === 0x3e || c === 0x28 || c === 0x29;
}

interface PendingHeredoc {
  delimiter: string;
  stripTabs: boolean;
  quoted: boolean;
}

/**
 * The scan: for each UTF-16 code unit of `text`, SEPARATOR, OPERATOR or
 * PROTECTED, as `dialect` reads it.
 */
export function quoteScan(text: string, dialect: ShellDialect): Uint8Array {
  return quoteScanReach(text, dialect).classes;
}

/** The scan, and how far it was sure of its reading (text.length when it read everything: from `reach` on, all is PROTECTED). */
export function quoteScanReach(text: string, dialect: ShellDialect): { classes: Uint8Array; reach: number } {
  const classes = new Uint8Array(text.length);
  const reach = scanInto(text, dialect, classes);
  return { classes, reach };
}

/**
 * Fills `out`; returns where the scan stopped being sure (text.length when it
 * read everything). Everything from that offset on stays PROTECTED.
 */
function scanInto(text: string, dialect: ShellDialect, out: Uint8Array): number {
  const n = text.length;
  const bash = dialect === "bash";
  const frames = new Frames();
  let pending: PendingHeredoc[] | null = null;
  let word = WORD_START;
  let i = 0;

  while (i < n) {
    const kind = frames.top();
    const c = text.charCodeAt(i);
    // a heredoc's body starts after the newline that ends the command line: one inside a quote or substitution is not followed
    if (pending !== null && c === 0x0a && kind !== TOP) return i;
    if (kind === TOP || kind === SUBST) {
      const top = kind === TOP;
      if (isBlank(c)) {
        out[i] = SEPARATOR;
        word = WORD_START;
        i++;
        continue;
      }
      if (c === 0x0a) {
        word = WORD_START;
        i++;
        if (pending) {
          const after = heredocBodies(text, i, pending);
          if (after < 0) return i;
          i = after;
          pending = null;
        }
        continue;
      }
      if (c === 0x23 /* # */ && word !== IN_WORD) {
        if (word === UNSURE_START) return i;
        // a comment, to the end of the line (the newline is not part of it)
        const nl = text.indexOf("\n", i);
        i = nl < 0 ? n : nl;
        continue;
      }
      if (c === 0x5c /* \ */) {
        // an escaped character (a newline escaped is removed, the word goes on as it was)
        if (i + 1 < n && text.charCodeAt(i + 1) === 0x0a) {
          i += 2;
          continue;
        }
        word = IN_WORD;
        i += 2;
        continue;
      }
      if (c === 0x27 /* ' */) {
        const end = singleQuoted(text, i);
        if (end < 0 || (pending !== null && holdsNewline(text, i, end))) return i;
        i = end;
        word = IN_WORD;
        continue;
      }
      if (c === 0x22 /* " */) {
        frames.push(DQUOTE);
        i++;
        continue;
      }
      if (c === 0x60 /* ` */) {
        const end = backquoted(text, i);
        if (end < 0 || (pending !== null && holdsNewline(text, i, end))) return i;
        i = end;
        word = IN_WORD;
        continue;
      }
      if (c === 0x24 /* $ */) {
        // part of a word; a `$(` opened here starts its own (push)
        word = IN_WORD;
        const depth = frames.kinds.length;
        const next = dollar(text, i, true, bash, frames);
        if (frames.kinds.length > depth) word = frames.top() === SUBST ? UNSURE_START : IN_WORD;
        if (next < 0 || (pending !== null && holdsNewline(text, i, next))) return i;
        i = next;
        continue;
      }
      if (c === 0x3b || c === 0x26 || c === 0x7c) {
        out[i] = OPERATOR;
        word = WORD_START;
        i++;
        continue;
      }
      if (c === 0x3c || c === 0x3e /* < > */) {
        const second = i + 1 < n ? text.charCodeAt(i + 1) : -1;
        if (second === 0x28) {
          // process substitution: bash only (dash rejects it)
          if (!bash) return i;
          frames.push(SUBST);
          word = UNSURE_START;
          i += 2;
          continue;
        }
        if (c === 0x3c && second === 0x3c) {
          if (i + 2 < n && text.charCodeAt(i + 2) === 0x3c) {
            // bash's here-string; dash reads `<<` and a delimiter starting with `<`
            if (!bash) return i;
            i += 3;
            word = WORD_START;
            continue;
          }
          // a heredoc: its body starts after the next newline; inside a substitution the scan does not follow it
          if (!top) return i;
          const heredoc = heredocOperator(text, i);
          if (!heredoc) return i;
          (pending ??= []).push(heredoc.pending);
          i = heredoc.end;
          word = IN_WORD;
          continue;
        }
        word = UNSURE_START;
        i++;
        continue;
      }
      if (c === 0x28 /* ( */) {
        // `((` is bash's arithmetic command (to its `))`, blanks inside are no separators) and dash's two subshells;
        // extglob's `@(…)` and the others are bash's patterns
        if (bash && word !== IN_WORD && i + 1 < n && text.charCodeAt(i + 1) === 0x28) {
          frames.push(ARITH);
          word = IN_WORD;
          i += 2;
          continue;
        }
        if (word === IN_WORD && bash && i > 0 && isExtglobCode(text.charCodeAt(i - 1))) return i;
        if (!top) frames.depths[frames.depths.length - 1]!++;
        word = UNSURE_START;
        i++;
        continue;
      }
      if (c === 0x29 /* ) */) {
        if (!top) {
          if (frames.depths[frames.depths.length - 1] === 0) {
            frames.pop();
            word = IN_WORD;
            i++;
            continue;
          }
          frames.depths[frames.depths.length - 1]!--;
        }
        word = UNSURE_START;
        i++;
        continue;
      }
      if (word !== IN_WORD) {
        // a `)` in a case pattern would end `$(` early for a counter of parentheses
        if (!top && startsWord(text, i, "case")) return i;
        // bash's `[[ … =~ … ]]`: blanks inside a parenthesised regular expression are part of it
        if (bash && startsWord(text, i, "=~")) return i;
      }
      word = IN_WORD;
      i++;
      continue;
    }
    if (kind === DQUOTE) {
      if (c === 0x22) {
        frames.pop();
        word = IN_WORD;
        i++;
      } else if (c === 0x5c) {
        i += 2;
      } else if (c === 0x24) {
        const depth = frames.kinds.length;
        const next = dollar(text, i, false, bash, frames);
        if (frames.kinds.length > depth) word = frames.top() === SUBST ? UNSURE_START : IN_WORD;
        if (next < 0) return i;
        i = next;
      } else if (c === 0x60) {
        const end = backquoted(text, i);
        if (end < 0 || (pending !== null && holdsNewline(text, i, end))) return i;
        i = end;
      } else {
        i++;
      }
      continue;
    }
    if (kind === BRACE) {
      const quoted = frames.inDq[frames.inDq.length - 1]!;
      if (c === 0x7d /* } */) {
        frames.pop();
        word = IN_WORD;
        i++;
      } else if (c === 0x5c) {
        i += 2;
      } else if (c === 0x24) {
        const depth = frames.kinds.length;
        const next = dollar(text, i, !quoted, bash, frames);
        if (frames.kinds.length > depth) word = frames.top() === SUBST ? UNSURE_START : IN_WORD;
        if (next < 0 || (pending !== null && holdsNewline(text, i, next))) return i;
        i = next;
      } else if (c === 0x27) {
        // inside double quotes, whether a single quote quotes depends on the operator and the shell
        if (quoted) return i;
        const end = singleQuoted(text, i);
        if (end < 0 || (pending !== null && holdsNewline(text, i, end))) return i;
        i = end;
      } else if (c === 0x22) {
        if (quoted) return i;
        frames.push(DQUOTE);
        i++;
      } else if (c === 0x60) {
        const end = backquoted(text, i);
        if (end < 0 || (pending !== null && holdsNewline(text, i, end))) return i;
        i = end;
      } else if (c === 0x7b /* { */) {
        return i;
      } else {
        i++;
      }
      continue;
    }
    // ARITH
    if (c === 0x28) {
      frames.depths[frames.depths.length - 1]!++;
      i++;
    } else if (c === 0x29) {
      if (frames.depths[frames.depths.length - 1]! > 0) {
        frames.depths[frames.depths.length - 1]!--;
        i++;
      } else if (i + 1 < n && text.charCodeAt(i + 1) === 0x29) {
        frames.pop();
        word = IN_WORD;
        i += 2;
      } else {
        return i;
      }
    } else if (c === 0x24) {
      const depth = frames.kinds.length;
      const next = dollar(text, i, false, bash, frames);
      if (frames.kinds.length > depth) word = frames.top() === SUBST ? UNSURE_START : IN_WORD;
      if (next < 0) return i;
      i = next;
    } else if (c === 0x27 || c === 0x22 || c === 0x60 || c === 0x5c) {
      return i;
    } else {
      i++;
    }
  }
  return n;
}

/** The scan's stack of frames: kind, paren depth (SUBST, ARITH) and, for BRACE, whether it is inside double quotes. */
class Frames {
  readonly kinds: number[] = [TOP];
  readonly depths: number[] = [0];
  readonly inDq: boolean[] = [false];

  top(): number {
    return this.kinds[this.kinds.length - 1]!;
  }

  push(kind: number): void {
    const parent = this.top();
    this.inDq.push(parent === DQUOTE || ((parent === BRACE || parent === ARITH) && this.inDq[this.inDq.length - 1]!));
    this.kinds.push(kind);
    this.depths.push(0);
  }

  pop(): void {
    this.kinds.pop();
    this.depths.pop();
    this.inDq.pop();
  }
}

/** Past the single-quoted string whose opening quote is at `at`, or -1 if it does not end. */
function singleQuoted(text: string, at: number): number {
  const end = text.indexOf("'", at + 1);
  return end < 0 ? -1 : end + 1;
}

/** Past bash's `$'…'` whose `$` is at `at`, or -1. */
function ansiQuoted(text: string, at: number): number {
  for (let j = at + 2; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x27) return j + 1;
  }
  return -1;
}

/**
 * Past the backquoted substitution whose opening backquote is at `at`, or
 * -1: it ends at the first backquote not escaped; a quote inside is read
 * differently by different shells (and POSIX leaves it undefined inside
 * double quotes), so one makes the scan unsure.
 */
function backquoted(text: string, at: number): number {
  for (let j = at + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x60) return j + 1;
    else if (c === 0x27 || c === 0x22) return -1;
  }
  return -1;
}

/**
 * A `$` at `i` in any context (`ansi`: whether `$'` starts an ANSI-C string
 * here): pushes the frame it opens, if any, and returns the next offset, or
 * -1 where unsure.
 */
function dollar(text: string, i: number, ansi: boolean, bash: boolean, frames: Frames): number {
  const n = text.length;
  const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
  if (next === 0x28) {
    // $( or $((
    if (i + 2 < n && text.charCodeAt(i + 2) === 0x28) {
      frames.push(ARITH);
      return i + 3;
    }
    frames.push(SUBST);
    return i + 2;
  }
  if (next === 0x7b) {
    // ${ followed by a blank, newline or | is bash 5.3's command substitution in the current shell
    const after = i + 2 < n ? text.charCodeAt(i + 2) : -1;
    if (isBlank(after) || after === 0x0a || after === 0x7c) return -1;
    frames.push(BRACE);
    return i + 2;
  }
  if (next === 0x27 && ansi && bash) return ansiQuoted(text, i);
  // bash's $[…] arithmetic: its blanks are not separators there, but are to dash
  if (next === 0x5b && bash) return -1;
  // $# and the other special parameters: the character is part of the expansion, not a comment or a quote
  if (next === 0x23 || next === 0x3f || next === 0x24 || next === 0x21 || next === 0x40 || next === 0x2a || next === 0x2d) return i + 2;
  return i + 1;
}

/** Whether [from, to) holds a newline (while a heredoc waits for its body, where that body starts is not followed). */
function holdsNewline(text: string, from: number, to: number): boolean {
  const nl = text.indexOf("\n", from);
  return nl >= 0 && nl < to;
}

/**
 * Whether the two dialects read `text` alike: it holds none of what only
 * bash reads differently (`$'`, `$[`, `=~`, `<(`, `>(`, `<<<`, `((`, extglob's
 * `?(` `*(` `+(` `@(` `!(`), so the scan takes the same steps in both.
 */
export function dialectsAgree(text: string): boolean {
  for (const s of BASH_ONLY_SPELLINGS) if (text.includes(s)) return false;
  return true;
}

const BASH_ONLY_SPELLINGS = ["$'", "$[", "=~", "<(", ">(", "<<<", "((", "?(", "*(", "+(", "@(", "!("];

/** The characters before `(` that make an extglob pattern in bash: `?(`, `*(`, `+(`, `@(`, `!(`. */
function isExtglobCode(c: number): boolean {
  return c === 0x3f || c === 0x2a || c === 0x2b || c === 0x40 || c === 0x21;
}

/** Whether the unquoted word `w` stands alone at `at` (followed by a blank, a newline, an operator character or the end). */
function startsWord(text: string, at: number, w: string): boolean {
  if (!text.startsWith(w, at)) return false;
  const after = at + w.length;
  if (after >= text.length) return true;
  const c = text.charCodeAt(after);
  return isBlank(c) || c === 0x0a || endsWord(c);
}

/**
 * The heredoc operator at `at` (`<<` or `<<-`) and its delimiter word, if the
 * word is plain (letters, digits and a few punctuation characters, possibly
 * wrapped whole in single or double quotes): where the word ends, and what
 * ends the body. Null otherwise.
 */
function heredocOperator(text: string, at: number): { end: number; pending: PendingHeredoc } | null {
  const n = text.length;
  let i = at + 2;
  const stripTabs = i < n && text.charCodeAt(i) === 0x2d;
  if (stripTabs) i++;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  let quote = -1;
  if (i < n && (text.charCodeAt(i) === 0x27 || text.charCodeAt(i) === 0x22)) {
    quote = text.charCodeAt(i);
    i++;
  }
  const start = i;
  while (i < n && isPlainDelimiterCode(text.charCodeAt(i))) i++;
  const delimiter = text.slice(start, i);
  if (delimiter === "") return null;
  if (quote >= 0) {
    if (i >= n || text.charCodeAt(i) !== quote) return null;
    i++;
  }
  // the word must end here: anything else (a quote in its middle, an expansion) is not read
  if (i < n) {
    const c = text.charCodeAt(i);
    if (!isBlank(c) && c !== 0x0a && !endsWord(c)) return null;
  }
  return { end: i, pending: { delimiter, stripTabs, quoted: quote >= 0 } };
}

/**
 * Skips the bodies of the pending heredocs, which start at `from` (after a
 * newline): returns where the text after them starts, or -1 where a body
 * runs to the end of the text or cannot be read for certain (an unquoted
 * body's line ending in a backslash joins the next line).
 */
function heredocBodies(text: string, from: number, pending: readonly PendingHeredoc[]): number {
  const n = text.length;
  let i = from;
  for (const h of pending) {
    for (;;) {
      if (i >= n) return -1;
      const nl = text.indexOf("\n", i);
      const lineEnd = nl < 0 ? n : nl;
      let s = i;
      if (h.stripTabs) while (s < lineEnd && text.charCodeAt(s) === 0x09) s++;
      const isEnd = lineEnd - s === h.delimiter.length && text.startsWith(h.delimiter, s);
      if (!isEnd && !h.quoted && lineEnd > i && text.charCodeAt(lineEnd - 1) === 0x5c) return -1;
      i = nl < 0 ? n : nl + 1;
      if (isEnd) break;
      if (nl < 0) return -1;
    }
  }
  return i;
}

/**
 * The text as `dialect` reads its blanks: every run of separator blanks as
 * one space, except at the start and end of the text and next to an
 * operator's `;`, `&` or `|` (where it is dropped, when the other side is no
 * operator or redirection character: `a ;b`, `a;b` and `a ; b` are one
 * command line, `a & &b` and `a &&b` are not). Two texts with equal readings
 * in a dialect split into the same words there.
 */
export function separatorReading(text: string, dialect: ShellDialect): string {
  return readingOf(text, quoteScan(text, dialect));
}

/** separatorReading from a scan already made (`classes`, quoteScan's result for `text`). */
export function readingOf(text: string, classes: Uint8Array): string {
  const n = text.length;
  let out = "";
  let copied = 0;
  for (let i = 0; i < n; i++) {
    if (classes[i] !== SEPARATOR) continue;
    let j = i;
    while (j < n && classes[j] === SEPARATOR) j++;
    out += text.slice(copied, i);
    copied = j;
    const dropped =
      i === 0 ||
      j === n ||
      (classes[i - 1] === OPERATOR && mayTouchOperator(text, classes, j)) ||
      (classes[j] === OPERATOR && mayTouchOperator(text, classes, i - 1));
    if (!dropped) out += " ";
    i = j - 1;
  }
  return out + text.slice(copied);
}

/** Whether the character at `k` may be written right next to an operator character without changing the tokens: not an operator or redirection character, not a newline. */
function mayTouchOperator(text: string, classes: Uint8Array, k: number): boolean {
  if (classes[k] === OPERATOR) return false;
  const c = text.charCodeAt(k);
  return c !== 0x3c && c !== 0x3e && c !== 0x0a;
}
