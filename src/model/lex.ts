/**
 * BuildKit's shell word lexer (moby/buildkit frontend/dockerfile/shell,
 * `Lex.ProcessWords` / `ProcessWord`), re-implemented for the two things the
 * model needs from it: finding heredoc words in an instruction line (the
 * parser lexes the whole line with raw quotes, raw escapes and unset
 * variables kept) and resolving `FROM $BASE` through the global ARGs.
 *
 * Its quirks are BuildKit's and are kept on purpose, checked against
 * BuildKit's own lexer (../shared/tools/buildkit-parse --words):
 * - `<<` followed by blanks (tab, CR, space) stays one word with what
 *   follows: `cat << EOF` lexes as `cat`, `<< EOF`;
 * - the words buffer is shared by nested `${...}` processing, so text
 *   before a `${x:-...}` in the same word is lost (`ab${x:-c}d` -> `${x:-c}d`);
 * - the result of `$...` is split on Unicode spaces, quoted text is not;
 * - a byte-order mark at the start of the text is skipped (Go's text/scanner).
 */
import { isGoDigit, isGoLetter, isGoSpaceCode } from "./go.js";

export interface LexOptions {
  /** The escape character (BuildKit's heredoc search always uses `\`). */
  escape: string;
  rawQuotes?: boolean;
  rawEscapes?: boolean;
  skipUnsetEnv?: boolean;
  skipProcessQuotes?: boolean;
}

/** The value of a variable, or undefined when it is not set. */
export type EnvLookup = (name: string) => string | undefined;

export class LexError extends Error {}

/** A `${...}` form the caller cannot evaluate (pattern removal and replacement on a set variable). */
export class UnsupportedExpansion extends Error {}

const EOF = -1;

class Lexer {
  private readonly chars: number[];
  private pos = 0;
  /** BuildKit's shellWord.wordsBuffer: one per lexer, reset by every processStopOn. */
  private wordsBuffer = "";
  private rawEscapes: boolean;
  readonly unmatched = new Set<string>();

  constructor(
    text: string,
    private readonly options: LexOptions,
    private readonly env: EnvLookup,
  ) {
    this.chars = Array.from(text, (c) => c.codePointAt(0)!);
    // Go's text/scanner skips a byte-order mark at the very start of its input (only there)
    if (this.chars[0] === 0xfeff) this.pos = 1;
    this.rawEscapes = options.rawEscapes === true;
  }

  private peek(): number {
    return this.pos < this.chars.length ? this.chars[this.pos]! : EOF;
  }

  private next(): number {
    return this.pos < this.chars.length ? this.chars[this.pos++]! : EOF;
  }

  process(): { result: string; words: string[] } {
    return this.processStopOn(EOF, this.rawEscapes);
  }

  private processStopOn(stop: number, rawEscapes: boolean): { result: string; words: string[] } {
    let result = "";
    this.wordsBuffer = "";
    const words: string[] = [];
    let inWord = false;
    const addRawChar = (s: string) => {
      this.wordsBuffer += s;
      inWord = true;
    };
    const addChar = (c: number) => {
      if (isGoSpaceCode(c)) {
        if (inWord && this.wordsBuffer.length !== 0) {
          words.push(this.wordsBuffer);
          this.wordsBuffer = "";
          inWord = false;
        }
      } else addRawChar(String.fromCodePoint(c));
    };
    // BuildKit's wordsStruct.getWords: the word in the (shared) buffer ends here
    const finish = (): string[] => {
      if (this.wordsBuffer.length > 0) {
        words.push(this.wordsBuffer);
        this.wordsBuffer = "";
        inWord = false;
      }
      return words;
    };
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      const escape = this.options.escape.codePointAt(0)!;
      const quotes = this.options.skipProcessQuotes !== true;
      for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
        if (stop !== EOF && ch === stop) {
          this.next();
          return { result, words: finish() };
        }
        if (ch === 0x24 /* $ */) {
          const tmp = this.processDollar();
          result += tmp;
          for (const c of tmp) addChar(c.codePointAt(0)!);
          continue;
        }
        if (ch === 0x3c /* < */ || (quotes && (ch === 0x27 || ch === 0x22))) {
          const tmp = ch === 0x3c ? this.processPossibleHeredoc() : ch === 0x27 ? this.processSingleQuote() : this.processDoubleQuote();
          result += tmp;
          addRawChar(tmp);
          continue;
        }
        let c = this.next();
        if (c === escape) {
          if (this.rawEscapes) {
            addRawChar(String.fromCodePoint(c));
            result += String.fromCodePoint(c);
          }
          c = this.next();
          if (c === EOF) break;
          addRawChar(String.fromCodePoint(c));
        } else addChar(c);
        result += String.fromCodePoint(c);
      }
      if (stop !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${String.fromCodePoint(stop)}`);
      return { result, words: finish() };
    } finally {
      this.rawEscapes = saved;
    }

  }

  private processSingleQuote(): string {
    let result = "";
    const open = this.next();
    if (this.options.rawQuotes) result += String.fromCodePoint(open);
    for (;;) {
      const c = this.next();
      if (c === EOF) throw new LexError("unexpected end of statement while looking for matching single-quote");
      if (c === 0x27) {
        if (this.options.rawQuotes) result += "'";
        return result;
      }
      result += String.fromCodePoint(c);
    }
  }

  private processDoubleQuote(): string {
    let result = "";
    const open = this.next();
    if (this.options.rawQuotes) result += String.fromCodePoint(open);
    const escape = this.options.escape.codePointAt(0)!;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new LexError("unexpected end of statement while looking for matching double-quote");
      if (p === 0x22) {
        this.next();
        if (this.options.rawQuotes) result += '"';
        return result;
      }
      if (p === 0x24) {
        result += this.processDollar();
        continue;
      }
      let c = this.next();
      if (c === escape) {
        if (this.rawEscapes) result += String.fromCodePoint(c);
        const after = this.peek();
        if (after === EOF) continue; // an escape at the end is dropped
        if (after === 0x22 || after === 0x24 || after === escape) c = this.next();
      }
      result += String.fromCodePoint(c);
    }
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== 0x3c) return "<";
    this.next();
    let space = "";
    // BuildKit's isWhitespace: tab, CR and space (not Go's \s)
    for (let c = this.peek(); c === 9 || c === 13 || c === 32; c = this.peek()) {
      space += String.fromCodePoint(c);
      this.next();
    }
    return `<<${space}`;
  }

  private getEnv(name: string): string | undefined {
    const v = this.env(name);
    if (v === undefined) this.unmatched.add(name);
    return v;
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== 0x7b /* { */) {
      const name = this.processName();
      if (name === "") return "$";
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return `$${name}`;
      return value ?? "";
    }
    this.next();
    const p = this.peek();
    if (p === EOF) throw new LexError("syntax error: missing '}'");
    if (p === 0x7b || p === 0x7d || p === 0x3a) throw new LexError("syntax error: bad substitution");
    const name = this.processName();
    let ch = this.next();
    let chs = ch === EOF ? "\uFFFD" : String.fromCodePoint(ch);
    let nullIsUnset = false;
    switch (ch) {
      case 0x7d /* } */: {
        const value = this.getEnv(name);
        if (value === undefined && this.options.skipUnsetEnv) return `\${${name}}`;
        return value ?? "";
      }
      case 0x2f /* / */: {
        const replaceAll = this.peek() === 0x2f;
        if (replaceAll) this.next();
        const pattern = this.stopOnOrMissing(0x2f, true, "syntax error: missing '/' in ${}");
        const replacement = this.stopOnOrMissing(0x7d, true, "syntax error: missing '}'");
        const value = this.getEnv(name);
        if (value === undefined && this.options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
        throw new UnsupportedExpansion(`\${${name}/...} on a set variable`);
      }
      case 0x3a /* : */:
        nullIsUnset = true;
        ch = this.next();
        chs += ch === EOF ? "\uFFFD" : String.fromCodePoint(ch);
        break;
      case 0x2b:
      case 0x2d:
      case 0x3f:
      case 0x23:
      case 0x25:
        break;
      default:
        throw new LexError(`unsupported modifier (${chs}) in substitution`);
    }
    // + - ? # % (and whatever follows `:`, as Go's fallthrough does)
    const rawEscapes = ch === 0x23 || ch === 0x25;
    if (nullIsUnset && rawEscapes) throw new LexError(`unsupported modifier (${chs}) in substitution`);
    const word = this.stopOnOrMissing(0x7d, rawEscapes, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}${chs}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === "");
    switch (ch) {
      case 0x2d:
        return unset ? word : value!;
      case 0x2b:
        return unset ? "" : word;
      case 0x3f:
        if (value === undefined) throw new LexError(`${name}: ${word || "is not allowed to be unset"}`);
        if (nullIsUnset && value === "") throw new LexError(`${name}: ${word || "is not allowed to be empty"}`);
        return value;
      case 0x23:
      case 0x25:
        throw new UnsupportedExpansion(`\${${name}${chs}...} on a set variable`);
      default:
        throw new LexError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** processStopOn(stop) inside `${...}`, with BuildKit's message when the input ends first. */
  private stopOnOrMissing(stop: number, rawEscapes: boolean, missing: string): string {
    try {
      return this.processStopOn(stop, rawEscapes).result;
    } catch (e) {
      if (e instanceof LexError && this.peek() === EOF) throw new LexError(missing);
      throw e;
    }
  }

  private processName(): string {
    let name = "";
    for (let c = this.peek(); c !== EOF; c = this.peek()) {
      const ch = String.fromCodePoint(c);
      if (name === "" && isGoDigit(ch)) {
        while (this.peek() !== EOF && isGoDigit(String.fromCodePoint(this.peek()))) name += String.fromCodePoint(this.next());
        return name;
      }
      if (name === "" && "@*#?-$!0".includes(ch)) {
        this.next();
        return ch;
      }
      if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== "_") break;
      this.next();
      name += ch;
    }
    return name;
  }
}

const noEnv: EnvLookup = () => undefined;

/** Lex.ProcessWords: the words of `text`. Throws LexError where BuildKit's lexer fails. */
export function processWords(text: string, options: LexOptions, env: EnvLookup = noEnv): string[] {
  return new Lexer(text, options, env).process().words;
}

/** Lex.ProcessWordWithMatches: the expanded text, and the variables it used that were not set. */
export function processWord(text: string, options: LexOptions, env: EnvLookup = noEnv): { result: string; unmatched: Set<string> } {
  const lexer = new Lexer(text, options, env);
  const { result } = lexer.process();
  return { result, unmatched: lexer.unmatched };
}
