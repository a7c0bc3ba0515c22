#!/usr/bin/env node
// Build step, after tsc: the three entry points, the `dockerfile-codemod`
// command (dist/src/cli/bin.js), the Prettier plugin (dist/plugin/index.js)
// and the library (`./core`, dist/src/index.js), each become one ES module
// with the project's code and its small CommonJS dependencies inside. Node
// then reads, resolves and compiles one file instead of about 40 modules and
// 100 files of fast-glob, micromatch, lilconfig and the like
// (docs/benchmarks.md has the figures). Left outside: prettier (a peer
// dependency, the user's own), and the third-party code that is loaded once
// per process or only on demand, built into dist/vendor/ instead of being
// dependencies to install: web-tree-sitter (one runtime for
// every bundle in a process; its web-tree-sitter.wasm is copied into dist/wasm/
// by scripts/copy-wasm.mjs and found there through Emscripten's locateFile,
// src/shell/bash.ts) and diff (read only for --diff). Each vendored
// package's licence is written beside its file. dockerfile-ast stays a
// dependency: the core's declarations name its types (`model.ast`), which a
// TypeScript consumer must be able to resolve.
//
// tsc's declarations stay (the entry points' types import ./parser.js,
// ./printer.js and the core's modules); the JavaScript files the bundles now
// hold are removed, so the package ships only what runs.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { packageDir } from "./package-dir.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

const vendor = join(dist, "vendor");

/** A package's licence text, as its package ships it. */
function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`no licence file in ${dir}`);
  return readFileSync(join(dir, file), "utf8");
}

/** `<file>.LICENSE` beside a vendored file: what it was built from, and each package's licence. */
function writeNotice(file, names) {
  const parts = names.map((name) => {
    const { dir, pkg } = packageDir(name);
    const repository = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
    return `${name} ${pkg.version} (${repository}), ${pkg.license}:\n\n${licenceText(dir).trim()}\n`;
  });
  writeFileSync(
    `${file}.LICENSE`,
    `${basename(file)} is built by esbuild (bundled into one file, not minified) from the npm package${names.length > 1 ? "s" : ""} ${names.join(", ")}, distributed under the following license${names.length > 1 ? "s" : ""}:\n\n` +
      parts.join("\n"),
  );
}

const vendored = {
  // imported by the bundles: web-tree-sitter at start, diff on demand
  "web-tree-sitter": { file: "web-tree-sitter.js", format: "esm", packages: ["web-tree-sitter"] },
  diff: { file: "diff.js", format: "esm", packages: ["diff"] },
};
for (const [name, { file, format, packages }] of Object.entries(vendored)) {
  await build({
    // resolved as an import: the ES module builds where the package has both
    entryPoints: [fileURLToPath(import.meta.resolve(name))],
    outfile: join(vendor, file),
    bundle: true,
    platform: "node",
    format,
    target: "node20.19",
    legalComments: "eof",
    logLevel: "warning",
    sourcemap: false,
  });
  writeNotice(join(vendor, file), packages);
}

/** A bundle at `outfile`: where dist/ is from it, and the vendored ES modules imported from there. */
function shipped(outfile) {
  const toDist = relative(dirname(outfile), dist).replaceAll("\\", "/") + "/";
  return {
    define: { __DOCKERFILE_DIST__: JSON.stringify(toDist) },
    plugin: {
      name: "vendored",
      setup(b) {
        b.onResolve({ filter: /^(web-tree-sitter|diff)$/ }, (args) => ({ path: `${toDist}vendor/${vendored[args.path].file}`, external: true }));
      },
    },
  };
}

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  external: ["prettier"],
  // the CommonJS dependencies call require() for node's own modules
  banner: { js: 'import { createRequire as __bundleRequire } from "node:module";\nconst require = __bundleRequire(import.meta.url);' },
  // the licence comments of the bundled dependencies stay, at the end of the file
  legalComments: "eof",
  logLevel: "warning",
  sourcemap: false,
  allowOverwrite: true,
};

const binFile = join(dist, "src/cli/bin.js");
const bin = shipped(binFile);
await build({
  ...common,
  entryPoints: [join(root, "src/cli/bin.ts")],
  outfile: binFile,
  // --reformat loads the plugin (which imports prettier) only once prettier has loaded: it stays its own
  // module, the plugin's bundle, imported at run time from where tsc's layout has it
  plugins: [
    bin.plugin,
    {
      name: "plugin-bundle-external",
      setup(b) {
        b.onResolve({ filter: /\/plugin\/index\.js$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
  define: bin.define,
});
for (const [entry, outfile] of [
  [join(root, "plugin/index.ts"), join(dist, "plugin/index.js")],
  [join(root, "src/index.ts"), join(dist, "src/index.js")],
]) {
  const { define, plugin } = shipped(outfile);
  await build({ ...common, entryPoints: [entry], outfile, plugins: [plugin], define });
}

// Ship only what runs: the bundles, and the declarations the two typed entry points reach. Everything else tsc
// wrote is removed.
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
const bundles = new Set([binFile, join(dist, "plugin/index.js"), join(dist, "src/index.js")]);
const prune = (dir) => {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    } else if (p.endsWith(".d.ts") ? !reachableDts.has(p) : p.endsWith(".js") && !bundles.has(p)) rmSync(p);
  }
};
prune(join(dist, "src"));
prune(join(dist, "plugin"));
