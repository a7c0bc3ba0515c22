/**
 * An instruction's meaning reads its POSIX shell text's syntax tree only when
 * its key is first read (src/meaning/meaning.ts), and sameMeaning compares
 * two instructions made of the same template and shell text without reading
 * it. Both must answer exactly as comparing the keys does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, DockerfileSyntaxError, formatText, initShell, meaningOf } from "../src/index.js";
import { sameMeaning } from "../src/meaning/meaning.js";
import { CORPUS, HAS_CORPUS, corpusFiles, fixtureCases } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

describe("lazy meaning keys", () => {
  test("sameMeaning agrees with comparing keys, on every instruction of the corpus and the fixtures against its formatted self and its neighbours", () => {
    const inputs = [...fixtureCases("format"), ...fixtureCases("rules")].map((c) => c.input);
    if (HAS_CORPUS) for (const f of corpusFiles()) inputs.push(readFileSync(join(CORPUS, f), "utf8"));
    let pairs = 0;
    let shortcut = 0;
    for (const text of inputs) {
      let a;
      let b;
      try {
        a = meaningOf(buildModel(text)).instructions;
        b = meaningOf(buildModel(formatText(text))).instructions;
      } catch {
        continue; // BuildKit rejects it
      }
      for (let i = 0; i < a.length; i++) {
        for (const y of [b[i], a[i + 1], b[i + 1]]) {
          if (!y) continue;
          const x = a[i]!;
          if (x.template === y.template && x.shellText === y.shellText) shortcut++;
          expect(sameMeaning(x, y), `${x.template.slice(0, 60)} / ${y.template.slice(0, 60)}`).toBe(x.key === y.key);
          pairs++;
        }
      }
    }
    expect(pairs).toBeGreaterThan(HAS_CORPUS ? 20_000 : 200);
    expect(shortcut).toBeGreaterThan(0);
  });

  test("what BuildKit's parser rejects is still raised when the meaning is read, not when a key is", () => {
    expect(() => meaningOf(buildModel('FROM a\nCMD ["a", 1]\n'))).toThrow(DockerfileSyntaxError);
    expect(() => meaningOf(buildModel("FROM a\nENV A\n"))).toThrow(DockerfileSyntaxError);
  });

  test("a key is the template with the shell text's signature in its slot", () => {
    const [, run, cmd] = meaningOf(buildModel("FROM a\nRUN echo  hi && ls\nCMD [\"x\"]\n")).instructions;
    expect(run!.shellText).toBe("echo  hi && ls");
    expect(run!.key.startsWith("RUN sh(program ")).toBe(true);
    expect(run!.key).not.toContain("\u0000");
    expect(cmd!.shellText).toBeNull();
    expect(cmd!.key).toBe(cmd!.template);
  });
});
