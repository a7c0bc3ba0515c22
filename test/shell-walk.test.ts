/**
 * src/shell/flat.ts reads trees through web-tree-sitter's C functions
 * directly (the cursor stays in WebAssembly memory for the whole walk). The
 * copy must be the one the public cursor gives, node for node, on every
 * shell text the project sees, broken ones and very deep ones included.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { directWalk, flattenShellBy } from "../src/shell/flat.js";
import { CORPUS, HAS_CORPUS, corpusFiles, fixtureCases } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

function shellTexts(text: string): string[] {
  try {
    return buildModel(text)
      .instructions.map((i) => (i.command.keyword === "ONBUILD" && i.command.trigger ? i.command.trigger : i.command))
      .filter((c) => ["RUN", "CMD", "ENTRYPOINT"].includes(c.keyword) && c.json === null)
      .map((c) => c.args);
  } catch {
    return [];
  }
}

const plain = (t: ReturnType<typeof flattenShellBy>) => ({
  ...t,
  named: [...t.named],
  start: [...t.start],
  end: [...t.end],
  next: [...t.next],
});

describe("the direct tree walk", () => {
  test("is the one in use with the web-tree-sitter this package pins", () => {
    expect(directWalk()).toBe(true);
  });

  test("copies the same tree as web-tree-sitter's cursor", () => {
    const texts = new Set<string>();
    for (const c of [...fixtureCases("format"), ...fixtureCases("rules")]) for (const t of [...shellTexts(c.input), ...shellTexts(c.output)]) texts.add(t);
    // every other corpus file (the fixtures and the deep trees below hold the edge cases; the corpus adds volume)
    if (HAS_CORPUS) for (const f of corpusFiles().filter((_, i) => i % 2 === 0)) for (const t of shellTexts(readFileSync(join(CORPUS, f), "utf8"))) texts.add(t);
    const broken: string[] = [];
    for (const t of texts) if (t.length > 8) broken.push(t.slice(0, t.length >> 1), t.slice(t.length / 3));
    // deep trees: the cursor's stack grows (and moves) in WebAssembly memory during the walk
    const deep = [Array.from({ length: 3000 }, (_, i) => `echo ${i}`).join(" && "), `${"$(".repeat(400)}x${")".repeat(400)}`, "'unterminated", "a && (b || { c; "];
    let nodes = 0;
    for (const text of [...texts, ...broken, ...deep]) {
      for (const withFields of [false, true]) {
        const direct = flattenShellBy(text, withFields, false);
        const cursor = flattenShellBy(text, withFields, true);
        expect(plain(direct), text.slice(0, 80)).toEqual(plain(cursor));
        nodes += direct.count;
      }
    }
    expect(texts.size).toBeGreaterThan(HAS_CORPUS ? 1500 : 50);
    console.log(`direct tree walk: ${texts.size} shell texts, ${broken.length} broken ones and ${deep.length} deep ones, ${nodes} nodes compared`);
  });
});
