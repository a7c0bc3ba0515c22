#!/usr/bin/env node
// Build step: copy the two WASM files that run into dist/wasm/, each with its
// license notice: tree-sitter-bash's grammar (src/shell/bash.ts loads it) and
// web-tree-sitter's runtime (web-tree-sitter's JavaScript, built into
// dist/vendor/ by scripts/bundle.mjs, finds it there through locateFile). The
// package ships these copies, so tree-sitter-bash (C sources, native
// prebuilds, a native install step) and web-tree-sitter (4.5 MB with its
// debug build and source maps) stay development dependencies.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageDir } from "./package-dir.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "wasm");
mkdirSync(out, { recursive: true });

for (const [name, file] of [
  ["tree-sitter-bash", "tree-sitter-bash.wasm"],
  ["web-tree-sitter", "web-tree-sitter.wasm"],
]) {
  const { dir: pkgDir, pkg } = packageDir(name);
  const repository = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  copyFileSync(join(pkgDir, file), join(out, file));
  writeFileSync(
    join(out, file.replace(/\.wasm$/, ".LICENSE")),
    `${file} is copied unchanged from the npm package ${name} ${pkg.version}\n` +
      `(${repository}), distributed under the following license:\n\n` +
      readFileSync(join(pkgDir, "LICENSE"), "utf8"),
  );
}
