/**
 * BuildKit's recorded readings (../shared/buildkit-readings, loaded by
 * test/readings.ts) judge the model, which the meaning check shares:
 * - every recorded file (the corpus, 15,000 edge cases, 6,000 edited real
 *   files): the same instructions, keywords, flags, arguments (`next`), exec
 *   form, heredocs, directives, escape, PrevComment; the same refusals, at a
 *   line BuildKit's location error covers (an unterminated heredoc at the
 *   `<<` that opens it);
 * - buildModel (what the formatter and the codemod read) refuses no file
 *   BuildKit's parser accepts, but for a flag BuildKit's instruction parser
 *   then rejects too (a value flag without a value, pointed at the flag);
 * - the model's word splitting (src/model/lex.ts processWords) gives exactly
 *   the 8,000 recorded ProcessWords results, words and errors, for both
 *   escape characters.
 * Then the model, so judged, judges the formatter: every corpus file and
 * FUZZ_CASES (default 3,000) generated edge cases (edge-cases.ts, from seed
 * FUZZ_SEED, default 0; no ../shared needed), formatted under three option
 * sets, must read as their input (readingDifference) and keep their meaning.
 *
 * The 1,013 recorded files that are not valid UTF-8: the command line reads
 * a file's bytes with a fatal UTF-8 decoder (src/cli/files.ts decodeText) and
 * refuses them ("not a text file (invalid UTF-8)"), so no fix or layout is
 * ever written for them. Prettier, however, hands the plugin such a file
 * decoded with U+FFFD for each invalid sequence (Node's `toString("utf8")`),
 * so the model's reading of that decoded text is compared with BuildKit's
 * reading of the bytes. Both write an invalid byte as U+FFFD (Go's JSON
 * does), except inside flags, which BuildKit reads byte by byte, writing
 * each byte as the Latin-1 character of its value (so does the model, from
 * the bytes of its text): there a flag is compared after decoding those
 * Latin-1 bytes as UTF-8, the invalid ones as U+FFFD.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, formatText, initShell, meaningOf } from "../src/index.js";
import { shellKindOf, shellsInEffect } from "../src/meaning/meaning.js";
import { analyzeShell } from "../src/shell/analysis.js";
import { decodeText } from "../src/cli/files.js";
import { goQuote } from "../src/model/command.js";
import { LexError, processWords } from "../src/model/lex.js";
import { DockerfileSyntaxError } from "../src/model/scan.js";
import type { FormatOptions } from "../src/format/format.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";
import { comparableReading, modelReading, readingDifference, scannedReading, type ModelReading, type OracleNode, type OracleResult } from "./oracle.js";
import { HAS_READINGS, NO_READINGS_MESSAGE, recordedFiles, recordedWords, type FileSet, type Reading, type RecordedFile } from "./readings.js";
import { edgeCaseFile } from "./edge-cases.js";

const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 3000);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0);
// the third set also takes the other house style (operators at the line start)
const OPTION_SETS: FormatOptions[] = [{}, { useTabs: true }, { printWidth: 40, operatorPosition: "start" }];

beforeAll(async () => {
  await initShell();
});

/** The text of a recorded file as the model gets it (see the header for the files that are not UTF-8). */
function textOf(f: RecordedFile): string {
  if (f.text !== undefined) return f.text;
  if (f.bytes !== undefined) return f.bytes.toString("utf8");
  return readFileSync(join(CORPUS, f.path!), "utf8");
}

/** A flag BuildKit wrote byte by byte, as text: its Latin-1 characters are bytes, decoded as UTF-8. */
const flagText = (flag: string) => Buffer.from(flag, "latin1").toString("utf8");

/** A reading with its flags as text (for the files that are not UTF-8). */
function flagsAsText(r: OracleResult): OracleResult {
  const node = (n: OracleNode): OracleNode => ({ ...n, flags: n.flags.map(flagText), subCommand: n.subCommand && node(n.subCommand) });
  return { ...r, children: r.children.map(node) };
}

/**
 * The messages of errors BuildKit raises while reading parser directives:
 * it locates them at the line's 0-based index (withLocation(err,
 * currentLine, 0) before it counts the line), one less than its 1-based lines.
 */
const DIRECTIVE_ERRORS = [/^only one \w+ parser directive can be used$/, /^invalid escape token /];

/** Why the model's refusal is not BuildKit's: another message, or a line BuildKit's location does not cover. */
function refusalDifference(model: ModelReading, reading: Reading): string | null {
  if (model.ok || reading.ok || reading.error === "file with no instructions") return null;
  // the model may say more (which heredoc is unterminated), after BuildKit's words
  if (!model.error!.startsWith(reading.error!)) return `error ${JSON.stringify(model.error)} vs ${JSON.stringify(reading.error)}`;
  const range = reading.errorLines?.[0];
  if (!range || !model.errorAt) return null;
  const line = model.errorAt.line;
  if (DIRECTIVE_ERRORS.some((re) => re.test(reading.error!))) return line === range[0] + 1 ? null : `error at line ${line}, BuildKit's directive line ${range[0] + 1}`;
  return line >= range[0] && line <= range[1] ? null : `error at line ${line}, BuildKit's lines ${range[0]}-${range[1]}`;
}

/** Whether the model's position (1-based line and column, after a byte-order mark) is where `written` is written. */
function pointsAt(text: string, at: { line: number; column: number }, written: string): boolean {
  const line = text.replace(/^\uFEFF/, "").split("\n")[at.line - 1] ?? "";
  return line.startsWith(written, at.column - 1);
}

/** The first top-level flag of the reading's instructions that needs a value and has none, as buildModel names it. */
function flagWithoutValue(reading: Reading, message: string): boolean {
  const name = /^missing a value on flag: (--[^=\s]+)$/.exec(message)?.[1];
  return name !== undefined && reading.children.some((c) => c.flags.some((f) => f === name || f === `${name}=`));
}

interface SetResult {
  files: number;
  agree: number;
  rejectedByBoth: number;
  notUtf8: number;
  differences: string[];
}

/** Compares the model with every recorded reading of a data set. */
function compareSet(set: FileSet): SetResult {
  const result: SetResult = { files: 0, agree: 0, rejectedByBoth: 0, notUtf8: 0, differences: [] };
  for (const f of recordedFiles(set)) {
    result.files++;
    const text = textOf(f);
    const differ = (why: string) => result.differences.push(`${why}\n  file: ${f.path ?? JSON.stringify(text).slice(0, 400)}`);
    if (f.bytes !== undefined) {
      result.notUtf8++;
      const read = decodeText(f.bytes);
      if (read.ok || read.reason !== "not a text file (invalid UTF-8)") {
        differ(`the command line does not refuse a file that is not UTF-8: ${JSON.stringify(read)}`);
        continue;
      }
    }
    // buildModel reads what scan reads, then checks flags: one reading serves both checks
    let ours: ModelReading;
    let refused: DockerfileSyntaxError | null = null;
    try {
      ours = scannedReading(buildModel(text));
    } catch (e) {
      if (!(e instanceof DockerfileSyntaxError)) throw e;
      ours = modelReading(text);
      if (ours.ok) refused = e;
    }
    const theirs = f.bytes === undefined ? f.reading : { ...f.reading, ...flagsAsText(f.reading) };
    const a = comparableReading(f.bytes === undefined ? ours : flagsAsText(ours));
    const b = comparableReading(theirs);
    if (!isDeepStrictEqual(a, b)) {
      differ(`model:    ${JSON.stringify(a).slice(0, 600)}\n  BuildKit: ${JSON.stringify(b).slice(0, 600)}`);
      continue;
    }
    const refusal = refusalDifference(ours, f.reading);
    if (refusal) {
      differ(refusal);
      continue;
    }
    if (!ours.ok) {
      // BuildKit locates an unterminated heredoc at its whole instruction; the model points at the `<<` that
      // opens it (its first `<`: a continuation may come between the two)
      if (ours.error!.startsWith("unterminated heredoc") && !pointsAt(text, ours.errorAt!, "<")) {
        differ(`unterminated heredoc reported at ${ours.errorAt!.line}:${ours.errorAt!.column}, not at a '<<'`);
        continue;
      }
      result.rejectedByBoth++;
    } else if (refused) {
      if (!flagWithoutValue(f.reading, refused.message)) {
        differ(`buildModel refuses what BuildKit reads: ${refused.message} (${refused.line}:${refused.column})`);
        continue;
      }
      if (!pointsAt(text, refused, "-")) {
        differ(`${refused.message} reported at ${refused.line}:${refused.column}, not at the flag`);
        continue;
      }
    }
    result.agree++;
  }
  return result;
}

describe("BuildKit's recorded readings and the model agree", () => {
  if (!HAS_READINGS) test.skip(NO_READINGS_MESSAGE, () => {});
  if (!HAS_CORPUS) test.skip(`${NO_CORPUS_MESSAGE} (the corpus readings name its files)`, () => {});

  const sets: [FileSet, boolean][] = [["corpus", HAS_READINGS && HAS_CORPUS], ["edge-cases", HAS_READINGS], ["mutations", HAS_READINGS]];
  for (const [set, present] of sets) {
    test.skipIf(!present)(`${set}: instructions, flags, arguments, heredocs, directives, escape, PrevComment, errors and their lines`, () => {
      const started = performance.now();
      recordedFiles(set);
      const loaded = Math.round(performance.now() - started);
      const r = compareSet(set);
      const ms = Math.round(performance.now() - started);
      console.log(
        `BuildKit's readings vs model, ${set}: ${r.agree}/${r.files} files agree (${r.rejectedByBoth} rejected by both` +
          `${r.notUtf8 ? `, ${r.notUtf8} not UTF-8: refused by the command line, their decoded text compared` : ""}), ${r.differences.length} differ; ${ms} ms (${loaded} ms to load)`,
      );
      expect(r.differences.slice(0, 5)).toEqual([]);
      expect(r.agree).toBe(r.files);
    });
  }

  test.skipIf(!HAS_READINGS)("words: processWords gives BuildKit's ProcessWords words and errors, both escape characters", () => {
    const started = performance.now();
    const cases = recordedWords();
    const loaded = Math.round(performance.now() - started);
    const counts: Record<string, number> = { "\\": 0, "`": 0 };
    const differences: string[] = [];
    for (const w of cases) {
      let words: string[] | null = null;
      let error: string | null = null;
      try {
        words = processWords(w.text, { escape: w.escape });
      } catch (e) {
        if (!(e instanceof LexError)) throw e;
        // BuildKit's ProcessWords wraps the lexer's error with the text
        error = `failed to process ${goQuote(w.text)}: ${e.message}`;
      }
      const same = w.ok ? isDeepStrictEqual(words, w.words ?? []) : error === w.error;
      if (same) counts[w.escape]!++;
      else if (differences.length < 5) differences.push(`${JSON.stringify(w.text)} (escape ${w.escape})\n  model:    ${JSON.stringify(words ?? error)}\n  BuildKit: ${JSON.stringify(w.ok ? w.words : w.error)}`);
    }
    const ms = Math.round(performance.now() - started);
    const total = (e: string) => cases.filter((w) => w.escape === e).length;
    console.log(`BuildKit's ProcessWords vs model: escape \\ ${counts["\\"]}/${total("\\")}, escape \` ${counts["`"]}/${total("`")} agree (words or error message); ${ms} ms (${loaded} ms to load)`);
    expect(differences).toEqual([]);
    expect(counts["\\"]! + counts["`"]!).toBe(cases.length);
  });
});

/** Shell text of an instruction of `text` is compared as a syntax tree where the shell in effect is POSIX. */
function shellComparison(text: string) {
  const model = buildModel(text);
  const shells = shellsInEffect(model);
  const kinds = model.instructions.map((i) => shellKindOf(shells[i.index] ?? null, model.escape));
  return (index: number) =>
    kinds[index] === "posix" ? (a: string, b: string) => a === b || analyzeShell(a).signature === analyzeShell(b).signature : (a: string, b: string) => a === b;
}

/**
 * Formats each text under each option set; the model (judged by BuildKit's
 * readings above) must read each output as it reads the input, and the
 * meaning must be the same.
 */
function formatterDisagreements(texts: string[], setsFor: (k: number) => FormatOptions[] = () => OPTION_SETS): { outputs: number; differences: string[] } {
  let outputs = 0;
  const differences: string[] = [];
  for (const [k, text] of texts.entries()) {
    let model;
    try {
      model = buildModel(text);
    } catch {
      continue; // BuildKit rejects it too (checked by the reading tests)
    }
    const input = modelReading(text);
    const sameShell = shellComparison(text);
    const meaning = meaningOf(model);
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    for (const options of setsFor(k)) {
      // callers put the byte-order mark back, as Prettier does
      const output = bom + formatText(text, options);
      outputs++;
      const meaningDiff = compareMeanings(meaning, meaningOf(buildModel(output)));
      const d = readingDifference(input, modelReading(output), sameShell) ?? (meaningDiff && `meaning: ${meaningDiff.message} (line ${meaningDiff.lineA + 1})`);
      if (d && differences.length < 5) differences.push(`${d}\n  input:  ${JSON.stringify(text).slice(0, 300)}\n  output: ${JSON.stringify(output).slice(0, 300)}`);
      else if (d) differences.push(d);
    }
  }
  return { outputs, differences };
}

describe("the model reads every formatter output as its input", () => {
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});

  // each corpus file under one of the three option sets in turn (FORMATTED_ALL=1: all three): test/run-layout.test.ts
  // and test/corpus.test.ts check the meaning of every corpus file's output under these sets and more
  test.skipIf(!HAS_CORPUS)("every corpus file, formatted under one of three option sets in turn", () => {
    const started = performance.now();
    const texts = corpusFiles().map((f) => readFileSync(join(CORPUS, f), "utf8"));
    const { outputs, differences } = formatterDisagreements(texts, process.env.FORMATTED_ALL ? undefined : (k) => [OPTION_SETS[k % OPTION_SETS.length]!]);
    console.log(`model, corpus formatted under ${OPTION_SETS.length} option sets${process.env.FORMATTED_ALL ? "" : " in turn"}: ${outputs} outputs, ${differences.length} read differently from their input; ${Math.round(performance.now() - started)} ms`);
    expect(texts.length).toBeGreaterThan(0);
    expect(differences.slice(0, 3)).toEqual([]);
  });

  test(`${FUZZ_CASES} generated edge cases from seed ${FUZZ_SEED}, formatted under three option sets`, () => {
    const started = performance.now();
    const texts = Array.from({ length: FUZZ_CASES }, (_, i) => edgeCaseFile(FUZZ_SEED + i));
    const { outputs, differences } = formatterDisagreements(texts);
    console.log(`model, generated edge cases: ${texts.length} files, ${outputs} formatter outputs, ${differences.length} read differently from their input; ${Math.round(performance.now() - started)} ms`);
    expect(differences.slice(0, 3)).toEqual([]);
  });
});
