/**
 * Shell text understood through tree-sitter-bash (WASM, shipped in the npm
 * package). The runtime is initialised once per process; after that, parsing
 * is synchronous.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Language, Parser, type Tree } from "web-tree-sitter";

/**
 * The bash grammar. The build (scripts/copy-wasm.mjs) copies it to dist/wasm/,
 * beside dist/src/, and the package ships only that copy (tree-sitter-bash is
 * a development dependency). This file run as TypeScript from src/ (the
 * tests) reads the development dependency's own file instead.
 */
function grammarPath(): string {
  if (import.meta.url.endsWith(".ts")) return createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
  // A bundle (scripts/bundle.mjs) says where dist/wasm/ is from its own file; tsc's dist/src/shell/bash.js is two levels down.
  const relative = typeof __DOCKERFILE_GRAMMAR__ === "string" ? __DOCKERFILE_GRAMMAR__ : "../../wasm/tree-sitter-bash.wasm";
  return fileURLToPath(new URL(relative, import.meta.url));
}

/** Replaced by the bundler with the grammar's path relative to the bundle; undeclared (typeof "undefined") elsewhere. */
declare const __DOCKERFILE_GRAMMAR__: string | undefined;

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
