/**
 * The rules for the seed articles' pitfalls (exec-form-single-quotes,
 * exec-form-variable, cmd-ignored-by-shell-entrypoint) over every file of
 * ../shared/corpus but conformance/ (BuildKit's own test inputs): their hits,
 * which docs/corpus-hits/<rule>.md lists with a verdict each, and the
 * look-alikes they are written to leave alone, counted so a change in what
 * the rules read shows here. The rules' checks run on the model alone (no fix
 * engine), and a file is read only when it could hold a hit: a `[` array
 * with a quote or a `$` in it, or an ENTRYPOINT (the text searched for those
 * characters, not read); the whole corpus in about two seconds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { DockerfileSyntaxError, initShell } from "../src/index.js";
import { shellsInEffect } from "../src/meaning/meaning.js";
import { buildModel, type DockerfileModel } from "../src/model/model.js";
import { ruleById } from "../src/rules/index.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";

const RULE_IDS = ["exec-form-single-quotes", "exec-form-variable", "cmd-ignored-by-shell-entrypoint"] as const;

/** Hits per rule, as docs/corpus-hits/<rule>.md lists them (the file and the line). */
const EXPECTED_HITS: Record<(typeof RULE_IDS)[number], string[]> = {
  "exec-form-single-quotes": [],
  "exec-form-variable": [],
  "cmd-ignored-by-shell-entrypoint": [],
};

beforeAll(async () => {
  await initShell();
});

describe("seed pitfalls over the corpus", () => {
  if (!HAS_CORPUS) console.warn(NO_CORPUS_MESSAGE);
  test.skipIf(!HAS_CORPUS)("every hit, and the look-alikes left alone", () => {
    const hits: Record<string, string[]> = Object.fromEntries(RULE_IDS.map((id) => [id, []]));
    const lookAlikes = { shellFormEntrypointWithCmd: 0, execFormWithDollar: 0, shellFormArrayWithQuote: 0 };
    let files = 0;
    for (const f of corpusFiles()) {
      if (f.startsWith("conformance/")) continue;
      const text = readFileSync(join(CORPUS, f), "utf8");
      files++;
      // every file is read as BuildKit reads it (no shortcut on the text: a keyword may be split by a line continuation)
      let model: DockerfileModel;
      try {
        model = buildModel(text);
      } catch (e) {
        if (e instanceof DockerfileSyntaxError) continue;
        throw e;
      }
      const ctx = { model, shells: shellsInEffect(model) };
      for (const id of RULE_IDS) for (const finding of ruleById(id)!.check(ctx)) hits[id]!.push(`${f}:${finding.line}`);
      for (const stage of model.stages) {
        const kinds = stage.instructions.map((i) => i.command);
        if (kinds.some((c) => c.keyword === "ENTRYPOINT" && c.json === null && c.args !== "") && kinds.some((c) => c.keyword === "CMD")) lookAlikes.shellFormEntrypointWithCmd++;
      }
      for (const i of model.instructions) {
        const c = i.command;
        if (!["CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK"].includes(c.keyword)) continue;
        if (c.json?.some((w) => w.includes("$"))) lookAlikes.execFormWithDollar++;
        if (c.json === null && c.args.startsWith("[") && c.args.includes("'")) lookAlikes.shellFormArrayWithQuote++;
      }
    }
    console.log(`seed pitfalls, corpus: ${files} files; hits ${JSON.stringify(Object.fromEntries(RULE_IDS.map((id) => [id, hits[id]!.length])))}; look-alikes left alone ${JSON.stringify(lookAlikes)}`);
    expect(hits).toEqual(EXPECTED_HITS);
    expect(lookAlikes).toEqual({ shellFormEntrypointWithCmd: 0, execFormWithDollar: 0, shellFormArrayWithQuote: 21 });
  });
});
