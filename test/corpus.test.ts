/**
 * Over every Dockerfile in ../shared/corpus (conformance included): the
 * formatter never crashes, is idempotent, and keeps the meaning. Prints the
 * three counts. Files BuildKit itself rejects are counted apart: they must
 * fail with a DockerfileSyntaxError naming a line, never anything else.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, DockerfileSyntaxError, formatText, initShell, meaningOf } from "../src/index.js";
import { fallbackCount } from "../src/format/format.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

describe("corpus", () => {
  test.skipIf(!HAS_CORPUS)("no crash, idempotent, same meaning on every corpus file", () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(1300);
    let formatted = 0;
    let rejected = 0;
    const rejections: string[] = [];
    const crashes: string[] = [];
    const notIdempotent: string[] = [];
    const meaningChanged: string[] = [];
    const fallbacksBefore = fallbackCount.value;
    for (const file of files) {
      const text = readFileSync(join(CORPUS, file), "utf8");
      let once: string;
      try {
        once = formatText(text);
      } catch (error) {
        if (error instanceof DockerfileSyntaxError && error.line > 0) {
          rejected++;
          rejections.push(`${file}:${error.line}:${error.column}: ${error.message}`);
          continue;
        }
        crashes.push(`${file}: ${(error as Error).message}`);
        continue;
      }
      formatted++;
      const twice = formatText(once);
      if (twice !== once) notIdempotent.push(file);
      const diff = compareMeanings(meaningOf(buildModel(text)), meaningOf(buildModel(once)));
      if (diff) meaningChanged.push(`${file}:${diff.lineA + 1}: ${diff.message}`);
    }
    const fallbacks = fallbackCount.value - fallbacksBefore;
    console.log(
      `corpus: ${files.length} files, ${formatted} formatted, ${rejected} rejected as BuildKit rejects them; ` +
        `crashes ${crashes.length}, not idempotent ${notIdempotent.length}, meaning changed ${meaningChanged.length}; ` +
        `instructions kept verbatim by the self-check: ${fallbacks}`,
    );
    expect(crashes).toEqual([]);
    expect(notIdempotent).toEqual([]);
    expect(meaningChanged).toEqual([]);
    // Each of these is a test input written to be invalid, and BuildKit rejects it too.
    expect(rejections.map((r) => r.replace(/:\d+:\d+: /, ": "))).toEqual([
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
