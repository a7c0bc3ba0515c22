/**
 * Carriage returns on Prettier's path. Prettier turns every CR into a line
 * break before the plugin sees the text; BuildKit trims CRs before a line
 * end (`\r\r\n` reads as `\r\n`) and keeps any other CR inside its line. The
 * plugin reads the file from disk and refuses it only where the two texts do
 * not mean the same (plugin/parser.ts): CRs before line ends outside heredoc
 * bodies and the directive block are formatted, the others refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as prettier from "prettier";
import { beforeAll, describe, expect, test } from "vitest";
import plugin from "../plugin/index.js";
import { buildModel, compareMeanings, initShell, meaningOf } from "../src/index.js";
import { FIXTURES } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

const REFUSED = /carriage return not followed by a line feed/;

/** prettier.format of a file as the prettier command formats it (the file read from disk), or its error. */
async function formatFile(path: string, text: string): Promise<string | Error> {
  try {
    return await prettier.format(text, { parser: "dockerfile", filepath: path, plugins: [plugin] });
  } catch (e) {
    return e as Error;
  }
}

/** Prettier's view of a file's text: every CR a line break, the byte-order mark removed. */
const normalised = (text: string) => text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");

describe("CRs before a line end on Prettier's path", () => {
  test("fixture carriage-returns-before-line-end: formatted, and it means what the file means", async () => {
    const path = join(FIXTURES, "format/regressions/carriage-returns-before-line-end.in.dockerfile");
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(path, "utf8");
    const out = await formatFile(path, normalised(text));
    expect(out).not.toBeInstanceOf(Error);
    expect(compareMeanings(meaningOf(buildModel(text)), meaningOf(buildModel(out as string)))).toBeNull();
  });

  test("refused where the line breaks Prettier adds change the meaning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cr-prettier-"));
    try {
      const cases = {
        // a heredoc body keeps its bytes: an empty line would be added to it
        heredoc: "FROM alpine\nCOPY <<EOF /etc/motd\nwelcome\r\r\nEOF\n",
        // an empty line ends the directives: the escape directive would become a comment
        directive: "# syntax=docker/dockerfile:1\r\r\n# escape=`\nFROM alpine\nRUN echo a `\n  b\n",
        // a CR inside a line: one instruction to BuildKit, two after Prettier
        inside: "FROM alpine\nRUN echo a\rRUN echo b\n",
      };
      for (const [name, text] of Object.entries(cases)) {
        const path = join(dir, `${name}.Dockerfile`);
        writeFileSync(path, text);
        const out = await formatFile(path, normalised(text));
        expect(out instanceof Error && REFUSED.test(out.message), `${name}: ${String(out)}`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
