/**
 * The hits of app-run-at-build-time and service-started-in-run over
 * ../shared/corpus (conformance/ and _licenses left out, as in
 * docs/corpus-hits/) must be the ones docs/corpus-hits/<rule>.md records and
 * judges: a change to either rule that adds or drops a hit shows here, and
 * the verdicts must be written for it. To keep the test cheap
 * (reading the whole corpus takes some 8 s: a model per file, a shell tree
 * per RUN), it reads every 20th file (in the sorted order of corpusFiles) and
 * compares with the recorded hits in those files; the rules run directly,
 * without the fix engine. The pages record the whole corpus.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { DockerfileSyntaxError, initShell } from "../src/index.js";
import { shellsInEffect } from "../src/meaning/meaning.js";
import { buildModel } from "../src/model/model.js";
import { ruleById } from "../src/rules/index.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, ROOT, corpusFiles, fixtureCases } from "./helpers.js";

const RULE_IDS = ["app-run-at-build-time", "service-started-in-run"];

/** `file:line` of every hit a docs/corpus-hits table lists, and the count its header states. */
function recorded(id: string): { count: number; hits: string[] } {
  const text = readFileSync(join(ROOT, "docs/corpus-hits", `${id}.md`), "utf8");
  const count = Number(/^Hits: (\d+)/m.exec(text)![1]);
  const hits = [...text.matchAll(/^\| `([^`]+)` \| (\d+) \|/gm)].map((m) => `${m[1]}:${m[2]}`);
  return { count, hits };
}

beforeAll(async () => {
  await initShell();
});

describe.skipIf(!HAS_CORPUS)("app-run-at-build-time and service-started-in-run over the corpus", () => {
  test("hit the files and lines docs/corpus-hits records (every 20th file)", () => {
    const found = new Map<string, string[]>(RULE_IDS.map((id) => [id, []]));
    const sample = corpusFiles()
      .filter((f) => !f.startsWith("conformance/"))
      .filter((_, k) => k % 20 === 0);
    for (const file of sample) {
      let model;
      try {
        model = buildModel(readFileSync(join(CORPUS, file), "utf8"));
      } catch (e) {
        if (e instanceof DockerfileSyntaxError) continue;
        throw e;
      }
      const ctx = { model, shells: shellsInEffect(model) };
      for (const id of RULE_IDS) for (const f of ruleById(id)!.check(ctx)) found.get(id)!.push(`${file}:${f.line}`);
    }
    for (const id of RULE_IDS) {
      const { count, hits } = recorded(id);
      expect(hits.length, `${id}: the page's count and its table`).toBe(count);
      const inSample = new Set(sample);
      expect(found.get(id), id).toEqual(hits.filter((h) => inSample.has(h.slice(0, h.lastIndexOf(":")))));
    }
  });
});

describe("the three rules about RUNs that start something", () => {
  // (the corpus has no hit of any of them: docs/corpus-hits)
  test("never report the same RUN twice, over the fixtures of all three", () => {
    const ids = ["app-run-at-build-time", "service-started-in-run", "run-starts-server"];
    const texts = ids.flatMap((id) => fixtureCases(`rules/${id}`).map((c) => c.input));
    let reported = 0;
    for (const text of texts) {
      let model;
      try {
        model = buildModel(text);
      } catch (e) {
        if (e instanceof DockerfileSyntaxError) continue;
        throw e;
      }
      const ctx = { model, shells: shellsInEffect(model) };
      const instructions = ids.flatMap((id) => ruleById(id)!.check(ctx).map((f) => f.instruction));
      reported += instructions.length;
      expect(new Set(instructions).size, text).toBe(instructions.length);
    }
    expect(reported).toBeGreaterThan(30);
  });
});

test.skipIf(HAS_CORPUS)("corpus checks skipped", () => {
  console.warn(NO_CORPUS_MESSAGE);
});
