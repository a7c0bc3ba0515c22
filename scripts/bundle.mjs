#!/usr/bin/env node
// Build step, after tsc: the two entry points that start a process's work,
// the `dockerfile-codemod` command (dist/src/cli/bin.js) and the Prettier
// plugin (dist/plugin/index.js), each become one ES module with the
// project's code and its small CommonJS dependencies inside. Node then reads,
// resolves and compiles one file instead of about 40 modules and 100 files of
// fast-glob, micromatch, lilconfig and the like (docs/benchmarks.md has the
// figures). Left outside: prettier (a peer dependency, the user's own) and
// web-tree-sitter (it finds its .wasm beside its own module).
//
// tsc's declarations stay (the plugin's types import ./parser.js and
// ./printer.js); the JavaScript files the bundles now hold are removed, so
// the package ships only what runs. dist/src/** other than the command is
// the `./core` export and stays as tsc wrote it.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  external: ["prettier", "web-tree-sitter"],
  // the CommonJS dependencies call require() for node's own modules
  banner: { js: 'import { createRequire as __bundleRequire } from "node:module";\nconst require = __bundleRequire(import.meta.url);' },
  // the licence comments of the bundled dependencies stay, at the end of the file
  legalComments: "eof",
  logLevel: "warning",
  sourcemap: false,
};

await build({
  ...common,
  entryPoints: [join(root, "src/cli/bin.ts")],
  outfile: join(dist, "src/cli/bin.js"),
  // diff is imported only for --diff: left in node_modules, it is not read (nor parsed) by every run
  external: [...common.external, "diff"],
  // --reformat loads the plugin (which imports prettier) only once prettier has loaded: it stays its own
  // module, the plugin's bundle, imported at run time from where tsc's layout has it
  plugins: [
    {
      name: "plugin-bundle-external",
      setup(b) {
        b.onResolve({ filter: /\/plugin\/index\.js$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
  define: { __DOCKERFILE_GRAMMAR__: JSON.stringify("../../wasm/tree-sitter-bash.wasm") },
  allowOverwrite: true,
});
await build({
  ...common,
  entryPoints: [join(root, "plugin/index.ts")],
  outfile: join(dist, "plugin/index.js"),
  define: { __DOCKERFILE_GRAMMAR__: JSON.stringify("../wasm/tree-sitter-bash.wasm") },
  allowOverwrite: true,
});

// Ship only what runs: the bundles, the core (./core: dist/src/index.js and what it imports), and the
// declarations the two typed entry points reach. Everything else tsc wrote is removed.
const reachableJs = new Set(
  Object.keys(
    (
      await build({
        entryPoints: [join(dist, "src/index.js")],
        bundle: true,
        platform: "node",
        format: "esm",
        packages: "external",
        write: false,
        metafile: true,
        outfile: join(dist, "unused.js"),
        absWorkingDir: root,
      })
    ).metafile.inputs,
  ).map((f) => resolve(root, f)),
);
const reachableDts = new Set();
const followDeclarations = (file) => {
  if (reachableDts.has(file) || !existsSync(file)) return;
  reachableDts.add(file);
  for (const m of readFileSync(file, "utf8").matchAll(/(?:from\s+|import\()["'](\.{1,2}\/[^"']+)\.js["']/g)) {
    followDeclarations(resolve(dirname(file), `${m[1]}.d.ts`));
  }
};
followDeclarations(join(dist, "src/index.d.ts"));
followDeclarations(join(dist, "plugin/index.d.ts"));
const bundles = new Set([join(dist, "src/cli/bin.js"), join(dist, "plugin/index.js")]);
const prune = (dir) => {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    } else if (p.endsWith(".d.ts") ? !reachableDts.has(p) : p.endsWith(".js") && !bundles.has(p) && !reachableJs.has(p)) rmSync(p);
  }
};
prune(join(dist, "src"));
prune(join(dist, "plugin"));
