/**
 * BuildKit's own parser (../shared/tools/buildkit-parse) is the judge of what
 * a file means, independent of the model (which the meaning check shares):
 * - it reads every corpus file as the model does;
 * - it reads every formatter output as it reads the input;
 * - the same on generated files aimed at the edges (edge-cases.ts):
 *   Unicode blanks, heredoc spellings, escapes, directives, keyword
 *   spellings, JSON, CRLF, byte-order marks.
 * FUZZ_CASES (default 3,000) sets how many generated files a run reads;
 * FUZZ_SEED (default 0) where the seeds start.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, formatText, initShell } from "../src/index.js";
import { shellKindOf, shellsInEffect } from "../src/meaning/meaning.js";
import { analyzeShell } from "../src/shell/analysis.js";
import type { FormatOptions } from "../src/format/format.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";
import { HAS_ORACLE, NO_ORACLE_MESSAGE, comparableReading, modelReading, oracleParse, readingDifference } from "./oracle.js";
import { edgeCaseFile } from "./edge-cases.js";

const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 3000);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0);
// the third set also takes the other house style (operators at the line start)
const OPTION_SETS: FormatOptions[] = [{}, { useTabs: true }, { printWidth: 40, operatorPosition: "start" }];

beforeAll(async () => {
  await initShell();
});

/** Shell text of an instruction of `text` is compared as a syntax tree where the shell in effect is POSIX. */
function shellComparison(text: string) {
  const model = buildModel(text);
  const shells = shellsInEffect(model);
  const kinds = model.instructions.map((i) => shellKindOf(shells[i.index] ?? null, model.escape));
  return (index: number) =>
    kinds[index] === "posix" ? (a: string, b: string) => a === b || analyzeShell(a).signature === analyzeShell(b).signature : (a: string, b: string) => a === b;
}

/** The texts the model and BuildKit read differently, with both readings (at most `show`). */
function disagreements(texts: string[] | Buffer[], show = 3): string[] {
  const oracle = oracleParse(texts);
  const out: string[] = [];
  texts.forEach((t, i) => {
    const text = typeof t === "string" ? t : t.toString("utf8");
    const ours = comparableReading(modelReading(text));
    const theirs = comparableReading(oracle[i]!);
    if (!isDeepStrictEqual(ours, theirs) && out.length < show) out.push(`${JSON.stringify(text).slice(0, 400)}\n  model:    ${JSON.stringify(ours).slice(0, 600)}\n  BuildKit: ${JSON.stringify(theirs).slice(0, 600)}`);
  });
  return out;
}

/** Formats each text under each option set; BuildKit must read each output as it reads the input. */
function formatterDisagreements(texts: string[]): { outputs: number; differences: string[] } {
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const text of texts) {
    try {
      buildModel(text);
    } catch {
      continue; // BuildKit rejects it too (checked by the reading tests)
    }
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    for (const options of OPTION_SETS) {
      inputs.push(text);
      // callers put the byte-order mark back, as Prettier does
      outputs.push(bom + formatText(text, options));
    }
  }
  const a = oracleParse(inputs);
  const b = oracleParse(outputs);
  const differences: string[] = [];
  const comparisons = new Map<string, ReturnType<typeof shellComparison>>();
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    if (!comparisons.has(input)) comparisons.set(input, shellComparison(input));
    const d = readingDifference(a[i]!, b[i]!, comparisons.get(input)!);
    if (d) differences.push(`${d}\n  input:  ${JSON.stringify(inputs[i]).slice(0, 300)}\n  output: ${JSON.stringify(outputs[i]).slice(0, 300)}`);
  }
  return { outputs: outputs.length, differences };
}

describe("BuildKit's parser and the model read files alike", () => {
  if (!HAS_ORACLE) test.skip(NO_ORACLE_MESSAGE, () => {});
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});

  test.skipIf(!HAS_ORACLE || !HAS_CORPUS)("every corpus file: the same instructions, flags, arguments, heredocs, directives, errors", () => {
    const files = corpusFiles();
    const texts = files.map((f) => readFileSync(join(CORPUS, f)));
    const differing = disagreements(texts);
    const rejected = texts.filter((t) => !modelReading(t.toString("utf8")).ok).length;
    console.log(`BuildKit vs model, corpus: ${files.length} files, ${files.length - differing.length} read alike (${rejected} rejected by both), ${differing.length} differ`);
    expect(differing).toEqual([]);
  });

  test.skipIf(!HAS_ORACLE || !HAS_CORPUS)("every corpus file, formatted: BuildKit reads the output as the input", () => {
    const texts = corpusFiles().map((f) => readFileSync(join(CORPUS, f), "utf8"));
    const { outputs, differences } = formatterDisagreements(texts);
    console.log(`BuildKit, corpus formatted under ${OPTION_SETS.length} option sets: ${outputs} outputs, ${differences.length} read differently from their input`);
    expect(differences.slice(0, 3)).toEqual([]);
  });

  test.skipIf(!HAS_ORACLE)(`${FUZZ_CASES} generated edge cases from seed ${FUZZ_SEED}: read alike, and formatted outputs read as their inputs`, () => {
    const texts = Array.from({ length: FUZZ_CASES }, (_, i) => edgeCaseFile(FUZZ_SEED + i));
    const differing = disagreements(texts);
    const { outputs, differences } = formatterDisagreements(texts);
    console.log(`BuildKit vs model, generated: ${texts.length} files, ${differing.length} read differently; ${outputs} formatter outputs, ${differences.length} read differently from their input`);
    expect(differing).toEqual([]);
    expect(differences.slice(0, 3)).toEqual([]);
  });
});
