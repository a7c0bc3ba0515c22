#!/usr/bin/env node
// Writes what src/names.ts decides a Dockerfile name is into the files that
// repeat it for other tools: the pre-commit `files:` pattern in
// .pre-commit-hooks.yaml, and in README.md the rule, the lint-staged glob and
// the GitHub Actions glob; and src/prettier-extensions.ts, the extensions of
// the installed Prettier's own languages (src/names.ts makes the plugin's
// `filenames` from them). Run with `npm run sync-names` (tsx reads the
// TypeScript source); `--check` exits 1 if a file is out of date.
// test/names.test.ts runs render() and compares.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import {
  DOCKERFILE_STEMS,
  NOT_DOCKERFILE_EXTENSIONS,
  dockerfileFilenames,
  dockerfileGlob,
  preCommitFilesPattern,
  prettierClaimsFirst,
} from "../src/names.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
export const HOOKS = join(root, ".pre-commit-hooks.yaml");
export const README = join(root, "README.md");
export const PRETTIER_EXTENSIONS_FILE = join(root, "src/prettier-extensions.ts");

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
    prettier: [
      "Prettier picks a file's language by its exact name first, then by the end of its name (the extensions of its languages), and asks a plugin's `isSupported` last. Some suffixes of `Dockerfile.<suffix>` are extensions of Prettier's own languages (`.webapp` is JSON to Prettier, `.inc` HTML, `.syntax` YAML, `.es6` JavaScript, `.mkd` Markdown, `.pcss` PostCSS): the plugin lists `Dockerfile.<suffix>` and `Containerfile.<suffix>` for each of them among its language's exact names (`dockerfileFilenames()` in `src/names.ts`), so Prettier formats them as Dockerfiles, as the codemod does.",
      "",
      `Prettier gives a plugin no way to win for one more suffix in front (\`Dockerfile.prod.webapp\` stays JSON: its language's extension matches the end of the name, and a language's names are exact). Such a name is a Dockerfile to the codemod, so give it the parser in \`.prettierrc\`, one \`overrides\` entry per name (\`prettierClaimsFirst()\` in \`src/names.ts\` tells these names apart):`,
      "",
      "```json",
      "{",
      '  "plugins": ["prettier-plugin-dockerfile"],',
      '  "overrides": [{ "files": ["Dockerfile.prod.webapp"], "options": { "parser": "dockerfile" } }]',
      "}",
      "```",
      "",
      `The suffixes concerned (${prettierSuffixes().length}, from Prettier ${prettierVersion}): ${prettierSuffixes()
        .map((e) => `\`${e}\``)
        .join(", ")}.`,
    ].join("\n"),
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

const prettierVersion = JSON.parse(readFileSync(join(root, "node_modules/prettier/package.json"), "utf8")).version;

/** The extensions of Prettier's languages that make `Dockerfile.<suffix>` the plugin's by exact name only (lower case, without the first dot). */
function prettierSuffixes() {
  const stem = DOCKERFILE_STEMS[0][0].toUpperCase() + DOCKERFILE_STEMS[0].slice(1);
  return dockerfileFilenames()
    .filter((n) => n.startsWith(`${stem}.`))
    .map((n) => n.slice(stem.length + 1))
    .filter((suffix) => prettierClaimsFirst(`${stem}.prod.${suffix}`));
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

/** src/prettier-extensions.ts for the languages of prettier.getSupportInfo(): every extension, in Prettier's order, once. */
export function renderPrettierExtensions(languages) {
  const extensions = [...new Set(languages.flatMap((l) => l.extensions ?? []))];
  return [
    "/**",
    " * The extensions Prettier gives its own languages, as prettier.getSupportInfo()",
    " * lists them (Prettier matches them against the end of a file's name in lower",
    " * case). Generated by `npm run sync-names` from the installed prettier;",
    " * test/names.test.ts keeps it in step. src/names.ts makes the plugin's",
    " * `filenames` from it.",
    " */",
    "export const PRETTIER_EXTENSIONS: readonly string[] = [",
    ...extensions.map((e) => `  ${JSON.stringify(e)},`),
    "];",
    "",
  ].join("\n");
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
  const { languages } = await (await import("prettier")).getSupportInfo();
  for (const [file, render] of [
    [PRETTIER_EXTENSIONS_FILE, () => renderPrettierExtensions(languages)],
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
