import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, DockerfileSyntaxError, initShell, meaningOf } from "../src/index.js";
import { dumpModel } from "./buildkit-dump.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE } from "./helpers.js";

const DIR = join(CORPUS, "conformance", "moby__buildkit");
const files = existsSync(DIR) ? readdirSync(DIR) : [];
const positive = files.filter((f) => f.includes("__testfiles__") && f.endsWith("__Dockerfile"));
const negative = files.filter((f) => f.includes("__testfiles-negative__"));

beforeAll(async () => {
  await initShell();
});

describe("the model reads BuildKit's parser testfiles as BuildKit does", () => {
  test.skipIf(!HAS_CORPUS)("corpus present", () => {
    expect(positive.length).toBeGreaterThan(25);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
  for (const f of positive) {
    const name = f.replace(/^frontend__dockerfile__parser__testfiles__/, "").replace(/__Dockerfile$/, "");
    test(name, () => {
      const text = readFileSync(join(DIR, f), "utf8");
      const expected = readFileSync(join(DIR, f.replace(/__Dockerfile$/, "__result")), "utf8").trim();
      expect(dumpModel(buildModel(text))).toBe(expected);
    });
  }
});

describe("files BuildKit rejects", () => {
  const rejectedByParser: Record<string, RegExp> = {
    env_no_value: /ENV must have two arguments/,
    "shykes-nested-json": /arrays must be comprised of strings only/,
  };
  for (const f of negative) {
    const name = f.replace(/^.*testfiles-negative__/, "").replace(/__Dockerfile$/, "");
    test(name, () => {
      const text = readFileSync(join(DIR, f), "utf8");
      const pattern = rejectedByParser[name];
      if (pattern) {
        let error: unknown;
        try {
          meaningOf(buildModel(text));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(DockerfileSyntaxError);
        expect(String((error as Error).message)).toMatch(pattern);
        expect((error as DockerfileSyntaxError).line).toBeGreaterThan(0);
      } else {
        // BuildKit says "file with no instructions"; a formatter must still accept
        // empty and comment-only files, so the model simply has no instructions.
        expect(buildModel(text).instructions).toHaveLength(0);
      }
    });
  }
});
