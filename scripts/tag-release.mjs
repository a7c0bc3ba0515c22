#!/usr/bin/env node
// Tags the release commit: `v` + the version in package.json, on HEAD, as an
// annotated tag. That tag is what users put in `rev:` of their
// .pre-commit-config.yaml (pre-commit builds the hook from the tagged tree).
// Refuses if the work tree has changes or the tag exists. Pushes nothing: it
// prints the commands that publish the release.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
const { name, version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const tag = `v${version}`;

if (git("status", "--porcelain") !== "") {
  console.error("The work tree has uncommitted changes: commit the release first (the tag must name exactly what is released).");
  process.exit(1);
}
if (git("tag", "--list", tag) !== "") {
  console.error(`${tag} exists already (on ${git("rev-list", "-n", "1", tag)}): bump "version" in package.json for a new release.`);
  process.exit(1);
}
git("tag", "-a", tag, "-m", `${name} ${version}`);
console.log(`Tagged ${git("rev-parse", "--short", "HEAD")} as ${tag}. To publish the release:`);
console.log(`  git push origin ${tag}`);
console.log("  npm publish");
