/**
 * Shell text understood through tree-sitter-bash (WASM, shipped in the npm
 * package). The runtime is initialised once per process; after that, parsing
 * is synchronous.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Language, Parser, type Tree } from "web-tree-sitter";
import { shippedFile } from "../shipped.js";

/**
 * The bash grammar. The build (scripts/copy-wasm.mjs) copies it to dist/wasm/
 * and the package ships only that copy (tree-sitter-bash is a development
 * dependency). This file run as TypeScript from src/ (the tests) reads the
 * development dependency's own file instead.
 */
function grammarPath(): string {
  const shipped = shippedFile("wasm/tree-sitter-bash.wasm");
  return shipped ? fileURLToPath(shipped) : createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
}

/**
 * Where web-tree-sitter's JavaScript finds its runtime, web-tree-sitter.wasm
 * (Emscripten's `locateFile`). The package ships web-tree-sitter's JavaScript
 * in dist/vendor/ and the runtime in dist/wasm/ (web-tree-sitter is a
 * development dependency; scripts/bundle.mjs); from src/, the development
 * dependency finds the file beside its own module.
 */
function locateRuntime(): ((name: string) => string) | undefined {
  const wasm = shippedFile("wasm/");
  return wasm ? (name: string) => fileURLToPath(new URL(name, wasm)) : undefined;
}

let parser: Parser | null = null;
let initPromise: Promise<void> | null = null;

/**
 * The Emscripten module web-tree-sitter runs on. Parser.init() makes the
 * object it is given the module (Emscripten's `Module = moduleArg`), so its
 * exports (`_ts_tree_cursor_*_wasm`, `HEAP32`) appear on it: flat.ts walks
 * trees through them directly, and falls back to the public cursor if a
 * version of web-tree-sitter does not have them. web-tree-sitter creates its
 * module once per process, for whichever caller is first: every copy of this
 * file in the process (the core's, each bundle's: scripts/bundle.mjs) passes
 * the same object, so all of them find the exports.
 */
export const wasmBinding: Record<string, unknown> = ((globalThis as Record<symbol, Record<string, unknown> | undefined>)[
  Symbol.for("prettier-plugin-dockerfile.web-tree-sitter-module")
] ??= {});

/** Loads the WASM runtime and the bash grammar, once. */
export function initShell(): Promise<void> {
  if (parser) return Promise.resolve();
  initPromise ??= (async () => {
    const locateFile = locateRuntime();
    // the first caller in the process initialises the runtime: later ones find the module made (and its locateFile unused)
    if (locateFile && !wasmBinding.locateFile) wasmBinding.locateFile = locateFile;
    await Parser.init(wasmBinding);
    const wasm = readFileSync(grammarPath());
    const language = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return initPromise;
}

export function shellReady(): boolean {
  return parser !== null;
}

/** Parses shell text. initShell() must have completed. The caller must delete() the tree. */
export function parseShell(text: string): Tree {
  if (!parser) throw new Error("tree-sitter-bash is not initialised: await initShell() first");
  const tree = parser.parse(text);
  if (!tree) throw new Error("tree-sitter-bash returned no tree");
  return tree;
}
