#!/usr/bin/env node
// Writes docs/style.md from the fixtures in fixtures/format/style, so the
// documented style and the tested style cannot drift. `--check` exits 1 if
// the file is out of date (test/docs.test.ts runs it).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const base = join(root, "fixtures/format/style");

/** Why the fallback is what it is: the figures from `npm run churn` (its last table). */
const FALLBACK = `**The fallback, from the corpus.** \`npm run churn\` reads every corpus file outside \`conformance/\` that formats (1,256 files, 26 repositories) as "auto" reads it. Files by the style they show:

| | tab | 4 spaces | 2 spaces | none consistent | | line end | line start | none consistent |
|---|---:|---:|---:|---:|---|---:|---:|---:|
| files | 225 | 250 | 15 | 766 | | 71 | 193 | 992 |
| weighted per repository (each of the 26 counts 1, shared among its files that show a style) | 13.5 | 7.6 | 1.9 | | | 7.1 | 7.9 | |
| weighted per owner (each of the 11 counts 1: docker-library's 12 repositories count once) | 1.8 | 5.8 | 1.5 | | | 4.4 | 5.6 | |

- **Operators: the line start.** Every reading agrees: files 193 to 71, per repository 7.9 to 7.1, per owner 5.6 to 4.4, and the issue's 786 held-out files (50 repositories) 201 files to 86. (Counted with \`;\` as well, the corpus's files lean to the line end, 341 to 186, but a \`;\` ends its line in both positions: docker-library's images, the bulk of those, break at \`;\` and show no \`&&\` at a break at all, so the fallback does not change them.)
- **Indent: 4 spaces.** Per repository tabs lead, 13.5 to 7.6, because 12 of the 26 repositories are docker-library's, whose Dockerfiles are generated from shared templates by one team; per owner 4 spaces lead 5.8 to 1.8, and by files 250 to 225. The files the fallback meets are mostly those with no indented continuation line at all (766 here): their authors chose nothing, and what Docker's documentation, dotnet-docker, the VS Code dev containers and jupyter write there is 4 spaces. A tab-indented file keeps its tabs anyway.`;

/** [title, explanation, fixture]: an empty title continues the previous rule; a fixture name may lead out of style/ (`../follow-the-file/...`); null: text only. */
const RULES = [
  ["Instruction keywords are upper case everywhere", "Including the ONBUILD trigger, HEALTHCHECK's `CMD`/`NONE` and `AS` in FROM. BuildKit reads keywords without regard to case, so this never changes meaning.", "keyword-case"],
  ["One space between keyword, flags and arguments", "Blank runs are collapsed only where the instruction's own parser ignores them: between words of FROM, COPY, ADD, EXPOSE, ARG, `k=v` ENV/LABEL, between flags, and between shell words outside strings (decided from the tree-sitter-bash tree). Quoted text and escaped blanks stay byte for byte.", "spacing"],
  ["Values that BuildKit keeps verbatim stay verbatim", "Legacy `ENV key value` / `LABEL key value`, USER, WORKDIR, MAINTAINER and STOPSIGNAL take the rest of the line as written, inner blanks included, so only the blank after the keyword changes.", "verbatim-values"],
  ['JSON arrays are printed `["a", "b"]`', "Each string token is kept exactly as written (escapes are never decoded and re-encoded). Anything that is not a valid JSON array of strings is shell form for BuildKit and stays shell form. `[ \"a\" ]` loses its inner blanks, as Prettier prints arrays.", "json-arrays"],
  ["", "A line break you wrote before the array (`HEALTHCHECK --interval=30s \\` + `    CMD [...]`) is kept, as it is before a shell-form command; an array written over several lines is printed on one.", "exec-form-after-a-break"],
  ["Continuation lines are indented one level", "A continuation line is re-indented only where the line break falls between words outside quotes: BuildKit joins continuation lines without a newline and keeps their leading blanks, so a break inside a word (`light\\` + `ning`) or inside a string keeps every character. Empty continuation lines (which BuildKit skips) are removed; comment lines inside a continuation are kept, indented.", "continuations"],
  ["", "With the indent pinned (`dockerfileIndent: \"4\"`), tabs from the user's file become that indent; with no configuration the file's own tabs would stay (below).", "tabs-in-continuation"],
  ["", "A comment line written at column 0 inside a continuation (docker-library's and nginx's convention, hundreds of lines in their images) stays at column 0; other comment lines are indented like the line after them.", "comments-at-column-0"],
  ["", "Continuation lines you aligned under the first argument (`LABEL a=1 \\` + `      b=2`) stay aligned, with spaces (also with tabs: alignment is not indentation). RUN is not aligned: its shell has its own layout ([run-layout.md](run-layout.md)).", "aligned-continuations"],
  [
    "The default follows the file",
    "With no configuration (`dockerfileIndent` and `dockerfileOperatorPosition` both `\"auto\"`), the formatter reads the style the file is written in, once, from the continuation lines of its shell-form RUN commands (src/format/detect-style.ts), and prints the file in that style: the indent: tabs where at least 80% of the indented continuation lines are indented with tabs, spaces where at least 80% are an even number of spaces, and then 2 or 4 as most RUNs' shallowest continuation line says (it is one level deep; counting lines alone, a 2-space file's long package list at 4 spaces would read as 4) (a line that continues a word or a quoted string shows no indentation: its blanks are text), and the side of the line (end or start) where at least 80% of the line breaks next to `&&` and `||` put the operator, at any depth (a `&&` alone on its line counts for neither). For what the file does not show, or shows without such a majority, the fallback: 4 spaces and operators at the line start. Formatting the output again reads the same style (test/follow-the-file.test.ts), and `dockerfileIndent` / `dockerfileOperatorPosition` set to anything but `\"auto\"` pin the style whatever the file shows. Prettier's `tabWidth` and `useTabs` are not read: a project's `.prettierrc` is written for its JavaScript (`tabWidth: 2`), and a plugin cannot tell a `tabWidth` the user wrote from Prettier's default (the README says how a team pins one style with `overrides`).",
    "../follow-the-file/tabs-and-line-end-followed",
  ],
  ["", "", "../follow-the-file/two-spaces-and-line-start-followed"],
  ["", "Four breaks in five put the operator at the line end: the fifth follows them.", "../follow-the-file/four-in-five-breaks-at-the-end-followed"],
  ["", "Three lines in five indented with 4 spaces, two with tabs, and as many operators on each side: no majority, so the fallback.", "../follow-the-file/mixed-file-gets-the-fallback"],
  ["", "A file with no continuation line shows nothing: the lines the layout adds get the fallback.", "../follow-the-file/nothing-shown-gets-the-fallback"],
  ["", "Pinned options win over the file.", "../follow-the-file/pinned-options-win-over-the-file"],
  ["", "`dockerfileIndent: \"tab\"` and `\"2\"` pin the other units.", "use-tabs"],
  ["", "", "tab-width-2"],
  ["", FALLBACK, null],
  ["At most one blank line between instructions, two before a stage", "None at the start or the end, one final newline, no trailing whitespace.", "blank-lines"],
  ["", "Two blank lines you wrote before a stage (its FROM, with the comment lines right above it) are kept, as a stage separator: dotnet-docker writes its Dockerfiles so (157 corpus files). They are never added.", "blank-lines-before-stage"],
  ["Parser directives stay directives, comments stay comments", "Directives are only recognised at the very top; nothing is inserted above them or removed between them.", "directives"],
  ["", "A comment that looks like a directive after a blank line is not a directive: the blank line before it is kept so it stays a comment.", "blank-before-directive-like-comment"],
  ["`# escape=`` ` is honoured", "The backtick continues lines; shell text under a non-POSIX or unknown shell keeps its text.", "escape-directive"],
  ["Heredoc bodies are byte for byte", "", "heredocs"],
  ["`# prettier-ignore` keeps the next instruction exactly as written", "", "prettier-ignore"],
  ["Shell comments inside RUN and CMD are kept as written", "", "shell-comments"],
  ["Unknown instructions are kept", "", "unknown-instruction"],
  ["A continuation at the end of the file stays", "", "continuation-at-eof"],
  ["Line endings", "The core prints `\\n`; Prettier's `endOfLine` option decides what is written (`auto` keeps a CRLF file CRLF).", "crlf"],
  ["Empty and comment-only files format without error", "", "comments-only"],
  ["", "", "empty"],
];

/**
 * The measurement of how much this style changes real Dockerfiles, written
 * down from `npm run churn` (before: the commit this branch started from,
 * built apart and measured with CHURN_DIST; after: this build).
 */
const MEASUREMENT = `## How much of a real Dockerfile the style changes

\`npm run churn\` formats every corpus file outside \`conformance/\` (1,256 files that Prettier formats, 59,308 lines; the 9 others BuildKit rejects or hold a lone carriage return) through the real Prettier API with the built plugin, under the defaults and each house-style preset (each pins both options: tabs and the line end, 4 spaces and the line start, 4 spaces and the line end, 2 spaces and the line end), and counts with a line diff (the \`diff\` package) the share of the input's lines that are removed or changed; line endings are left out (Prettier's \`endOfLine\` decides them). It runs dprint (with @dprint/dockerfile, its defaults) over the same files beside it; \`npm run bench\` prints the same figures. *Before* is this branch's starting point (a fixed indent of 4 spaces, operators at the line end), built apart and measured with \`CHURN_DIST\`. Per repository, share of lines changed (files changed):

| repository | files | lines | before: fixed 4 spaces, line end | defaults (follow the file) | best of the defaults and the presets | dprint |
|---|---:|---:|---:|---:|---:|---:|
| GoogleCloudPlatform/golang-samples | 30 | 1111 | 5.0% (21) | 4.6% (20) | 4.6% (20) | 4.5% (27) |
| GoogleCloudPlatform/python-docs-samples | 43 | 1780 | 11.2% (23) | 6.4% (20) | 6.4% (20) | 7.0% (41) |
| MicrosoftDocs/Virtualization-Documentation | 30 | 480 | 3.1% (10) | 3.1% (10) | 3.1% (10) | 5.8% (14) |
| bridgecrewio/checkov | 111 | 1243 | 16.8% (63) | 16.4% (63) | 16.1% (63) | 12.1% (55) |
| docker-library/buildpack-deps | 30 | 938 | 69.6% (30) | 0.0% (0) | 0.0% (0) | 3.7% (15) |
| docker-library/docker | 5 | 511 | 42.9% (3) | 0.0% (0) | 0.0% (0) | 34.8% (5) |
| docker-library/golang | 21 | 2071 | 51.1% (16) | 0.2% (4) | 0.2% (4) | 30.9% (20) |
| docker-library/httpd | 2 | 468 | 68.6% (2) | 0.0% (0) | 0.0% (0) | 33.8% (2) |
| docker-library/julia | 16 | 1040 | 42.3% (8) | 0.0% (0) | 0.0% (0) | 37.7% (16) |
| docker-library/mysql | 4 | 507 | 53.6% (4) | 3.6% (1) | 3.6% (1) | 28.0% (4) |
| docker-library/php | 70 | 16934 | 62.9% (70) | 0.0% (0) | 0.0% (0) | 37.6% (70) |
| docker-library/postgres | 20 | 4492 | 55.8% (20) | 0.4% (16) | 0.4% (16) | 32.9% (20) |
| docker-library/pypy | 14 | 1304 | 47.1% (8) | 0.0% (0) | 0.0% (0) | 36.7% (12) |
| docker-library/python | 46 | 5374 | 71.0% (36) | 0.0% (0) | 0.0% (0) | 24.1% (42) |
| docker-library/redis | 8 | 1164 | 65.3% (8) | 0.7% (8) | 0.7% (8) | 26.1% (8) |
| docker-library/ruby | 20 | 2360 | 73.5% (18) | 0.8% (18) | 0.8% (18) | 37.1% (18) |
| docker/awesome-compose | 32 | 999 | 6.5% (29) | 6.5% (29) | 6.4% (29) | 8.0% (31) |
| docker/labs | 25 | 384 | 7.6% (21) | 7.3% (21) | 7.3% (21) | 8.6% (22) |
| dotnet/dotnet-docker | 180 | 7455 | 12.3% (110) | 0.9% (30) | 0.9% (30) | 7.9% (164) |
| jenkinsci/docker | 22 | 776 | 16.5% (11) | 10.7% (10) | 10.3% (10) | 5.7% (8) |
| jupyter/docker-stacks | 30 | 1138 | 5.9% (11) | 5.9% (11) | 4.1% (11) | 1.8% (3) |
| microsoft/vscode-dev-containers | 78 | 1902 | 22.6% (69) | 4.4% (44) | 4.4% (44) | 9.9% (65) |
| moby/buildkit | 173 | 2506 | 8.9% (55) | 6.3% (52) | 5.5% (48) | 4.2% (44) |
| moby/moby | 85 | 1898 | 25.7% (72) | 23.6% (70) | 23.3% (70) | 23.3% (70) |
| rcjsuen/dockerfile-ast | 59 | 195 | 41.5% (59) | 41.5% (59) | 41.5% (59) | 43.1% (59) |
| rcjsuen/dockerfile-utils | 102 | 278 | 53.2% (100) | 52.5% (100) | 52.5% (100) | 59.0% (101) |
| **all** | 1256 | 59308 | 44.0% (877) | 2.8% (586) | 2.7% (582) | 24.4% (936) |

With no configuration the formatter now changes 2.8% of the corpus's lines, down from 44.0%: the files keep their own indent unit and operator position, and what is left is the rest of the house style (keyword case, blanks, JSON arrays, long lines broken, indentation the layout rules decide). Per house style (files written consistently in one: every break at \`&&\`, \`||\` or \`;\` on that style's side, every indented continuation line indented its way):

| files | defaults | tabs, line end | 4 spaces, line start | 4 spaces, line end | best | dprint |
|---|---:|---:|---:|---:|---:|---:|
| all 1256 | 2.8% (586 files) | 8.4% (783 files) | 42.3% (793 files) | 44.0% (877 files) | 2.7% (582 files) | 24.4% (936 files) |
| docker-library (line end, tabs): 170 | 0.2% (30 files) | 0.2% (30 files) | 59.1% (140 files) | 59.1% (140 files) | 0.2% (30 files) | 35.3% (149 files) |
| Docker documentation (line start, 4 spaces): 157 | 1.6% (53 files) | 42.4% (155 files) | 1.6% (53 files) | 25.0% (155 files) | 1.6% (53 files) | 7.5% (136 files) |
| line end, 4 spaces: 70 | 6.3% (41 files) | 22.8% (65 files) | 18.0% (62 files) | 6.3% (41 files) | 5.4% (41 files) | 3.4% (31 files) |
| not mostly indented with tabs: 991 | 7.3% (531 files) | 22.2% (714 files) | 9.1% (559 files) | 13.5% (643 files) | 7.1% (527 files) | 9.5% (693 files) |

The issue's target, at most 10% of lines changed with no configuration, is met on this corpus (2.8%); the corpus is not unseen (the rules were written on it), so the figure for files the project has never seen remains to be measured. The most changed repositories are small test files (rcjsuen's: keyword case and blanks are most of their few lines), moby's and checkov's (long lines broken, \`[ "a" ]\` printed \`["a"]\`). [run-layout.md](run-layout.md#what-still-changes-in-a-house-style-file) lists what still changes in the house-style files, with its reason.`;

function block(text) {
  const body = text.replace(/\r\n/g, "\n").replace(/\n$/, "");
  return ["```dockerfile", body === "" ? "" : body, "```"].filter((l, i) => !(i === 1 && l === "")).join("\n");
}

export function render() {
  const out = [
    "# The house style",
    "",
    "Generated by `node scripts/style-doc.mjs` from `fixtures/format/style/` (input `*.in.dockerfile`, expected output `*.out.dockerfile`); `npm test` checks every fixture, that formatting the output again changes nothing, and that this page is up to date. Long RUN commands are laid out by the rules in [run-layout.md](run-layout.md).",
    "",
    "Whatever the rule, the formatter never returns output that means something else: it re-reads its own output and compares the two meanings (parser directives; per instruction the keyword, the flags, the arguments as BuildKit parses them, shell text as its tree-sitter-bash syntax tree, heredoc bodies). An instruction whose meaning would change is printed as the user wrote it; if the file still differs, formatting fails with an error instead of returning.",
    "",
  ];
  for (const [title, text, name] of RULES) {
    if (title) out.push(`## ${title}`, "");
    if (text) out.push(text, "");
    if (!name) continue;
    const optionsFile = join(base, `${name}.options.json`);
    const options = existsSync(optionsFile) ? ` with options \`${readFileSync(optionsFile, "utf8").trim()}\`` : "";
    out.push(`Before (\`${name.replace(/^\.\.\//, "")}.in.dockerfile\`${options}):`, "", block(readFileSync(join(base, `${name}.in.dockerfile`), "utf8")), "");
    out.push("After:", "", block(readFileSync(join(base, `${name}.out.dockerfile`), "utf8")), "");
  }
  out.push(MEASUREMENT);
  return out.join("\n");
}

const target = join(root, "docs/style.md");
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = render();
  if (process.argv.includes("--check")) {
    const current = existsSync(target) ? readFileSync(target, "utf8") : "";
    if (current !== text) {
      console.error("docs/style.md is out of date: run `node scripts/style-doc.mjs`");
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
  }
}
