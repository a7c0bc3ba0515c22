import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import type { Parser } from "prettier";
import { buildModel, type DockerfileModel } from "../src/model/model.js";
import { DockerfileSyntaxError } from "../src/model/scan.js";
import { compareMeanings, meaningOf } from "../src/meaning/meaning.js";
import { initShell } from "../src/shell/bash.js";
import { hasIgnorePragma, hasPragma } from "../src/format/pragma.js";

export interface DockerfileRoot {
  type: "dockerfile";
  model: DockerfileModel;
  /** The lines (0-based) that end with CRLF in the file on disk, when it is at hand and is the text Prettier gave; else null. */
  crlfLines: ReadonlySet<number> | null;
  start: number;
  end: number;
}

/** A syntax error the way Prettier reports it: message, then line and column (and no stack trace). */
export function prettierSyntaxError(error: { message: string; line: number; column: number }): Error {
  const e = new SyntaxError(`${error.message} (${error.line}:${error.column})`) as SyntaxError & {
    loc: { start: { line: number; column: number } };
    cause: unknown;
  };
  e.loc = { start: { line: error.line, column: error.column } };
  e.cause = error;
  return e;
}

/**
 * Prettier turns every carriage return into a line break before a plugin
 * sees the text, but BuildKit splits lines at line feeds only: in a file
 * with a lone CR, `FROM a<CR>RUN b` is one instruction to BuildKit and two
 * after Prettier's normalisation. The plugin cannot see the original text,
 * but where Prettier formats a file from disk it can read it: a file whose
 * normalised content is the text Prettier gave, and which has a lone CR, is
 * refused (an editor's unsaved buffer, which may differ, cannot be checked),
 * unless BuildKit reads the two texts alike: CRs before a line end
 * (`\r\r\n`), which BuildKit trims, become empty lines, which change
 * nothing outside heredoc bodies and the directives at the top.
 * Returns the lines (0-based) that end with CRLF in that file, or null where
 * the file is not at hand, is not the text Prettier gave, or has CRs that
 * Prettier turned into lines of their own (its lines are not the file's).
 */
function readLineEndings(text: string, filepath: string | undefined): ReadonlySet<number> | null {
  if (!filepath) return null;
  let raw: Buffer;
  try {
    raw = readFileSync(filepath);
  } catch {
    return null;
  }
  if (raw.indexOf(13) === -1) return raw.toString("utf8").replace(/^\uFEFF/, "") === text ? new Set() : null;
  const original = raw.toString("utf8").replace(/^\uFEFF/, "");
  if (original.replace(/\r\n?/g, "\n") !== text) return null;
  const at = original.search(/\r(?!\n)/);
  if (at !== -1) {
    if (sameMeaning(original, text)) return null;
    const before = original.slice(0, at).replace(/\r\n?/g, "\n");
    const line = before.split("\n").length;
    const column = at - Math.max(original.lastIndexOf("\n", at - 1), original.lastIndexOf("\r", at - 1));
    throw new DockerfileSyntaxError(
      "a carriage return not followed by a line feed: BuildKit reads it inside the line, but Prettier turns it into a line break before formatting, which would change what the file means; convert the file's line endings to LF or CRLF first",
      line,
      column,
    );
  }
  const crlf = new Set<number>();
  original.split("\n").forEach((l, k) => {
    if (l.endsWith("\r")) crlf.add(k);
  });
  return crlf;
}

/** Whether the model (BuildKit's reading) gives two texts the same meaning; false when either is refused. */
function sameMeaning(a: string, b: string): boolean {
  try {
    return compareMeanings(meaningOf(buildModel(a, { bomStripped: true })), meaningOf(buildModel(b, { bomStripped: true }))) === null;
  } catch (e) {
    if (e instanceof DockerfileSyntaxError) return false;
    throw e;
  }
}

let wasmTuned = false;

/**
 * tree-sitter-bash is a large WebAssembly module. In a short-lived process V8's
 * optimising tier costs more than it saves: it recompiles the module's hot
 * functions in the background after the first parses, and the process waits
 * for it before exiting (about 0.3-0.5 s on a 2-core machine for one file).
 * Under the `prettier` command (a new process per pre-commit or lint-staged
 * run) the plugin keeps V8 to its baseline compiler, before the module is
 * first compiled; in long-lived hosts (editors, prettierd) the optimised
 * code pays for itself, so nothing changes there. The flag is process-wide:
 * PRETTIER_PLUGIN_DOCKERFILE_WASM_TIERS=all keeps V8's default under the CLI
 * too, =baseline forces the baseline compiler anywhere.
 */
function tuneWebAssemblyTiers(): void {
  if (wasmTuned) return;
  wasmTuned = true;
  const choice = process.env.PRETTIER_PLUGIN_DOCKERFILE_WASM_TIERS;
  const underPrettierCli = /[\\/]prettier[\\/]bin[\\/]prettier\.c?js$|[\\/]\.bin[\\/]prettier(\.cmd)?$/.test(process.argv[1] ?? "");
  if (choice === "baseline" || (choice !== "all" && underPrettierCli)) setFlagsFromString("--liftoff-only");
}

export const parser: Parser<DockerfileRoot> = {
  astFormat: "dockerfile",
  async parse(text, options) {
    tuneWebAssemblyTiers();
    await initShell();
    try {
      const crlfLines = readLineEndings(text, (options as { filepath?: string }).filepath);
      // Prettier has removed the byte-order mark (and will put it back); the
      // model also raises what BuildKit's parser rejects.
      const model = buildModel(text, { bomStripped: true });
      return { type: "dockerfile", model, crlfLines, start: 0, end: text.length };
    } catch (error) {
      if (error instanceof DockerfileSyntaxError) throw prettierSyntaxError(error);
      throw error;
    }
  },
  hasPragma,
  hasIgnorePragma,
  locStart: (node) => node.start,
  locEnd: (node) => node.end,
};
