/**
 * The codemod over ../shared/corpus, as a user would run it: --check, --write
 * (on a copy), --check again. Every written file must equal what the library
 * gives, and its meaning may differ from the original only where a fix says:
 * the instructions that changed are RUN, CMD, ENTRYPOINT or HEALTHCHECK, and
 * every change is accounted for by an applied fix. And the codemod keeps a
 * formatted file formatted: every corpus file formatted (Prettier's defaults,
 * and `useTabs`), fixed, is what the formatter prints for it.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, DockerfileSyntaxError, initShell, meaningOf } from "../src/index.js";
import { fixSync } from "../src/codemod/fix.js";
import { formatText, type FormatOptions } from "../src/format/format.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, ROOT, corpusFiles } from "./helpers.js";

const BIN = join(ROOT, "dist/src/cli/bin.js");
let dir = "";
let files: string[] = [];

beforeAll(async () => {
  await initShell();
  if (!HAS_CORPUS) return;
  dir = mkdtempSync(join(tmpdir(), "codemod-corpus-"));
  // BuildKit rejects a handful of corpus files (test inputs written to be invalid): leave them out here;
  // test/cli.test.ts covers how bad files are reported.
  files = corpusFiles().filter((f) => {
    try {
      meaningOf(buildModel(readFileSync(join(CORPUS, f), "utf8")));
      return true;
    } catch (e) {
      if (e instanceof DockerfileSyntaxError) return false;
      throw e;
    }
  });
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(CORPUS, f), join(dir, f));
    // the shared corpus is read-only, and the codemod does not replace a read-only file
    chmodSync(join(dir, f), 0o644);
  }
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The corpus names its files after their paths (owner__repo/dir__Dockerfile): named explicitly, they are read
// as Dockerfiles only with --assume-dockerfile.
function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, "--assume-dockerfile", ...args, ...files], { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
}

/** Longest common subsequence of two key lists: the indexes left unmatched on each side. */
function unmatched(a: string[], b: string[]): { a: number[]; b: number[] } {
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const ua: number[] = [];
  const ub: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) ua.push(i++);
    else ub.push(j++);
  }
  while (i < n) ua.push(i++);
  while (j < m) ub.push(j++);
  return { a: ua, b: ub };
}

describe("codemod over the corpus", () => {
  // (--check before --write: test/cli.test.ts; over the corpus it would only repeat --write's reading)
  test.skipIf(!HAS_CORPUS)("--write, then --diff shows nothing left; written files keep their meaning except where fixes say", () => {
    // unsafe fixes are left (reported): --write exits 1 for them, as ruff does, with no error
    const write = run(["--write"]);
    expect(write.status, write.stderr.slice(-2000)).toBe(1);
    expect(write.stderr).toMatch(/\d+ findings? not fixed; 0 errors;/);
    // nothing left to change (--diff exits 1 only for a change)
    const check2 = run(["--diff"]);
    expect(check2.status, check2.stdout.slice(0, 2000)).toBe(0);
    expect(check2.stdout).toBe("");

    const filesPerRule = new Map<string, number>();
    let changed = 0;
    for (const f of files) {
      const before = readFileSync(join(CORPUS, f), "utf8");
      const after = readFileSync(join(dir, f), "utf8");
      // the command line takes the Dockerfile's directory for the build context (cmd-exec-form looks at copied programs there)
      const result = fixSync(before, { context: dirname(join(dir, f)) });
      expect(after, f).toBe(result.output);
      if (before === after) {
        expect(result.fixes, f).toEqual([]);
        continue;
      }
      changed++;
      for (const rule of new Set(result.fixes.map((x) => x.rule))) filesPerRule.set(rule, (filesPerRule.get(rule) ?? 0) + 1);
      const a = meaningOf(buildModel(before));
      const b = meaningOf(buildModel(after));
      expect(b.directives, f).toEqual(a.directives);
      const diff = unmatched(a.instructions.map((x) => x.key), b.instructions.map((x) => x.key));
      const keywordOf = (key: string) => /^[A-Z]+/.exec(key)![0];
      // the default rules change these: merged RUNs, exec-form CMDs, key=value ENV/LABEL, EXPOSE ports, stage names and their references
      const changeable = ["RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ENV", "LABEL", "EXPOSE", "FROM", "COPY"];
      for (const i of diff.a) expect(changeable, `${f}: ${a.instructions[i]!.key.slice(0, 80)}`).toContain(keywordOf(a.instructions[i]!.key));
      for (const j of diff.b) {
        const key = b.instructions[j]!.key;
        // what a fix puts in: a merged RUN, an exec-form CMD/ENTRYPOINT, pairs written key=value, EXPOSE, FROM or COPY
        const isPairs = /^(ENV|LABEL) /.test(key) && (JSON.parse(key.slice(key.indexOf(" ") + 1)) as { sep: string }[]).every((p) => p.sep === "=");
        expect(key.startsWith("RUN") || /^(CMD|ENTRYPOINT) exec\[/.test(key) || isPairs || /^(EXPOSE|FROM|COPY)\b/.test(key), `${f}: ${key.slice(0, 80)}`).toBe(true);
      }
      // a merge removes every RUN it joins (a chain: more than one), a removal the shadowed instruction
      const removed = result.fixes.reduce((n, x) => n + x.removed, 0);
      expect(b.instructions.length, f).toBe(a.instructions.length - removed);
    }
    const counts = [...filesPerRule].map(([r, n]) => `${r} ${n}`).join(", ");
    console.log(`codemod corpus: ${files.length} files, ${changed} changed; files changed per rule: ${counts}`);
    expect(changed).toBeGreaterThan(20);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});

  // the defaults follow each file's own style (tabs where it uses tabs): one pass covers the house styles
  for (const [name, options] of [["default options", {}]] as [string, FormatOptions][]) {
    test.skipIf(!HAS_CORPUS)(`a formatted file stays formatted (${name})`, () => {
      let changed = 0;
      const unformatted: string[] = [];
      for (const f of files) {
        const formatted = formatText(readFileSync(join(CORPUS, f), "utf8"), options);
        const out = fixSync(formatted).output;
        if (out === formatted) continue;
        changed++;
        if (formatText(out, options) === out) continue;
        unformatted.push(f);
        // the one case the codemod cannot follow the formatter: a file with no line that shows an indentation
        // (no instruction on several lines), where a merge has to pick one (four spaces)
        const model = buildModel(formatted);
        expect(model.instructions.every((i) => i.lines.length === 1), `${f} is no longer formatted`).toBe(true);
      }
      console.log(
        `formatted corpus (${name}): ${files.length} files, ${changed} changed by the codemod, ${unformatted.length} no longer formatted` +
          (unformatted.length > 0 ? ` (no line in them shows an indentation: ${unformatted.join(", ")})` : ""),
      );
      expect(changed).toBeGreaterThan(20);
    }, 300_000);
  }
});
