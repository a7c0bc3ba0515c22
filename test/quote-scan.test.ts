/**
 * The quote scan (src/shell/quote-scan.ts) judged by readings it does not
 * share: mvdan/sh's parser (the npm package sh-syntax, in WebAssembly: its
 * printer lays out what it parsed, so two texts it reads as the same words
 * print the same), and the shells themselves: dash for the "posix" dialect,
 * bash for "bash". Generated texts aimed at quoting run as `stub …` (and
 * whatever else they hold) in a scratch folder, with PATH holding only a
 * stub that prints its arguments NUL-separated and its standard input
 * (background jobs are waited for, and each run's calls compared as a set):
 * collapsing every blank the scan calls a separator to one space, widening
 * each to a space, a tab and a space, and the scan's normalised reading
 * (blanks next to operators dropped) must all print the same, with the same
 * exit status. A blank the scan protects is never assumed safe: changing it
 * changes the reading the meaning check compares. Every RUN of the corpus
 * goes through the scan too (no crash; counts printed).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, print } from "sh-syntax";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, initShell, meaningOf } from "../src/index.js";
import { layoutAnalysis } from "../src/shell/analysis.js";
import { OPERATOR, PROTECTED, SEPARATOR, dialectsAgree, quoteScan, quoteScanReach, separatorReading, type ShellDialect } from "../src/shell/quote-scan.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";

/** Where a shell is (the scripts run with PATH holding only the stub). */
function shellPath(name: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim().startsWith("/") ? r.stdout.trim() : null;
}
const SHELLS = { dash: shellPath("dash"), bash: shellPath("bash") };
const HAS_DASH = SHELLS.dash !== null;
const HAS_BASH = SHELLS.bash !== null;
const SHELL_OF: Record<ShellDialect, "dash" | "bash"> = { posix: "dash", bash: "bash" };
/** mvdan/sh's LangVariant: 0 bash, 1 POSIX. */
const VARIANT_OF: Record<ShellDialect, 0 | 1> = { posix: 1, bash: 0 };
const DIALECTS: ShellDialect[] = ["posix", "bash"];
const GENERATED = Number(process.env.QUOTE_SCAN_CASES ?? 150);

let dir = "";
let stubDir = "";
let work = "";

beforeAll(async () => {
  await initShell();
  dir = mkdtempSync(join(tmpdir(), "quote-scan-"));
  stubDir = join(dir, "bin");
  work = join(dir, "work");
  mkdirSync(stubDir);
  mkdirSync(work);
  // the only program on PATH: prints its arguments, each followed by a NUL, then \3, its standard input and \4,
  // in one write (a background job's record may come before or after the next command's: records are compared as a set)
  writeFileSync(
    join(stubDir, "stub"),
    [
      "#!/bin/sh",
      // no command substitution: a fork per call would make the runs slow
      "in='\u0003'",
      'while IFS= read -r l || [ -n "$l" ]; do in="$in$l\n"; done',
      `printf '%s\\0' "$@" "$in\u0004"`,
      "",
    ].join("\n"),
  );
  chmodSync(join(stubDir, "stub"), 0o755);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One character per code unit: `_` separator, `o` operator, `.` anything else. */
function picture(text: string, dialect: ShellDialect): string {
  return Array.from(quoteScan(text, dialect), (k) => (k === SEPARATOR ? "_" : k === OPERATOR ? "o" : ".")).join("");
}

/** The text with every run of separator blanks replaced by `by`. */
function replaceSeparators(text: string, classes: Uint8Array, by: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (classes[i] !== SEPARATOR) {
      out += text[i];
      continue;
    }
    while (i + 1 < text.length && classes[i + 1] === SEPARATOR) i++;
    out += by;
  }
  return out;
}

/** The texts the scan says read the same as `text` in `dialect`. */
function variantsOf(text: string, dialect: ShellDialect): string[] {
  const classes = quoteScan(text, dialect);
  const all = [replaceSeparators(text, classes, " "), replaceSeparators(text, classes, " \t "), separatorReading(text, dialect)];
  return [...new Set(all)].filter((v) => v !== text);
}

/**
 * What each text does when `shell` runs it (in a subshell, through eval, as
 * `sh -c` would parse it): everything printed (the stub's arguments and
 * input) and the exit status. One shell process for all of them.
 */
function runAll(shell: "dash" | "bash", texts: string[]): string[] {
  const script = [`cd '${work}'`, `x="a'b  c"`, "y=", "export x"];
  texts.forEach((t, k) => {
    script.push(`printf '\\001%s\\000' ${k}; ( eval '${`${t}\nwait`.replace(/'/g, "'\\''")}' ) </dev/null 2>/dev/null; printf '\\002%s\\000' "$?"`);
  });
  const file = join(dir, `script-${shell}.sh`);
  writeFileSync(file, script.join("\n") + "\n");
  const r = spawnSync(SHELLS[shell]!, [file], { env: { PATH: stubDir, HOME: "/nonexistent-home" }, maxBuffer: 1 << 28, timeout: 120_000 });
  if (r.error) throw r.error;
  const out = r.stdout.toString("latin1");
  const results: string[] = new Array<string>(texts.length).fill("(not run)");
  for (const record of out.split("\u0001").slice(1)) {
    const nul = record.indexOf("\u0000");
    const status = record.lastIndexOf("\u0002");
    const calls = record.slice(nul + 1, status).split("\u0004").sort().join("\u0004");
    results[Number(record.slice(0, nul))] = calls + record.slice(status);
  }
  return results;
}

const plain = fc.constantFrom("a", "b1", "x=y", "-f", "é", "a#b", "=~", "case", "in", "esac", "{", "}", "!", "*", "\\*");
const blank = fc.constantFrom(" ", "  ", "\t", " \t ", "   ");
const quoting = fc.constantFrom(
  "'a  b'",
  "'a\\'",
  "'\\''",
  "' '",
  "''",
  '"a  b"',
  '"a\\"  b"',
  '"a\\\\"',
  '"$x  y"',
  '"${x:-a  b}"',
  "\"${x:-'a  b'}\"",
  '"${x#*\'}"',
  "\"${x#*'}'\"",
  '"$(stub a  b)"',
  '"`stub a  b`"',
  "$'a  b'",
  "$'a\\'  b'",
  "$'a\\\\'",
  "$'\\''",
  "$'\\' '",
  '$"a  b"',
  "\\ ",
  "\\'",
  '\\"',
  "\\\\",
  "\\#",
  "\\$",
  "\\\n",
  "${x##*\\'}",
  "${x:-a  b}",
  "${x:-'a  b'}",
  '${x:-"}"}',
  "${x:-\\}}",
  "${#x}",
  "$#",
  "$?",
  "$x",
  "$(stub  a  b)",
  "$( (stub a) )",
  '$(stub ")")',
  "$(stub ')' )",
  "$(case a in a) stub  x;; esac)",
  "$(stub a # )\n)",
  "`stub  a`",
  "`stub 'a  b'`",
  "$((1 + 2))",
  "$(( (1+2) * 3 ))",
  "# c  d\n",
  "#",
  "'",
  '"',
  "`",
  "$(",
  ")",
  "(",
  "((",
  "<<EOF\na  b\nEOF\n",
  "<<-'EOF'\n\ta  'b\n\tEOF\n",
  "<<<  'a  b'",
  // (its stdin from /dev/null: it would race the command for a pipe both inherit)
  "<(stub  a </dev/null)",
  "@(a|b)",
  "$[1 + 2]",
);
const operator = fc.constantFrom(";", "&&", "||", "|", "\n", ";;", "&", ">&2", "2>&-", "&>/dev/null; wait;", "<>/dev/null");
/** An operator with the command after it (a background job waited for: its output stays in its record). */
const followed = (p: string): string => (p === "&&" || p === "||" || p === ";" || p === "|" ? `${p} stub` : p === "&" ? "& wait; stub" : p);
const piece = fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: quoting, weight: 6 }, { arbitrary: operator, weight: 2 });
/** A command line aimed at quoting: `stub` and pieces, with or without blanks between them. */
const commandLine = fc
  .tuple(fc.array(fc.tuple(fc.oneof(blank, blank, fc.constant("")), piece), { minLength: 1, maxLength: 8 }), fc.oneof(blank, fc.constant("")))
  .map(([parts, end]) => `stub${parts.map(([b, p]) => b + followed(p)).join("")}${end}`);

const SEED = Number(process.env.QUOTE_SCAN_SEED ?? 20261207);
const generated = (): string[] => fc.sample(commandLine, { numRuns: GENERATED, seed: SEED });

/** Pieces that leave nothing open, for the parser (each of its calls costs milliseconds: texts it rejects are wasted). */
const UNBALANCED = new Set(["'", '"', "`", "$(", ")", "(", "((", "#", "'a\\'", "$'\\' '", '"${x#*\'}"', "@(a|b)"]);
const balancedLine = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof(blank, blank, fc.constant("")), fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: quoting.filter((q) => !UNBALANCED.has(q)), weight: 6 }, { arbitrary: operator, weight: 2 })), { minLength: 1, maxLength: 8 }),
    fc.oneof(blank, fc.constant("")),
  )
  .map(([parts, end]) => `stub${parts.map(([b, p]) => b + followed(p)).join("")}${end}`);
const PARSED = Number(process.env.QUOTE_SCAN_PARSER_CASES ?? 60);

describe("the quote scan", () => {
  test("item 12: tree-sitter's misreadings of ${x##*\\'} and $'…\\\\' are not the scan's", () => {
    const text = "x=${x##*\\'} && echo 'a   b'";
    for (const d of DIALECTS) expect(picture(text, d), d).toBe("..........._oo_...._.......");
    const ansi = "echo $'a\\\\'  && echo 'x   y'";
    // bash: $'a\\' ends at its second quote; posix: `$` and 'a\\' end at the same place
    for (const d of DIALECTS) expect(picture(ansi, d), d).toBe("...._......__oo_...._.......");
  });

  test("item 13: $'…' is a string for bash only", () => {
    const text = "echo $'\\'' x   y '\\'";
    expect(picture(text, "bash")).toBe("...._....._.___._...");
    expect(picture(text, "posix")).toBe("...._...............");
    expect(separatorReading(text, "bash")).toBe("echo $'\\'' x y '\\'");
    expect(separatorReading(text, "posix")).toBe(text);
  });

  test("the meaning check reads the scan too: what tree-sitter misreads alike is told apart", () => {
    const differ = (a: string, b: string) => compareMeanings(meaningOf(buildModel(`FROM a\nRUN ${a}\n`)), meaningOf(buildModel(`FROM a\nRUN ${b}\n`)));
    // tree-sitter gives these pairs one syntax tree; the scan's readings differ
    expect(differ("x=${x##*\\'} && echo 'a   b'", "x=${x##*\\'} && echo 'a b'")).not.toBeNull();
    expect(differ("echo $'\\'' x   y '\\'", "echo $'\\'' x y '\\'")).not.toBeNull();
    // what only separates words, and blanks next to operators, are not part of the meaning
    expect(differ("a   b  &&c ;  d", "a b && c; d")).toBeNull();
  });

  test("comments, escapes, expansions, substitutions and heredocs", () => {
    const cases: [string, ShellDialect, string][] = [
      ["a  # b  c", "posix", ".__......"],
      ["a$#  b", "posix", "...__."],
      ["a\\  b", "posix", "..._."],
      ['a "b  c"  d', "posix", "._......__."],
      ["a ${x:-b  c}  d", "posix", "._..........__."],
      // the command level of a substitution whose end is sure: its blanks separate the inner command's words
      ["a $(b  c)  d", "posix", "._...__..__."],
      ["a $((1  +  2))  d", "posix", "._............__."],
      ["a `b  c`  d", "posix", "._......__."],
      ["cat <<EOF  x\na  b\nEOF\nc  d", "posix", "..._.....__............__."],
      // a `)` in a case pattern would end a counter's `$(`: unsure from `case` on
      ["a $(case b in b) c;; esac)  d", "posix", "._..........................."],
      // inside double quotes, a single quote in ${…} quotes for some operators and not others: unsure
      ['a "${x#\'}"  b', "bash", "._..........."],
      // a quote inside backquotes: unsure
      ["a `b 'c'`  d", "posix", "._.........."],
      // bash's [[ =~ ]] and $[ ]: unsure in bash, plain words to dash
      ["[[ a =~ (b  c) ]]", "bash", ".._._............"],
      ["[[ a =~ (b  c) ]]", "posix", ".._._.._..__.._.."],
      ["a $[1  +  2]  b", "posix", "._...__.__..__."],
      ["a $[1  +  2]  b", "bash", "._............."],
      // bash's arithmetic command; to dash, two subshells
      ["for ((i = 0; i < 2; i++)); do a  b; done", "bash", "..._.....................o_.._.__.o_...."],
      ["((a  b))  c", "bash", "........__."],
      ["((a  b))  c", "posix", "...__...__."],
    ];
    for (const [text, d, expected] of cases) expect(picture(text, d), `${d}: ${JSON.stringify(text)}`).toBe(expected);
  });

  test("where dialectsAgree says so (one scan serves both), the two dialects' scans are equal", () => {
    let agreeing = 0;
    for (const text of generated()) {
      if (!dialectsAgree(text)) continue;
      agreeing++;
      expect(Array.from(quoteScan(text, "bash")), JSON.stringify(text)).toEqual(Array.from(quoteScan(text, "posix")));
    }
    expect(agreeing).toBeGreaterThan(GENERATED / 3);
  });

  test("a blank the scan protects is never assumed safe: changing it changes the reading", () => {
    let checked = 0;
    for (const text of generated()) {
      for (const d of DIALECTS) {
        const classes = quoteScan(text, d);
        const reading = separatorReading(text, d);
        const mask = layoutAnalysis(text, [d]).protectedMask;
        for (let i = 0; i < text.length; i++) {
          if ((text[i] !== " " && text[i] !== "\t") || classes[i] !== PROTECTED) continue;
          const where = `${d}: ${JSON.stringify(text)} at ${i}`;
          // (a space for a tab or a tab for a space: the scan reads the text before it alike, so the change is one the reading shows;
          // removing it may be harmless, as for the escaped blank of `\\ ` followed by separators)
          const other = text[i] === " " ? "\t" : " ";
          expect(separatorReading(text.slice(0, i) + other + text.slice(i + 1), d), where).not.toBe(reading);
          // and the formatter leaves it as written
          expect(mask[i], where).toBe(1);
          checked++;
        }
      }
    }
    console.log(`protected blanks checked: ${checked}`);
    expect(checked).toBeGreaterThan(1000);
  });
});

describe.skipIf(!HAS_DASH || !HAS_BASH)("the scan judged by execution under dash and bash", () => {
  test("generated texts: what the scan calls separators may be collapsed, widened or dropped next to operators", () => {
    for (const d of DIALECTS) {
      const texts: string[] = [];
      const owner: number[] = [];
      const originals = generated();
      originals.forEach((t, k) => {
        texts.push(t);
        owner.push(-1);
        for (const v of variantsOf(t, d)) {
          texts.push(v);
          owner.push(k);
        }
      });
      const results = runAll(SHELL_OF[d], texts);
      const byOriginal = new Map<number, string>();
      const differences: string[] = [];
      let variants = 0;
      let k = -1;
      texts.forEach((t, j) => {
        if (owner[j] === -1) {
          k++;
          byOriginal.set(k, results[j]!);
          return;
        }
        variants++;
        if (results[j] !== byOriginal.get(owner[j]!)) {
          differences.push(`${SHELL_OF[d]}: ${JSON.stringify(originals[owner[j]!])} (${JSON.stringify(byOriginal.get(owner[j]!))}) vs ${JSON.stringify(t)} (${JSON.stringify(results[j])})`);
        }
      });
      const ran = results.filter((r) => r.includes("\u0003")).length;
      console.log(`${SHELL_OF[d]}: ${originals.length} generated texts, ${variants} variants executed, ${ran} runs reached the stub, ${differences.length} differences`);
      expect(differences.slice(0, 5)).toEqual([]);
      expect(variants).toBeGreaterThan(originals.length);
    }
  }, 300_000);
});

describe("the scan judged by mvdan/sh's parser (sh-syntax)", () => {
  test("generated texts: a text and its variants print the same", async () => {
    for (const d of DIALECTS) {
      let parsed = 0;
      let rejected = 0;
      let compared = 0;
      const differences: string[] = [];
      const printed = async (t: string): Promise<string | null> => {
        try {
          return await print(t, { variant: VARIANT_OF[d], keepComments: true });
        } catch {
          return null;
        }
      };
      let skipped = 0;
      for (const t of fc.sample(balancedLine, { numRuns: PARSED, seed: 20261208 })) {
        // mvdan/sh's POSIX variant reads $'…' as POSIX.1-2024 does (dash 0.5 has no $'…': the execution test judges those)
        if (d === "posix" && t.includes("$'")) {
          skipped++;
          continue;
        }
        const base = await printed(t);
        if (base === null) {
          rejected++;
          continue;
        }
        parsed++;
        for (const v of variantsOf(t, d)) {
          const p = await printed(v);
          compared++;
          if (p !== base) differences.push(`${d}: ${JSON.stringify(t)} -> ${JSON.stringify(base)}; ${JSON.stringify(v)} -> ${JSON.stringify(p)}`);
        }
      }
      console.log(`sh-syntax ${d}: ${parsed} parsed, ${rejected} rejected by the parser, ${skipped} with $'…' left to the shells, ${compared} variants compared, ${differences.length} differences`);
      expect(differences.slice(0, 5)).toEqual([]);
      expect(parsed).toBeGreaterThan(PARSED / 4);
    }
  }, 300_000);

  test("sh-syntax agrees the scan's examples parse", async () => {
    await expect(parse("x=${x##*\\'} && echo 'a   b'", { variant: 0 })).resolves.toBeDefined();
  });
});

describe("the scan over the corpus", () => {
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
  test.skipIf(!HAS_CORPUS)("every RUN's shell text: no crash, and how much is protected", () => {
    let runs = 0;
    let chars = 0;
    const separators: Record<ShellDialect, number> = { posix: 0, bash: 0 };
    const unsure: Record<ShellDialect, number> = { posix: 0, bash: 0 };
    const protectedBlanks: Record<ShellDialect, number> = { posix: 0, bash: 0 };
    let readingsDiffer = 0;
    for (const file of corpusFiles()) {
      let model;
      try {
        model = buildModel(readFileSync(join(CORPUS, file), "utf8"));
      } catch {
        continue;
      }
      for (const instr of model.instructions) {
        if (instr.command.keyword !== "RUN" || instr.command.json) continue;
        const text = instr.command.args;
        runs++;
        chars += text.length;
        for (const d of DIALECTS) {
          const { classes, reach } = quoteScanReach(text, d);
          if (reach < text.length) unsure[d]++;
          for (let i = 0; i < text.length; i++) {
            if (classes[i] === SEPARATOR) separators[d]++;
            else if (text[i] === " " || text[i] === "\t") protectedBlanks[d]++;
          }
        }
        if (separatorReading(text, "posix") !== separatorReading(text, "bash")) readingsDiffer++;
      }
    }
    console.log(
      `corpus: ${runs} shell-form RUNs (${chars} characters); separators posix ${separators.posix}, bash ${separators.bash}; ` +
        `protected blanks posix ${protectedBlanks.posix}, bash ${protectedBlanks.bash}; texts the scan was unsure of from some point: posix ${unsure.posix}, bash ${unsure.bash}; ` +
        `texts whose readings differ between the dialects: ${readingsDiffer}`,
    );
    expect(runs).toBeGreaterThan(1000);
  });
});
