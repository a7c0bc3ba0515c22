#!/usr/bin/env node
// Writes what src/names.ts decides a Dockerfile name is into the files that
// repeat it for other tools: the pre-commit `files:` pattern in
// .pre-commit-hooks.yaml, and in README.md the rule, the lint-staged glob and
// the GitHub Actions glob. Run with `npm run sync-names` (tsx reads the
// TypeScript source); `--check` exits 1 if a file is out of date.
// test/names.test.ts runs render() and compares.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { DOCKERFILE_STEMS, NOT_DOCKERFILE_EXTENSIONS, dockerfileGlob, preCommitFilesPattern } from "../src/names.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
export const HOOKS = join(root, ".pre-commit-hooks.yaml");
export const README = join(root, "README.md");

const NOTE = "generated from src/names.ts by `npm run sync-names`; test/names.test.ts keeps it in step";

/** The README's blocks, by marker name. */
function blocks() {
  const glob = dockerfileGlob();
  const [docker, container] = DOCKERFILE_STEMS.map((s) => s[0].toUpperCase() + s.slice(1));
  return {
    rule: [
      `A file is a Dockerfile when its name, in any case, is \`${docker}\` or \`${container}\`, ends in \`.${DOCKERFILE_STEMS[0]}\` or \`.${DOCKERFILE_STEMS[1]}\` (\`api.Dockerfile\`, \`docker/dev.Dockerfile\`), or is \`${docker}.<suffix>\` or \`${container}.<suffix>\` (\`Dockerfile.prod\`, \`Dockerfile.alpine\`, \`Dockerfile.windows\`, \`Containerfile.3.12\`), except when the suffix's last dot-separated part names another kind of file, or the name ends in \`~\` (a backup). Those parts are:`,
      NOT_DOCKERFILE_EXTENSIONS.map((e) => `\`${e}\``).join(", ") +
        ". So `Dockerfile.dockerignore` (BuildKit's ignore file for that Dockerfile), `Dockerfile.template` (docker-library's templates), `Dockerfile.j2`, `Dockerfile.prod.bak` and `dockerfile.go` are not Dockerfiles.",
    ].join("\n\n"),
    "lint-staged": [
      "```json",
      "{",
      '  "lint-staged": {',
      `    "${glob}": [`,
      '      "dockerfile-codemod --write --force-exclude --ignore-unknown",',
      '      "prettier --write --ignore-unknown"',
      "    ]",
      "  }",
      "}",
      "```",
    ].join("\n"),
    "github-actions": [
      "```yaml",
      "name: dockerfiles",
      "on: [pull_request]",
      "jobs:",
      "  check:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "      - uses: actions/setup-node@v4",
      "        with: { node-version: 22 }",
      "      - run: npm ci",
      "      - run: npx dockerfile-codemod --check .",
      `      - run: npx prettier --check --ignore-unknown "${glob}"`,
      "```",
    ].join("\n"),
  };
}

/** The README with its generated blocks rewritten. */
export function renderReadme(text) {
  let out = text;
  for (const [name, body] of Object.entries(blocks())) {
    const re = new RegExp(`<!-- names:${name}:start[^>]*-->\\n[\\s\\S]*?<!-- names:${name}:end -->`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- names:${name}:start --> ... <!-- names:${name}:end --> block`);
    out = out.replace(re, () => `<!-- names:${name}:start (${NOTE}) -->\n${body}\n<!-- names:${name}:end -->`);
  }
  return out;
}

/** .pre-commit-hooks.yaml with every hook's `files:` pattern rewritten (a YAML single-quoted string). */
export function renderHooks(text) {
  const pattern = preCommitFilesPattern().replace(/'/g, "''");
  if (!/^ {2}files: '.*'$/m.test(text)) throw new Error(".pre-commit-hooks.yaml has no `  files: '...'` line");
  return text.replace(/^ {2}files: '.*'$/gm, () => `  files: '${pattern}'`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes("--check");
  let stale = false;
  for (const [file, render] of [
    [HOOKS, renderHooks],
    [README, renderReadme],
  ]) {
    const before = readFileSync(file, "utf8");
    const after = render(before);
    if (before === after) continue;
    stale = true;
    if (check) console.error(`${file} is out of date: run npm run sync-names`);
    else writeFileSync(file, after);
  }
  process.exit(check && stale ? 1 : 0);
}
