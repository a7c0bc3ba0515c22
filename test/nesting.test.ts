/**
 * No RUN loses its nesting (issue 18): where an input RUN's continuation
 * lines show N >= 3 distinct depths, the output keeps at least N - 1 (or as
 * many as the shell's structure gives, where the writer used more), under
 * the default layout and under `dockerfileShellLayout: "preserve"`; and
 * preserve never changes more lines of a file than the default layout.
 * The measure is scripts/nesting.mjs's (`node scripts/nesting.mjs` prints
 * the figures over the whole corpus). To stay cheap (under 3 s on an idle
 * machine), the corpus check formats every 20th corpus file outside
 * conformance/, without the meaning self-check (run-layout.test.ts checks
 * meaning), and diffs a file only where preserve's output differs from the
 * default's; NESTING_ALL=1 checks every file.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, formatText, initShell, type DockerfileModel, type FormatOptions } from "../src/index.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, fixtureCases } from "./helpers.js";
// @ts-expect-error: a plain ESM script without types
import { corpusFiles as nestingCorpusFiles, lostNesting, withoutIndentation } from "../scripts/nesting.mjs";
// @ts-expect-error: a plain ESM script without types
import { changedLines } from "../scripts/churn.mjs";

beforeAll(async () => {
  await initShell();
});

type Lost = { line: number; before: number; after: number }[];
const lost = lostNesting as (input: DockerfileModel, output: DockerfileModel, structure?: DockerfileModel) => Lost;
const unindented = withoutIndentation as (text: string) => string;
const changed = changedLines as (before: string, after: string) => number;

const PRESETS: [string, FormatOptions][] = [
  ["defaults", { verify: false }],
  ["preserve", { shellLayout: "preserve", verify: false }],
];

describe("no RUN loses nesting", () => {
  test("in the run-layout fixtures, under the default layout and under preserve", () => {
    for (const c of fixtureCases("format/run-layout")) {
      for (const [name, options] of PRESETS) {
        const out = formatText(c.input, { ...c.options, ...options });
        expect(lost(buildModel(c.input), buildModel(out)), `${c.name} (${name})`).toEqual([]);
      }
    }
  });

  test.skipIf(!HAS_CORPUS)("in every 20th corpus file (all with NESTING_ALL=1); and preserve never changes more lines than the default", () => {
    const all = (nestingCorpusFiles as () => string[])();
    const files = process.env.NESTING_ALL ? all : all.filter((_, i) => i % 20 === 0);
    const losing: string[] = [];
    const worse: string[] = [];
    let checked = 0;
    for (const file of files) {
      if (!existsSync(join(CORPUS, file))) continue;
      const text = readFileSync(join(CORPUS, file), "utf8");
      let input: DockerfileModel;
      const outputs: Record<string, string> = {};
      try {
        input = buildModel(text);
        for (const [name, options] of PRESETS) outputs[name] = formatText(text, options);
      } catch {
        continue; // BuildKit rejects the file too (corpus.test.ts lists them)
      }
      checked++;
      // a RUN written with more depths than its structure has keeps as many as the structure gives (scripts/nesting.mjs)
      for (const [name, options] of PRESETS) {
        const structure = buildModel(formatText(unindented(text), options));
        for (const r of lost(input, buildModel(outputs[name]!), structure)) losing.push(`${file}:${r.line} (${name}): ${r.before} depths -> ${r.after}`);
      }
      if (outputs.preserve === outputs.defaults || outputs.preserve === text) continue;
      const preserve = changed(text, outputs.preserve!);
      const defaults = changed(text, outputs.defaults!);
      if (preserve > defaults) worse.push(`${file}: preserve changes ${preserve} lines, the default ${defaults}`);
    }
    expect(checked).toBeGreaterThan(process.env.NESTING_ALL ? 1200 : 60);
    expect(losing).toEqual([]);
    expect(worse).toEqual([]);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
