/**
 * legacy-key-value-format: `ENV k v w` / `LABEL k v w` written as
 * `k="v w"`, with the value quoted so that BuildKit's word expansion reads
 * exactly the same string.
 */
import type { Instruction } from "../model/model.js";
import { parseNameVal, parseWords, type EscapeChar } from "../model/command.js";
import { isGoDigit, isGoLetter, isGoSpaceCode, isReWhitespaceCode } from "../model/go.js";
import { LexError, UnsupportedExpansion, processWord } from "../model/lex.js";
import {
  applyLogicalEdits,
  argsLogicalOffset,
  argsSpan,
  expectedKey,
  logicalEditsToSource,
  logicalRangeCrossesDroppedLine,
  logicalSpan,
  suppressedRules,
  whitespaceWords,
  type LogicalEdit,
} from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "legacy-key-value-format";

/** A piece of the value: where it is, and the text that means the same inside double quotes. */
interface Piece {
  start: number;
  end: number;
  text: string;
}

/** Characters that the double-quoted state of BuildKit's lexer treats specially after the escape character. */
const isDqSpecial = (ch: string, escape: string) => ch === '"' || ch === "$" || ch === escape;

/** Go's unicode.IsLetter / IsDigit / `_`: what processName reads after a `$`. */
const isNameChar = (ch: string) => ch === "_" || isGoLetter(ch) || isGoDigit(ch);
/** The special parameters BuildKit's processName reads as a one-character name. */
const SPECIAL_PARAMS = "@*#?-$!0";

class Unquotable extends Error {}

/**
 * Reads a value as BuildKit's shell lexer (frontend/dockerfile/shell/lex.go)
 * reads an unquoted word, and writes each piece so that it means the same
 * inside one pair of double quotes:
 * - a plain character, and blanks, stay;
 * - `ESC c` (any c) is c: it stays `ESC c` when c is `"`, `$` or ESC (the
 *   only characters the escape still escapes inside double quotes), else
 *   becomes c alone (inside double quotes `ESC c` would keep the ESC);
 * - `'...'` is its text taken literally: each `"`, `$` and ESC in it gets
 *   an ESC before it;
 * - `"..."` keeps its inside as written (the same lexer state reads it);
 * - `$name`, `${...}` are kept as written (processDollar reads them the same
 *   way in both states), except where the next piece would now extend the
 *   name (`$a'b'` becomes `${a}b`) or where a lone `$` would now start one
 *   (`$'x'` becomes `ESC$x`).
 * Throws Unquotable for what the lexer rejects (unterminated quotes, a bad
 * substitution): BuildKit fails on such a value at build time, so it is left.
 */
export function quotedPieces(value: string, escape: EscapeChar): Piece[] {
  // code points, and the offset in UTF-16 units of each (the identity for the usual ASCII value)
  const ascii = !/[^\x00-\x7f]/.test(value);
  const chars = ascii ? value.split("") : Array.from(value);
  let offsets: number[] | null = null;
  if (!ascii) {
    offsets = [];
    let o = 0;
    for (const c of chars) {
      offsets.push(o);
      o += c.length;
    }
    offsets.push(o);
  }
  const at = (k: number) => (offsets ? offsets[k]! : k);
  const pieces: (Piece & { dollar?: "name" | "digits" | "bare"; name?: string })[] = [];
  let i = 0;
  const piece = (from: number, to: number, text: string, dollar?: "name" | "digits" | "bare", name?: string) =>
    pieces.push({ start: at(from), end: at(to), text, dollar, name });
  const raw = (from: number, to: number) => chars.slice(from, to).join("");
  const dqLiteral = (ch: string) => (isDqSpecial(ch, escape) ? escape + ch : ch);

  /** processName from `at`: the index after the name and its kind. */
  const nameEnd = (at: number): { end: number; kind: "name" | "digits" | "special" | "none" } => {
    const c = chars[at];
    if (c === undefined) return { end: at, kind: "none" };
    if (isGoDigit(c)) {
      let j = at;
      while (j < chars.length && isGoDigit(chars[j]!)) j++;
      return { end: j, kind: "digits" };
    }
    if (SPECIAL_PARAMS.includes(c)) return { end: at + 1, kind: "special" };
    let j = at;
    while (j < chars.length && isNameChar(chars[j]!)) j++;
    return { end: j, kind: j === at ? "none" : "name" };
  };

  /** processStopOn(stop): the index after the stop character. */
  const stopOn = (at: number, stop: string): number => {
    let j = at;
    while (j < chars.length) {
      const c = chars[j]!;
      if (c === stop) return j + 1;
      if (c === "$") j = dollarEnd(j);
      else if (c === "'") j = singleEnd(j);
      else if (c === '"') j = doubleEnd(j);
      else if (c === escape) j += 2;
      else j++;
    }
    throw new Unquotable(`no closing ${stop}`);
  };

  /** processDollar from the `$` at `at`: the index after the expansion. */
  function dollarEnd(at: number): number {
    if (chars[at + 1] !== "{") return nameEnd(at + 1).end;
    const after = chars[at + 2];
    if (after === undefined || after === "{" || after === "}" || after === ":") throw new Unquotable("bad substitution");
    const n = nameEnd(at + 2).end;
    const op = chars[n];
    if (op === "}") return n + 1;
    if (op === ":") {
      if (!"+-?".includes(chars[n + 1] ?? "x")) throw new Unquotable("unsupported modifier");
      return stopOn(n + 2, "}");
    }
    if (op !== undefined && "+-?#%".includes(op)) return stopOn(n + 1, "}");
    if (op === "/") {
      let j = n + 1;
      if (chars[j] === "/") j++;
      return stopOn(stopOn(j, "/"), "}");
    }
    throw new Unquotable("unsupported modifier");
  }

  function singleEnd(at: number): number {
    const close = chars.indexOf("'", at + 1);
    if (close === -1) throw new Unquotable("no closing single quote");
    return close + 1;
  }

  /** processDoubleQuote from the `"` at `at`: the index after the closing quote. */
  function doubleEnd(at: number): number {
    let j = at + 1;
    while (j < chars.length) {
      const c = chars[j]!;
      if (c === '"') return j + 1;
      if (c === "$") j = dollarEnd(j);
      else if (c === escape && j + 1 < chars.length && isDqSpecial(chars[j + 1]!, escape)) j += 2;
      else j++;
    }
    throw new Unquotable("no closing double quote");
  }

  while (i < chars.length) {
    const c = chars[i]!;
    if (c === escape) {
      if (i + 1 === chars.length) {
        piece(i, i + 1, ""); // an escape at the very end is dropped
        i++;
      } else {
        piece(i, i + 2, dqLiteral(chars[i + 1]!));
        i += 2;
      }
    } else if (c === "'") {
      const end = singleEnd(i);
      piece(i, end, chars.slice(i + 1, end - 1).map(dqLiteral).join(""));
      i = end;
    } else if (c === '"') {
      const end = doubleEnd(i);
      // the inside, piece by piece, so a `$` at its end is seen by the hazard check below
      piece(i, i + 1, "");
      let j = i + 1;
      while (j < end - 1) {
        if (chars[j] === "$") {
          const e = dollarEnd(j);
          pushDollar(j, e);
          j = e;
        } else if (chars[j] === escape && j + 1 < end - 1 && isDqSpecial(chars[j + 1]!, escape)) {
          piece(j, j + 2, raw(j, j + 2));
          j += 2;
        } else {
          piece(j, j + 1, chars[j]!);
          j++;
        }
      }
      piece(end - 1, end, "");
      i = end;
    } else if (c === "$") {
      const e = dollarEnd(i);
      pushDollar(i, e);
      i = e;
    } else {
      piece(i, i + 1, c);
      i++;
    }
  }

  function pushDollar(from: number, to: number): void {
    const text = raw(from, to);
    if (chars[from + 1] === "{") piece(from, to, text);
    else {
      const kind = nameEnd(from + 1).kind;
      if (kind === "special") piece(from, to, text);
      else if (kind === "none") piece(from, to, text, "bare");
      else piece(from, to, text, kind, raw(from + 1, to));
    }
  }

  // What follows a `$` may now join it: fix those pieces.
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    if (!p.dollar) continue;
    let next = "";
    for (let m = k + 1; m < pieces.length && next === ""; m++) next = pieces[m]!.text;
    const first = next === "" ? "" : Array.from(next)[0]!;
    if (first === "") continue;
    if (p.dollar === "bare" && (isNameChar(first) || SPECIAL_PARAMS.includes(first) || first === "{")) p.text = `${escape}$`;
    else if (p.dollar === "name" && isNameChar(first)) p.text = `\${${p.name}}`;
    else if (p.dollar === "digits" && isGoDigit(first)) p.text = `\${${p.name}}`;
  }
  return pieces.map(({ start, end, text }) => ({ start, end, text }));
}

/** The value written inside double quotes (see quotedPieces). */
export function doubleQuoted(value: string, escape: EscapeChar): string | null {
  try {
    return `"${quotedPieces(value, escape).map((p) => p.text).join("")}"`;
  } catch (e) {
    if (e instanceof Unquotable) return null;
    throw e;
  }
}

/** Values given to every variable when the expansions of the old and new text are compared. */
const PROBE_VALUES = [undefined, "", "a b\t c", `q"u'o\\t\`e$x`];

const FAILS = Symbol("fails");
const UNSUPPORTED = Symbol("unsupported");

function expand(text: string, escape: EscapeChar, probe: string | undefined): string | typeof FAILS | typeof UNSUPPORTED {
  try {
    return processWord(text, { escape }, () => probe).result;
  } catch (e) {
    if (e instanceof UnsupportedExpansion) return UNSUPPORTED;
    if (e instanceof LexError) return FAILS;
    throw e;
  }
}

/** Whether BuildKit's ProcessWord gives the same string for both texts, whatever the variables hold (the lexer of src/model/lex.ts). */
export function sameExpansion(before: string, after: string, escape: EscapeChar): boolean {
  let compared = 0;
  let unsupported = 0;
  for (const probe of PROBE_VALUES) {
    const a = expand(before, escape, probe);
    const b = expand(after, escape, probe);
    if (a === UNSUPPORTED) {
      // `${x#p}`, `${x%p}`, `${x/p/r}`: the model's lexer does not evaluate them; quotedPieces copies them as written
      if (b !== UNSUPPORTED) return false;
      unsupported++;
      continue;
    }
    // `${x:?message}` fails for both when x is unset: the same outcome
    if (a !== b) return false;
    if (a !== FAILS) compared++;
  }
  return compared > 0 || unsupported === PROBE_VALUES.length;
}

/** A key that reads the same as the start of a `key=value` word: no blanks, quotes, escapes or `=`. */
function plainKey(key: string, escape: EscapeChar): boolean {
  for (const ch of key) {
    if (isGoSpaceCode(ch.charCodeAt(0)) || ch === '"' || ch === "'" || ch === escape || ch === "=" || ch === "\\" || ch === "`") return false;
  }
  return key.length > 0;
}

export interface KeyValuePlan {
  /** Edits of the instruction's arguments (offsets into `command.args`). */
  edits: LogicalEdit[];
  args: string;
}

/**
 * The `key=value` form of a legacy `KEY value` argument text, or null (with
 * the reason) when none reads the same.
 */
export function planKeyValue(args: string, keyword: string, escape: EscapeChar): KeyValuePlan | { reason: string } {
  const pairs = parseNameVal(args, keyword, escape);
  if (pairs.length !== 1 || pairs[0]!.sep !== "") return { reason: "not the legacy form" };
  const { name: key, value } = pairs[0]!;
  if (!plainKey(key, escape)) return { reason: "the key has blanks, quotes or escapes" };
  let valueStart = key.length;
  while (valueStart < args.length && isReWhitespaceCode(args.charCodeAt(valueStart))) valueStart++;
  if (args.slice(valueStart) !== value) return { reason: "the value is not where BuildKit reads it" };
  // read as BuildKit's lexer reads it: unterminated quotes and bad substitutions fail the build
  let pieces: Piece[];
  try {
    pieces = quotedPieces(value, escape);
  } catch (e) {
    if (e instanceof Unquotable) return { reason: `BuildKit cannot expand the value (${e.message}): the build fails on it` };
    throw e;
  }
  if (expand(value, escape, undefined) === FAILS && PROBE_VALUES.every((probe) => expand(value, escape, probe) === FAILS)) {
    return { reason: "BuildKit cannot expand the value: the build fails on it" };
  }
  const edits: LogicalEdit[] = [];
  // A value that is one word already (no blank outside quotes) reads the same after `key=`.
  const words = parseWords(value, escape);
  let newValue: string;
  if (words.length === 1 && words[0] === value) {
    edits.push({ start: key.length, end: valueStart, text: "=" });
    newValue = value;
  } else {
    edits.push({ start: key.length, end: valueStart, text: '="' });
    let k = 0;
    while (k < pieces.length) {
      const p = pieces[k]!;
      if (p.text === value.slice(p.start, p.end)) {
        k++;
        continue;
      }
      // adjacent changed pieces become one edit
      let end = p.end;
      let text = p.text;
      let m = k + 1;
      while (m < pieces.length && pieces[m]!.text !== value.slice(pieces[m]!.start, pieces[m]!.end)) {
        text += pieces[m]!.text;
        end = pieces[m]!.end;
        m++;
      }
      edits.push({ start: valueStart + p.start, end: valueStart + end, text });
      k = m;
    }
    edits.push({ start: args.length, end: args.length, text: '"' });
    newValue = `"${pieces.map((p) => p.text).join("")}"`;
  }
  const newArgs = applyLogicalEdits(args, 0, edits);
  // The new text must be one pair, with the same key, whose value expands to the same string.
  let after;
  try {
    after = parseNameVal(newArgs, keyword, escape);
  } catch {
    return { reason: "no quoting of the value reads the same" };
  }
  if (after.length !== 1 || after[0]!.name !== key || after[0]!.sep !== "=" || after[0]!.value !== newValue) {
    return { reason: "no quoting of the value reads the same" };
  }
  // the same text expands the same; a quoted one is compared
  if (newValue !== value && !sameExpansion(value, newValue, escape)) return { reason: "no quoting of the value expands to the same string" };
  return { edits, args: newArgs };
}

export const legacyKeyValueFormat: RegisteredRule = {
  id: ID,
  summary: "Write `ENV key value` and `LABEL key value` as `key=\"value\"`, quoted so BuildKit reads the same string",
  safety: "safe",
  buildkit: ["LegacyKeyValueFormat"],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Rewrites the legacy whitespace-separated form `ENV KEY some value` (and `LABEL`) as `ENV KEY=\"some value\"`. A value that is one word already only gets the `=`; a value with blanks is put in double quotes, with its own quoting rewritten so the string is the same: `ENV A 'it is'  \"$HOME\"` becomes `ENV A=\"it is  $HOME\"`. On by default.",
    why:
      "The legacy form takes everything after the first blank as the value, so `ENV A 1 B 2` sets A to `1 B 2`, not two variables; BuildKit warns about it (LegacyKeyValueFormat) and may stop accepting it. The `key=value` form says where the value ends.",
    example: "FROM alpine\nENV GREETING hello   world\nENV MIXED 'single  $quoted' \"double $HOME\"\nLABEL description A tool",
    useInstead: 'FROM alpine\nENV GREETING="hello   world"\nENV MIXED="single  \\$quoted double $HOME"\nLABEL description="A tool"',
    fixSafety:
      "Safe: BuildKit stores the same key and the same value in the image (and the same history entry, `ENV key=value`). The rewrite is checked twice: BuildKit's line parser must read the new text as one `key=value` pair, and BuildKit's word expansion (the same for both forms: ProcessWord with the environment at that point, quotes removed, escapes and `$` expanded) must give the same string, whatever the variables hold. A value that BuildKit cannot expand (an unterminated quote, a bad `${...}`) fails the build today and is left. ONBUILD triggers are left.",
    facts: [
      "BuildKit's parseNameVal (parser/line_parsers.go): when the first word has no `=`, the key is the text before the first run of `[\\t\\v\\f\\r ]` and the value is the whole rest of the line, blanks inside it kept (tabs and runs of spaces too); otherwise every word is `key=value`, words split on Unicode spaces outside quotes, quotes kept in the word.",
      "At build time both forms go through the same expansion: EnvCommand.Expand / LabelCommand.Expand call the expander, which is shell.Lex.ProcessWord with the stage's environment (dockerfile2llb/convert.go), on the key and on the value; ProcessWord keeps blanks as written, removes quotes, processes escapes and expands `$name` and `${...}`. So the value must only be written so that ProcessWord gives the same string.",
      "In BuildKit's lexer (shell/lex.go), unquoted, the escape character escapes any character and is dropped at the end of the text; inside double quotes it escapes only `\"`, `$` and itself and is kept before anything else; single quotes take everything literally; `$` expansions are read by the same processDollar inside and outside double quotes; the escape character is the file's (`\\`, or a backtick with `# escape=``).",
      "A `$` with no name after it stays a `$`; inside double quotes a `$` before a letter, digit, `_`, `{` or special parameter would start an expansion, so such a `$` is escaped; `$name` followed by a name character is written `${name}`.",
      "dispatchEnv and dispatchLabel record the same pair whichever form was used (`NoDelim` only drives the warning), and the history entry is built from the expanded key and value.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      const kw = instr.command.keyword;
      if (kw !== "ENV" && kw !== "LABEL") continue;
      const pairs = parseNameVal(instr.command.args, kw, model.escape);
      if (pairs.length !== 1 || pairs[0]!.sep !== "") continue;
      if (suppressedRules(model, instr).has(ID)) continue;
      const base = argsLogicalOffset(instr);
      // the key: the legacy form's first word, as BuildKit's parseNameVal cuts it
      const keyWord = whitespaceWords(instr.command.args)[0];
      const span = keyWord ? logicalSpan(model, instr, base + keyWord.start, base + keyWord.end) : argsSpan(model, instr);
      const where = { rule: ID, line: instr.startLine + 1, column: 1, span, instruction: instr.index };
      const plan = planKeyValue(instr.command.args, kw, model.escape);
      const key = pairs[0]!.name;
      if ("reason" in plan) {
        findings.push({ ...where, message: `legacy "${kw} key value" form: write ${kw} ${key}=... (not fixed: ${plan.reason})`, fix: null });
        continue;
      }
      const logicalEdits = plan.edits.map((e) => ({ start: base + e.start, end: base + e.end, text: e.text }));
      if (logicalEdits.some((e) => logicalRangeCrossesDroppedLine(instr, e.start, e.end))) {
        findings.push({ ...where, message: `legacy "${kw} key value" form: write ${kw} ${key}=... (not fixed: a comment line inside the instruction sits where the text changes)`, fix: null });
        continue;
      }
      findings.push({
        ...where,
        message: `legacy "${kw} key value" form: BuildKit reads the whole rest of the line as the value; write ${kw} ${short(plan.args)}`,
        fix: {
          safety: "safe",
          description: `rewrite as ${kw} ${short(plan.args)}`,
          edits: logicalEditsToSource(model, instr, logicalEdits),
          declares: { removed: [], replaced: new Map([[instr.index, keyOf(ctx, instr, plan.args)]]) },
        },
      });
    }
    return findings;
  },
};

/** Long values shortened for messages. */
function short(text: string): string {
  return text.length <= 72 ? text : `${text.slice(0, 69)}...`;
}

function keyOf(ctx: RuleContext, instr: Instruction, args: string): string {
  return expectedKey(ctx.model, { ...instr.command, args }, ctx.shells[instr.index] ?? null, instr.startLine);
}
