/**
 * What users get is what Prettier returns, not the core formatter's string:
 * over every corpus file, `prettier.format` with the built plugin and a
 * filepath returns exactly what `formatText` returns (with the line ending
 * asked for and the byte-order mark put back) under six option sets, and a
 * ```dockerfile block in Markdown comes back as `formatText` prints the
 * file (Markdown's own tabWidth does not reach it).
 * Files with a lone carriage return are refused on Prettier's path (Prettier
 * turns it into a line break before the plugin sees the text), and so are
 * heredoc bodies CRLF output would add a carriage return to.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, formatText, initShell } from "../src/index.js";
import { HEREDOC_CRLF_REFUSAL } from "../plugin/printer.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, ROOT, corpusFiles } from "./helpers.js";

const PLUGIN = join(ROOT, "dist/plugin/index.js");

const OPTION_SETS: prettier.Options[] = [
  {},
  { dockerfileIndent: "tab" } as prettier.Options,
  { dockerfileIndent: "2", dockerfileOperatorPosition: "end" } as prettier.Options,
  { printWidth: 40 },
  { endOfLine: "crlf" },
  { endOfLine: "auto" },
];

beforeAll(async () => {
  await initShell();
});

const hasLoneCR = (text: string) => /\r(?!\n)/.test(text);

/** The line ending Prettier writes: `auto` takes the kind of the input's first carriage return (CRLF), or LF. */
function eolFor(text: string, endOfLine: prettier.Options["endOfLine"]): string {
  if (endOfLine === "crlf") return "\r\n";
  if (endOfLine === "auto") {
    const cr = text.indexOf("\r");
    return cr !== -1 && text[cr + 1] === "\n" ? "\r\n" : "\n";
  }
  return "\n";
}

/**
 * What the core formatter gives, as Prettier should write it; with CRLF line
 * endings, a heredoc body line the file on disk ends with LF is refused
 * (Prettier would add a carriage return to it, which BuildKit keeps).
 */
function expected(text: string, options: prettier.Options): string {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const out = formatText(text, options as Record<string, unknown>);
  const eol = eolFor(bom ? text.slice(1) : text, options.endOfLine);
  if (eol === "\r\n") {
    const raw = (bom ? text.slice(1) : text).split("\n");
    const model = buildModel((bom ? text.slice(1) : text).replace(/\r\n/g, "\n"), { bomStripped: true });
    for (const instr of model.instructions) {
      for (const h of instr.heredocs) {
        for (let l = h.bodyStart; l < h.terminatorLine; l++) if (!raw[l]!.endsWith("\r")) throw new Error(HEREDOC_CRLF_REFUSAL);
      }
    }
  }
  return bom + (eol === "\n" ? out : out.replace(/\n/g, eol));
}

/** A Markdown file holding the text in a ```dockerfile block (fenced with more backticks than it holds). */
function inMarkdown(text: string): { markdown: string; fence: string } {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return { markdown: `# Build\n\n${fence}dockerfile\n${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${fence}\n`, fence };
}

describe("Prettier returns exactly what the formatter prints", () => {
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});

  test.skipIf(!HAS_CORPUS)(`every corpus file, through prettier.format with a filepath, under the defaults and one of ${OPTION_SETS.length - 1} other option sets in turn`, async () => {
    let compared = 0;
    let rejected = 0;
    const refusedLoneCR: string[] = [];
    const differing: string[] = [];
    for (const [k, file] of corpusFiles().entries()) {
      const path = join(CORPUS, file);
      const text = readFileSync(path, "utf8");
      // every file under the defaults and, in turn, one of the other sets (each then reads 1 file in 5);
      // PRETTIER_PATH_ALL=1: every file under every set
      const sets = process.env.PRETTIER_PATH_ALL ? OPTION_SETS : [OPTION_SETS[0]!, OPTION_SETS[1 + (k % 5)]!];
      for (const options of sets) {
        let want: string | Error;
        try {
          want = expected(text, options);
        } catch (e) {
          want = e as Error;
        }
        let got: string | Error;
        try {
          // the corpus names files `owner__path__Dockerfile`: the parser is named, the filepath is the real file
          got = await prettier.format(text, { ...options, parser: "dockerfile", filepath: path, plugins: [PLUGIN] });
        } catch (e) {
          got = e as Error;
        }
        if (hasLoneCR(text)) {
          if (got instanceof Error && /carriage return not followed by a line feed/.test(got.message)) {
            if (!refusedLoneCR.includes(file)) refusedLoneCR.push(file);
          } else differing.push(`${file} ${JSON.stringify(options)}: a lone CR was not refused (${got instanceof Error ? got.message : "formatted"})`);
          continue;
        }
        compared++;
        if (want instanceof Error || got instanceof Error) {
          // both reject, with the same message and position
          const w = want instanceof Error ? want.message : "formatted";
          const g = got instanceof Error ? got.message.split("\n")[0]!.replace(/ \(\d+:\d+\)$/, "") : "formatted";
          if (w !== g) differing.push(`${file} ${JSON.stringify(options)}: formatter ${w} / prettier ${g}`);
          else rejected++;
          continue;
        }
        if (got !== want) differing.push(`${file} ${JSON.stringify(options)}: prettier's output differs from the formatter's`);
      }
    }
    console.log(
      `prettier.format vs formatText: ${compared} file × option runs compared, ${rejected} rejected by both alike, ` +
        `${refusedLoneCR.length} lone-CR files refused on Prettier's path, ${differing.length} differ`,
    );
    expect(differing.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(process.env.PRETTIER_PATH_ALL ? 7000 : 2500);
  });

  test.skipIf(!HAS_CORPUS)("every corpus file as a ```dockerfile block in Markdown", async () => {
    let compared = 0;
    const differing: string[] = [];
    for (const file of corpusFiles()) {
      let text = readFileSync(join(CORPUS, file), "utf8");
      if (hasLoneCR(text)) continue;
      // a Markdown file has one byte-order mark and one line ending of its own
      text = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
      let want: string;
      try {
        // a block in Markdown is formatted as the Dockerfile would be: Markdown's tabWidth (2) does not reach it
        want = formatText(text);
      } catch {
        continue; // invalid: Prettier's markdown embed keeps such a block as written
      }
      const { markdown, fence } = inMarkdown(text);
      const out = await prettier.format(markdown, { parser: "markdown", plugins: [PLUGIN] });
      const open = `${fence}dockerfile\n`;
      const start = out.indexOf(open);
      const end = out.lastIndexOf(`${fence}\n`);
      const got = start === -1 || end <= start ? null : out.slice(start + open.length, end);
      compared++;
      // an empty block is printed with one empty line, as Prettier prints any empty code block
      if (got !== want && !(want === "" && got === "\n")) differing.push(`${file}: ${JSON.stringify(got?.slice(0, 200))} vs ${JSON.stringify(want.slice(0, 200))}`);
    }
    console.log(`markdown embedding: ${compared} corpus files compared, ${differing.length} differ`);
    expect(differing.slice(0, 5)).toEqual([]);
  });
});
