import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, DockerfileSyntaxError, formatText, initShell, meaningOf } from "../src/index.js";
import { dumpModel } from "./buildkit-dump.js";
import type { Command, DockerfileModel } from "../src/model/model.js";
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
    test(`${name}: formatted, BuildKit still reads the same`, () => {
      const text = readFileSync(join(DIR, f), "utf8");
      const expected = readFileSync(join(DIR, f.replace(/__Dockerfile$/, "__result")), "utf8").trim();
      const formatted = formatText(text);
      // BuildKit's dump keeps shell-form text raw; the formatter may change the
      // blanks between shell words, so those are compared as shell syntax trees.
      const original = buildModel(text);
      expect(dumpModel(original)).toBe(expected);
      expect(comparable(buildModel(formatted))).toEqual(comparable(original));
      expect(compareMeanings(meaningOf(buildModel(text)), meaningOf(buildModel(formatted)))).toBeNull();
    });
  }
});

const SHELL_FORM = new Set(["RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"]);
function isShellForm(cmd: Command): boolean {
  if (cmd.keyword === "ONBUILD") return cmd.trigger !== null && isShellForm(cmd.trigger);
  return SHELL_FORM.has(cmd.keyword) && cmd.json === null;
}

/** Per instruction: BuildKit's dump line, or the meaning key for shell-form text. */
function comparable(model: DockerfileModel): string[] {
  const dump = dumpModel(model).split("\n(");
  const meaning = meaningOf(model).instructions;
  return model.instructions.map((instr, i) => (isShellForm(instr.command) ? meaning[i]!.key : dump[i]!));
}

describe("the meaning check sees what BuildKit sees", () => {
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
  // For every instruction of every testfile: change one character of its
  // logical line. Whenever BuildKit's dump changes, the meaning must change too.
  test.skipIf(!HAS_CORPUS)("a change BuildKit would see is never called 'same meaning'", () => {
    let checked = 0;
    for (const f of positive) {
      const text = readFileSync(join(DIR, f), "utf8");
      const model = buildModel(text);
      const before = dumpModel(model);
      for (const instr of model.instructions) {
        const line = model.lines[instr.startLine]!;
        for (const [from, to] of [["a", "b"], [" ", "  "], ["\"", "'"], ["=", " "]] as const) {
          const at = line.text.lastIndexOf(from);
          if (at <= 0) continue;
          const lines = text.split("\n");
          lines[instr.startLine] = line.text.slice(0, at) + to + line.text.slice(at + from.length);
          const mutated = lines.join("\n");
          let mutatedModel;
          try {
            mutatedModel = buildModel(mutated);
            meaningOf(mutatedModel);
          } catch {
            continue; // the mutation made the file invalid
          }
          const shellBlanks = from === " " && isShellForm(instr.command);
          const dumpChanged = !shellBlanks && dumpModel(mutatedModel) !== before;
          const meaningChanged = compareMeanings(meaningOf(model), meaningOf(mutatedModel)) !== null;
          if (dumpChanged) expect(meaningChanged, `${f}:${instr.startLine + 1} ${from}->${to}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe("files BuildKit rejects", () => {
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
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
