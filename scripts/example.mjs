#!/usr/bin/env node
// The main job on the bundled examples: for each file in examples/, the
// formatter's output as a diff against the file (the whole file shown, lines
// it changes marked - and +), then what the codemod would change. Each
// command is printed as it is run, from the repository's root, so it can be
// copied ("node" is the node running this script). Nothing is written. Exits
// non-zero only if something fails.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";

const root = fileURLToPath(new URL("..", import.meta.url));
const examples = readdirSync(join(root, "examples"))
  .sort()
  .map((f) => `examples/${f}`);
let failed = false;

if (!existsSync(join(root, "dist/plugin/index.js")) || !existsSync(join(root, "dist/src/cli/bin.js"))) {
  console.error("dist/ is not built: run `npm run build` (`npm run example` does it first)");
  process.exit(1);
}

/** Prints the command line, runs it from the root with this node, returns its result. */
function run(args, options = {}) {
  const quoted = args.map((a) => (/^[\w./=:@-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  console.log(`\n$ node ${quoted.join(" ")}`);
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", ...options });
}

for (const file of examples) {
  const r = run(["node_modules/prettier/bin/prettier.cjs", "--plugin", "./dist/plugin/index.js", file]);
  if (r.status !== 0) {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    failed = true;
    continue;
  }
  const input = readFileSync(join(root, file), "utf8");
  if (r.stdout === input) {
    console.log(`(${file} is already formatted: the output is the input)`);
    continue;
  }
  // context as long as the file: the diff shows the whole input with the output's changes in place
  const patch = createTwoFilesPatch(file, `${file} (formatted)`, input, r.stdout, "", "", { context: input.split("\n").length });
  process.stdout.write(patch.split("\n").slice(1).join("\n")); // without the "====" line
}

const r = run(["dist/src/cli/bin.js", "--diff", "examples"], { stdio: "inherit" });
// 1 means "changes found": that is the point of the demo
if (r.status !== 0 && r.status !== 1) failed = true;
process.exit(failed ? 1 : 0);
