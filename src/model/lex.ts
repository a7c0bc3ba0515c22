/**
 * BuildKit's shell word lexer (moby/buildkit frontend/dockerfile/shell,
 * `Lex.ProcessWords` / `ProcessWord`), re-implemented for the two things the
 * model needs from it: finding heredoc words in an instruction line (the
 * parser lexes the whole line with raw quotes, raw escapes and unset
 * variables kept) and resolving `FROM $BASE` through the global ARGs.
 *
 * Its quirks are BuildKit's and are kept on purpose, checked against the
 * 8,000 ProcessWords results of BuildKit's own lexer recorded in
 * ../shared/buildkit-readings (test/buildkit-oracle.test.ts):
 * - `<<` followed by blanks (tab, CR, space) stays one word with what
 *   follows: `cat << EOF` lexes as `cat`, `<< EOF`;
 * - the words buffer is shared by nested `${...}` processing, so text
 *   before a `${x:-...}` in the same word is lost (`ab${x:-c}d` -> `${x:-c}d`);
 * - the result of `$...` is split on Unicode spaces, quoted text is not;
 * - a byte-order mark at the start of the text is skipped (Go's text/scanner);
 * - `${x#p}`, `${x%p}` and `${x/p/r}` match with BuildKit's shell patterns
 *   (`*`, `?`, escapes; no brackets), and `${x/p/r}`'s replacement goes
 *   through Go's regexp template (`$0` after an escaped `$` is the match).
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

/**
 * A `${...}` form the lexer cannot evaluate. None is left since pattern
 * removal and replacement are evaluated as BuildKit does; callers that still
 * catch it (src/model/base.ts, two rules) need no change.
 */
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
        return replacePattern(value ?? "", pattern, replacement, replaceAll);
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
      case 0x25: {
        // `#`/`%` the shortest match, `##`/`%%` the longest
        const greedy = word.charCodeAt(0) === ch;
        const pattern = greedy ? word.slice(1) : word;
        return ch === 0x25 ? trimSuffix(pattern, value ?? "", greedy) : trimPrefix(pattern, value ?? "", greedy);
      }
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

/** A shell pattern token: a literal code point, `?` (any character but a line feed) or `*` (any run of them). */
type PatternToken = number | "?" | "*";

/**
 * BuildKit's convertShellPatternToRegex, as tokens: `*` any text, `?` one
 * character (Go's `.`: anything but a line feed), `\` escapes `*`, `?` and
 * `\` (and is dropped before `}` and `/`), anything else literal; no
 * bracket expressions. Throws BuildKit's error for another escape.
 */
function patternTokens(pattern: string): PatternToken[] {
  const chars = Array.from(pattern, (c) => c.codePointAt(0)!);
  const tokens: PatternToken[] = [];
  // Go's text/scanner skips a byte-order mark at the very start
  for (let i = chars[0] === 0xfeff ? 1 : 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === 0x2a /* * */) tokens.push("*");
    else if (c === 0x3f /* ? */) tokens.push("?");
    else if (c === 0x5c /* \ */) {
      const after = chars[i + 1];
      if (after === 0x7d /* } */ || after === 0x2f /* / */) continue;
      i++;
      if (after !== 0x2a && after !== 0x3f && after !== 0x5c) {
        throw new LexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${after === undefined ? "\uFFFD" : String.fromCodePoint(after)}'`);
      }
      tokens.push(after);
    } else tokens.push(c);
  }
  return tokens;
}

/** A `*` may match nothing: reaching it reaches what follows. */
function closeStates(tokens: readonly PatternToken[], states: Map<number, number>): Map<number, number> {
  for (const [i, start] of [...states]) {
    for (let j = i; j < tokens.length && tokens[j] === "*"; j++) if (!((states.get(j + 1) ?? Infinity) <= start)) states.set(j + 1, start);
  }
  return states;
}

/** The states (token positions) reached from `states` over one character, each with the earliest start that reaches it. */
function stepStates(tokens: readonly PatternToken[], states: Map<number, number>, c: number): Map<number, number> {
  const next = new Map<number, number>();
  const add = (i: number, start: number) => {
    if (!((next.get(i) ?? Infinity) <= start)) next.set(i, start);
  };
  for (const [i, start] of states) {
    if (i === tokens.length) continue;
    const t = tokens[i]!;
    if (t === "*") {
      if (c !== 10) add(i, start);
    } else if (t === "?") {
      if (c !== 10) add(i + 1, start);
    } else if (t === c) add(i + 1, start);
  }
  return closeStates(tokens, next);
}

/**
 * The ends of the matches of a pattern that start at `from` in `value`
 * (code points), in increasing order: the pattern as a finite automaton
 * (Go's regexp is one too, so no input makes this slow).
 */
function matchEnds(tokens: readonly PatternToken[], value: readonly number[], from: number): number[] {
  const ends: number[] = [];
  let states = closeStates(tokens, new Map([[0, from]]));
  for (let pos = from; ; pos++) {
    if (states.has(tokens.length)) ends.push(pos);
    if (pos >= value.length || states.size === 0) return ends;
    states = stepStates(tokens, states, value[pos]!);
  }
}

/**
 * The leftmost match from `from` on: its start and end (the longest there:
 * every `*` greedy), or null. One pass: a thread starts at each position
 * until a match is found, each state keeps its earliest start.
 */
function leftmostMatch(tokens: readonly PatternToken[], value: readonly number[], from: number): [number, number] | null {
  let best: [number, number] | null = null;
  let states = new Map<number, number>();
  for (let pos = from; pos <= value.length; pos++) {
    if (best === null) {
      if (!((states.get(0) ?? Infinity) <= pos)) states.set(0, pos);
      states = closeStates(tokens, states);
    }
    const accepted = states.get(tokens.length);
    if (accepted !== undefined && (best === null || accepted <= best[0])) best = [accepted, pos];
    if (best !== null) for (const [i, start] of states) if (start > best[0]) states.delete(i);
    if (pos === value.length || (best !== null && states.size === 0)) break;
    states = stepStates(tokens, states, value[pos]!);
  }
  return best;
}

const codePoints = (s: string) => Array.from(s, (c) => c.codePointAt(0)!);
const fromCodePoints = (cs: readonly number[]) => cs.map((c) => String.fromCodePoint(c)).join("");

/** BuildKit's trimPrefix (`${x#p}` the shortest match at the start, `${x##p}` the longest). */
function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const tokens = patternTokens(pattern);
  const cs = codePoints(value);
  const ends = matchEnds(tokens, cs, 0);
  if (ends.length === 0) return value;
  return fromCodePoints(cs.slice(greedy ? ends[ends.length - 1]! : ends[0]!));
}

/** BuildKit's reversePattern: the pattern backwards, an escape kept before what it escapes. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    const at = last - i;
    if (chars[i] === "\\" && i !== last) {
      out[at - 1] = "\\";
      out[at] = chars[i + 1]!;
      i += 2;
    } else {
      out[at] = chars[i]!;
      i++;
    }
  }
  return out.join("");
}

/** BuildKit's trimSuffix (`${x%p}`, `${x%%p}`): trimPrefix on both reversed. */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const reverse = (s: string) => Array.from(s).reverse().join("");
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/**
 * `${x/p/r}` (the leftmost match) and `${x//p/r}` (Go's ReplaceAllString:
 * every match left to right, an empty match right after the previous one
 * skipped), the replacement through Go's regexp template.
 */
function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const tokens = patternTokens(pattern);
  const cs = codePoints(value);
  if (!all) {
    const m = leftmostMatch(tokens, cs, 0);
    return m ? fromCodePoints(cs.slice(0, m[0])) + replacement + fromCodePoints(cs.slice(m[1])) : value;
  }
  let out = "";
  let lastEnd = 0;
  for (let search = 0; search <= cs.length; ) {
    const m = leftmostMatch(tokens, cs, search);
    if (!m) break;
    out += fromCodePoints(cs.slice(lastEnd, m[0]));
    if (m[1] > lastEnd || m[0] === 0) out += goExpandTemplate(replacement, fromCodePoints(cs.slice(m[0], m[1])));
    lastEnd = m[1];
    search = search + 1 > m[1] ? search + 1 : m[1];
  }
  return out + fromCodePoints(cs.slice(lastEnd));
}

/** Go's Regexp.Expand for a pattern with no groups: `$0` (or `${0}`) the match, `$$` a `$`, other names empty, a malformed `$` kept. */
function goExpandTemplate(template: string, match: string): string {
  let out = "";
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf("$");
    if (dollar === -1) return out + rest;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith("$")) {
      out += "$";
      rest = rest.slice(1);
      continue;
    }
    let name = "";
    if (rest.startsWith("{")) {
      const close = rest.indexOf("}");
      name = close === -1 ? "" : rest.slice(1, close);
      if (name === "" || !isTemplateName(name)) {
        out += "$";
        continue;
      }
      rest = rest.slice(close + 1);
    } else {
      for (const ch of rest) {
        if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== "_") break;
        name += ch;
      }
      if (name === "") {
        out += "$";
        continue;
      }
      rest = rest.slice(name.length);
    }
    if (name === "0") out += match;
  }
}

function isTemplateName(name: string): boolean {
  for (const ch of name) if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== "_") return false;
  return true;
}

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
