#!/usr/bin/env node
// Build step: copy the one file of tree-sitter-bash that runs, its WASM
// grammar, into dist/wasm/ with its license notice. The package ships it there
// (src/shell/bash.ts loads it relative to the module), so tree-sitter-bash,
// with its C sources, native prebuilds and native install step, stays a
// development dependency.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(join(root, "package.json"));
const pkgDir = dirname(require.resolve("tree-sitter-bash/package.json"));
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const repository = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
const out = join(root, "dist", "wasm");

mkdirSync(out, { recursive: true });
copyFileSync(join(pkgDir, "tree-sitter-bash.wasm"), join(out, "tree-sitter-bash.wasm"));
writeFileSync(
  join(out, "tree-sitter-bash.LICENSE"),
  `tree-sitter-bash.wasm is copied unchanged from the npm package tree-sitter-bash ${pkg.version}\n` +
    `(${repository}), distributed under the following license:\n\n` +
    readFileSync(join(pkgDir, "LICENSE"), "utf8"),
);
