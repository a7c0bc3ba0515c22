// The directory of an installed package, found from its entry point (a package whose `exports` leave out
// ./package.json, as web-tree-sitter's do, cannot be resolved by `<name>/package.json`).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's directory and its package.json, as the project's own node_modules has them. */
export function packageDir(name) {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8"));
      if (pkg.name === name) return { dir, pkg };
    }
    if (dirname(dir) === dir) throw new Error(`${name}: no package.json above its entry point`);
    dir = dirname(dir);
  }
}
