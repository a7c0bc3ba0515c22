/**
 * legacy-key-value-format over generated values: every blank (space, tab,
 * runs, leading and trailing), quote (' and ", balanced or not), escape
 * (`\`, and the backtick of `# escape=``), and `$` form, in pairs.
 *
 * What BuildKit stores for `ENV k <value>` is ProcessWord(value) with the
 * stage's environment (instructions.EnvCommand.Expand, the same for both
 * forms), so the test compares, through the model, which BuildKit's recorded
 * readings judge (test/buildkit-oracle.test.ts: the model's reading agrees
 * with all 22,353 recorded files, and its processWords with all 8,000
 * recorded ProcessWords results):
 * - the reading (modelReading, BuildKit's parser.Node shape): the legacy
 *   text gives the pair (k, V, no delimiter), the fixed text the pair
 *   (k, W, "=") and nothing else changes;
 * - the lexer (modelWords = processWords, empty environment): W expands to
 *   the same string as V. ProcessWord(V) keeps V's unquoted blanks as written
 *   and expands the pieces between them on their own, so for values built
 *   from pieces that can be expanded alone it is the pieces' expansions
 *   joined with those blanks; W is one double-quoted word, so ProcessWords(W)
 *   is ProcessWord(W). Values with an unbalanced piece are compared with
 *   processWord of the whole value.
 * - a value BuildKit cannot expand (the build fails on it) is never fixed.
 *
 * `$` expansion: quoting does not change it. Both forms are expanded by the
 * same ProcessWord, and `$` expands inside double quotes as outside, so
 * `${x:-d}` and `${x:+alt}` give the same default either way, and a `$` that
 * must stay a `$` is escaped. The rule itself compares the expansions with
 * variables set to tricky values (blanks, quotes, `$`) before it offers a fix.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { fixSync } from "../src/codemod/fix.js";
import { initShell } from "../src/index.js";
import { processWord } from "../src/model/lex.js";
import { stripContinuation } from "../src/model/scan.js";
import { modelReading } from "./oracle.js";
import { modelWords } from "./oracle-words.js";

const RULE = "legacy-key-value-format";

/** Pieces of values with the default escape `\`. */
const PIECES_BACKSLASH = [
  "a", "b1", "x=y", "/usr/bin:$PATH", "#c", "<<", "<x", "&&", ";",
  "'s q'", "'$x'", "''", `'a"b'`, String.raw`'a\b'`,
  `"d q"`, `"in $x"`, `""`, `"a'b"`, String.raw`"e\"q"`, String.raw`"b\\s"`, String.raw`"\$x"`, String.raw`"\a"`, `"\${x:-d}"`,
  String.raw`\ `, String.raw`\a`, String.raw`\\`, String.raw`\"`, String.raw`\'`, String.raw`\$x`, String.raw`\$`,
  "$x", "${x}", "$x'y'", `$x"y"`, String.raw`$x\y`, "$'q'", `$"q"`, "$", "$1'2'", "${x:-d}", "${x:+alt}", "${x#p}", "${x/a/b}",
  "${x:-'a'}", "$@", "$$", "$é",
  "'open", `"open`, "${", "${x", "${}",
];

/** Pieces of values under `# escape=``: the backtick escapes, a backslash is a plain character. */
const PIECES_BACKTICK = [
  "a", String.raw`C:\dir`, String.raw`\\server\share`, "'s q'", `"d q"`, `"in $x"`, "''", `""`,
  "`\"", "`'", "``", "` ", "`$x", "`a", "\"e`\"q\"", "\"b``s\"", "\"`$x\"", "\"`a\"", String.raw`"back\slash"`,
  "$x", "${x}", "$x'y'", "$'q'", "$", "${x:-d}", "$x`y",
  "'open", `"open`, "${",
];

const BLANKS = [" ", "\t", "  ", "\t\t", " \t "];
const TRAILING = ["", " ", "\t "];

interface Case {
  escape: "\\" | "`";
  keyword: "ENV" | "LABEL";
  pieces: [string, string];
  blank: string;
  value: string;
  text: string;
}

function cases(escape: "\\" | "`", pieces: string[]): Case[] {
  const out: Case[] = [];
  let n = 0;
  for (const p of pieces) {
    for (const q of pieces) {
      const blank = BLANKS[n % BLANKS.length]!;
      const lead = BLANKS[(n >> 2) % BLANKS.length]!;
      const trail = TRAILING[n % TRAILING.length]!;
      const keyword = n % 7 === 0 ? "LABEL" : "ENV";
      n++;
      const value = `${p}${blank}${q}`;
      // an escape before the trailing blanks at the end of a line continues the line: not a value
      if (stripContinuation(`${value}${trail}`, escape) !== null) continue;
      const header = escape === "`" ? "# escape=`\n" : "";
      out.push({ escape, keyword, pieces: [p, q], blank, value, text: `${header}FROM alpine\n${keyword} k${lead}${value}${trail}\n` });
    }
  }
  return out;
}

beforeAll(async () => {
  await initShell();
});

describe("legacy-key-value-format: BuildKit reads the same value", () => {
  for (const [escape, pieces] of [["\\", PIECES_BACKSLASH], ["`", PIECES_BACKTICK]] as const) {
    test(`escape ${escape}: ${pieces.length * pieces.length} values`, () => {
      const all = cases(escape, [...pieces]);
      const fixed = all.map((c) => fixSync(c.text, { select: [RULE] }));
      const before = all.map((c) => modelReading(c.text));
      const after = fixed.map((f) => modelReading(f.output));
      const pieceWords = new Map(modelWords([...pieces], escape).map((w, i) => [pieces[i]!, w]));
      // ProcessWord of a piece, when it can be expanded alone and stays one word
      const pieceValue = (p: string): string | null => {
        const w = pieceWords.get(p)!;
        return w.ok && w.words.length <= 1 ? (w.words[0] ?? "") : null;
      };
      const valueWords = modelWords(all.map((c) => c.value), escape);
      const wValues: string[] = [];
      const counts = { fixed: 0, quoted: 0, refused: 0, comparedByPieces: 0, comparedWhole: 0 };
      for (let i = 0; i < all.length; i++) {
        const c = all[i]!;
        const label = JSON.stringify(c.text);
        const b = before[i]!;
        expect(b.ok, label).toBe(true);
        expect(b.children[1]!.next, label).toEqual(["k", c.value, ""]);
        const a = after[i]!;
        expect(a.ok, label).toBe(true);
        expect(a.children[0], label).toEqual(b.children[0]);
        if (fixed[i]!.fixes.length === 0) {
          counts.refused++;
          // only a value BuildKit cannot expand (the build fails there) is left
          expect(valueWords[i]!.ok, `${label} was not fixed: ${JSON.stringify(fixed[i]!.remaining)}`).toBe(false);
          expect(fixed[i]!.output).toBe(c.text);
          continue;
        }
        counts.fixed++;
        const node = a.children[1]!;
        expect(node.value.toUpperCase(), label).toBe(c.keyword);
        expect(node.next.length, label).toBe(3);
        expect(node.next[0], label).toBe("k");
        expect(node.next[2], label).toBe("=");
        const w = node.next[1]!;
        if (w !== c.value) {
          counts.quoted++;
          expect(w.startsWith('"') && w.endsWith('"'), label).toBe(true);
        }
        wValues.push(w);
      }
      const wWords = modelWords(wValues, escape);
      let k = 0;
      for (let i = 0; i < all.length; i++) {
        if (fixed[i]!.fixes.length === 0) continue;
        const c = all[i]!;
        const label = JSON.stringify(c.text);
        const w = wWords[k++]!;
        expect(w.ok, label).toBe(true);
        // a double-quoted W is one word (or none, when empty): ProcessWords(W) is ProcessWord(W)
        const got = w.input.startsWith('"') ? (w.words[0] ?? "") : null;
        const [p, q] = c.pieces;
        const pv = pieceValue(p);
        const qv = pieceValue(q);
        if (got === null) {
          // W is V itself (a value with no blank outside quotes): the same text expands the same
          expect(w.input, label).toBe(c.value);
          continue;
        }
        expect(w.words.length, label).toBeLessThanOrEqual(1);
        if (pv !== null && qv !== null) {
          counts.comparedByPieces++;
          expect(got, label).toBe(`${pv}${c.blank}${qv}`);
        } else {
          counts.comparedWhole++;
          expect(got, label).toBe(processWord(c.value, { escape }).result);
        }
      }
      console.log(`legacy-key-value-format, escape ${escape}: ${all.length} values, ${counts.fixed} fixed (${counts.quoted} quoted), ${counts.refused} left (BuildKit cannot expand them); compared piece by piece ${counts.comparedByPieces}, as a whole ${counts.comparedWhole}`);
      expect(counts.fixed).toBeGreaterThan(all.length / 2);
    });
  }

  test("a $ expansion is the same quoted or not: defaults, alternatives and set variables", () => {
    // with variables set (the recorded ProcessWords results have no environment)
    const env = (name: string) => ({ x: "v a l", PATH: "/bin" })[name];
    for (const value of ["${x:-d} e", "$x'y' z", "${x:+alt} b", "$PATH:/usr/bin x", "${y:-d} e", "$'q' r"]) {
      const out = fixSync(`FROM alpine\nENV k ${value}\n`, { select: [RULE] }).output;
      const w = /ENV k=(.*)\n/.exec(out)![1]!;
      expect(processWord(w, { escape: "\\" }, env).result, value).toBe(processWord(value, { escape: "\\" }, env).result);
    }
  });
});
