/**
 * Over every Dockerfile in ../shared/corpus (conformance included), through
 * Prettier as users run it (`prettier.format` with a filepath): the plugin
 * never crashes, is idempotent, and what Prettier returns keeps the meaning.
 * Prints the counts. Files BuildKit itself rejects are counted apart: they
 * must fail with a syntax error naming a line, never anything else; files
 * with a lone carriage return are refused on Prettier's path (see
 * plugin/parser.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, initShell, meaningOf } from "../src/index.js";
import { fallbackCount } from "../src/format/format.js";
import plugin from "../plugin/index.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

describe("corpus", () => {
  test.skipIf(!HAS_CORPUS)("no crash, idempotent, same meaning on every corpus file", async () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(1300);
    let formatted = 0;
    let rejected = 0;
    const rejections: string[] = [];
    const crashes: string[] = [];
    const notIdempotent: string[] = [];
    const meaningChanged: string[] = [];
    const fallbacksBefore = fallbackCount.value;
    let refusedLoneCR = 0;
    for (const file of files) {
      const path = join(CORPUS, file);
      const text = readFileSync(path, "utf8");
      const format = (t: string) => prettier.format(t, { parser: "dockerfile", filepath: path, plugins: [plugin] });
      let once: string;
      try {
        once = await format(text);
      } catch (error) {
        const e = error as Error & { loc?: { start: { line: number; column: number } } };
        const message = e.message.split("\n")[0]!;
        if (/carriage return not followed by a line feed/.test(message)) {
          refusedLoneCR++;
          continue;
        }
        if (e instanceof SyntaxError && e.loc && e.loc.start.line > 0) {
          rejected++;
          rejections.push(`${file}:${message}`);
          continue;
        }
        crashes.push(`${file}: ${e.stack}`);
        continue;
      }
      formatted++;
      // the second pass reads the file as written (prettier.format with the first output's text, not the file's)
      const twice = await prettier.format(once, { parser: "dockerfile", plugins: [plugin] });
      if (twice !== once) notIdempotent.push(file);
      const diff = compareMeanings(meaningOf(buildModel(text)), meaningOf(buildModel(once)));
      if (diff) meaningChanged.push(`${file}:${diff.lineA + 1}: ${diff.message}`);
    }
    const fallbacks = fallbackCount.value - fallbacksBefore;
    console.log(
      `corpus through prettier.format: ${files.length} files, ${formatted} formatted, ${rejected} rejected as BuildKit rejects them, ${refusedLoneCR} refused for lone CRs; ` +
        `crashes ${crashes.length}, not idempotent ${notIdempotent.length}, meaning changed ${meaningChanged.length}; ` +
        `instructions kept verbatim by the self-check: ${fallbacks}`,
    );
    expect(crashes).toEqual([]);
    expect(notIdempotent).toEqual([]);
    expect(meaningChanged).toEqual([]);
    // Each of these is a test input written to be invalid, and BuildKit rejects it too.
    expect(rejections.map((r) => r.replace(/ \(\d+:\d+\)$/, "").replace(/:(?=[^/])/, ": "))).toEqual([
      "conformance/moby__buildkit/frontend__dockerfile__parser__testfiles-negative__env_no_value__Dockerfile: ENV must have two arguments",
      "conformance/moby__buildkit/frontend__dockerfile__parser__testfiles-negative__shykes-nested-json__Dockerfile: when using JSON array syntax, arrays must be comprised of strings only",
      "conformance/reteps__dockerfmt/tests__in__flags.dockerfile: missing a value on flag: --security",
      "conformance/reteps__dockerfmt/tests__out__flags.dockerfile: missing a value on flag: --security",
      "rcjsuen__dockerfile-ast/test__flag.test.ts__L0110.Dockerfile: missing a value on flag: --interval",
      "rcjsuen__dockerfile-utils/test__dockerValidator.test.ts__L1923.Dockerfile: only one escape parser directive can be used",
      "rcjsuen__dockerfile-utils/test__dockerValidator.test.ts__L3803.Dockerfile: missing a value on flag: --retries",
    ]);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
