#!/usr/bin/env node
// The main job on the bundled examples: what the formatter prints for each
// file in examples/, then what the codemod would change (as a diff). Nothing
// is written. Exits non-zero only if something fails.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const examples = readdirSync(join(root, "examples")).map((f) => join("examples", f));
let failed = false;

for (const file of examples) {
  console.log(`\n=== prettier --plugin prettier-plugin-dockerfile ${file}`);
  const r = spawnSync(process.execPath, [join(root, "node_modules/prettier/bin/prettier.cjs"), "--plugin", join(root, "dist/plugin/index.js"), file], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed = true;
}

const codemod = join(root, "dist/src/cli/bin.js");
if (existsSync(codemod)) {
  console.log("\n=== dockerfile-codemod --diff examples");
  const r = spawnSync(process.execPath, [codemod, "--diff", "examples"], { cwd: root, stdio: "inherit" });
  // 1 means "changes found": that is the point of the demo
  if (r.status !== 0 && r.status !== 1) failed = true;
}
process.exit(failed ? 1 : 0);
