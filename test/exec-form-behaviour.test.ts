/**
 * cmd-exec-form judged by the shell itself: for every CMD it converts to a
 * plain exec array, dash must split and unquote the shell text into exactly
 * those arguments (`set -- TEXT; printf '%s\0' "$@"`), a leading `exec`
 * aside. Generated words mix every kind of quoting and escaping; the fixtures
 * and the corpus conversions are checked too.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { fixSync } from "../src/codemod/fix.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles, fixtureCases } from "./helpers.js";

const HAS_DASH = spawnSync("dash", ["-c", "exit 0"]).status === 0;

beforeAll(async () => {
  await initShell();
});

/** The arguments dash makes of each shell text (one dash for all of them). */
function dashWords(texts: string[]): string[][] {
  const script = texts.map((t) => `set -- ${t}\nprintf '%s\\0' "$@"; printf '\\1\\0'\n`).join("");
  const r = spawnSync("dash", ["-c", script], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent-home" } });
  if (r.status !== 0) throw new Error(r.stderr);
  const out: string[][] = [[]];
  for (const field of r.stdout.split("\0").slice(0, -1)) {
    if (field === "\u0001") out.push([]);
    else out[out.length - 1]!.push(field);
  }
  return out.slice(0, texts.length);
}

/** Pairs (shell text, exec array) for every CMD the fix turned into a plain exec array, in order. */
function conversions(input: string, output: string): { shell: string; exec: string[] }[] {
  const before = buildModel(input).instructions.filter((i) => i.command.keyword === "CMD" || i.command.keyword === "ENTRYPOINT");
  const after = buildModel(output).instructions.filter((i) => i.command.keyword === "CMD" || i.command.keyword === "ENTRYPOINT");
  const out: { shell: string; exec: string[] }[] = [];
  if (before.length !== after.length) return out;
  before.forEach((b, k) => {
    const a = after[k]!;
    if (b.command.json || !a.command.json) return;
    if (a.command.json.length === 3 && a.command.json[1] === "-c" && a.command.json[2]!.startsWith("exec ")) return; // the unsafe form keeps the shell
    out.push({ shell: b.command.args, exec: a.command.json });
  });
  return out;
}

function expectSameWords(pairs: { shell: string; exec: string[]; where: string }[]): void {
  if (pairs.length === 0) return;
  const words = dashWords(pairs.map((p) => p.shell));
  pairs.forEach((p, k) => {
    const argv = words[k]![0] === "exec" ? words[k]!.slice(1) : words[k]!;
    expect(p.exec, `${p.where}: CMD ${p.shell}`).toEqual(argv);
  });
}

const plain = fc.stringMatching(/^[A-Za-z0-9_./:=@%+,-]{1,6}$/);
const piece = fc.oneof(
  plain,
  plain.map((w) => `'${w} "x" \\ ${w}'`),
  plain.map((w) => `"${w} 'y' ${w}"`),
  plain.map((w) => `"a\\"b\\\\c\\d${w}"`),
  plain.map((w) => `${w}\\ ${w}`),
  plain.map((w) => `\\"${w}\\'`),
  fc.constantFrom('""', "''", "é", "☃", "a#b", "x=y", "\\\\"),
);
const word = fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => p.join(""));

describe.skipIf(!HAS_DASH)("cmd-exec-form keeps the arguments", () => {
  test("generated words: the exec array is what dash makes of the shell text", () => {
    const pairs: { shell: string; exec: string[]; where: string }[] = [];
    fc.assert(
      fc.property(fc.constantFrom("", "exec "), fc.constantFrom("./serve", "/usr/bin/app", "node"), fc.array(word, { maxLength: 4 }), (exec, program, args) => {
        const input = `FROM alpine\nCMD ${exec}${[program, ...args].join(" ")}\n`;
        const result = fixSync(input, { select: ["cmd-exec-form"] });
        for (const c of conversions(input, result.output)) pairs.push({ ...c, where: JSON.stringify(input) });
      }),
      { numRuns: 400, seed: 424242 },
    );
    expect(pairs.length).toBeGreaterThan(300);
    expectSameWords(pairs);
  });

  test("fixtures", () => {
    const pairs = fixtureCases("rules/cmd-exec-form").flatMap((c) => conversions(c.input, c.output).map((p) => ({ ...p, where: c.name })));
    expect(pairs.length).toBeGreaterThan(5);
    expectSameWords(pairs);
  });

  test.skipIf(!HAS_CORPUS)("every conversion in the corpus", () => {
    const pairs: { shell: string; exec: string[]; where: string }[] = [];
    for (const f of corpusFiles()) {
      const input = readFileSync(join(CORPUS, f), "utf8");
      let output: string;
      try {
        output = fixSync(input, { select: ["cmd-exec-form"], unsafeFixes: true }).output;
      } catch {
        continue; // files BuildKit rejects: test/cli.test.ts covers how they are reported
      }
      if (output !== input) pairs.push(...conversions(input, output).map((p) => ({ ...p, where: f })));
    }
    console.log(`exec form: ${pairs.length} corpus conversions checked against dash`);
    expect(pairs.length).toBeGreaterThan(20);
    expectSameWords(pairs);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
if (!HAS_DASH) test.skip("dash is not installed: exec-form arguments not checked against it", () => {});
