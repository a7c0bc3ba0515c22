#!/usr/bin/env node
// Writes docs/style.md from the fixtures in fixtures/format/style, so the
// documented style and the tested style cannot drift. `--check` exits 1 if
// the file is out of date (test/docs.test.ts runs it).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const base = join(root, "fixtures/format/style");

/** [title, explanation, fixture]: an empty title continues the previous rule. */
const RULES = [
  ["Instruction keywords are upper case everywhere", "Including the ONBUILD trigger, HEALTHCHECK's `CMD`/`NONE` and `AS` in FROM. BuildKit reads keywords without regard to case, so this never changes meaning.", "keyword-case"],
  ["One space between keyword, flags and arguments", "Blank runs are collapsed only where the instruction's own parser ignores them: between words of FROM, COPY, ADD, EXPOSE, ARG, `k=v` ENV/LABEL, between flags, and between shell words outside strings (decided from the tree-sitter-bash tree). Quoted text and escaped blanks stay byte for byte.", "spacing"],
  ["Values that BuildKit keeps verbatim stay verbatim", "Legacy `ENV key value` / `LABEL key value`, USER, WORKDIR, MAINTAINER and STOPSIGNAL take the rest of the line as written, inner blanks included, so only the blank after the keyword changes.", "verbatim-values"],
  ['JSON arrays are printed `["a", "b"]`', "Each string token is kept exactly as written (escapes are never decoded and re-encoded). Anything that is not a valid JSON array of strings is shell form for BuildKit and stays shell form. `[ \"a\" ]` loses its inner blanks, as Prettier prints arrays.", "json-arrays"],
  ["", "A line break you wrote before the array (`HEALTHCHECK --interval=30s \\` + `    CMD [...]`) is kept, as it is before a shell-form command; an array written over several lines is printed on one.", "exec-form-after-a-break"],
  ["Continuation lines are indented one level", "A continuation line is re-indented only where the line break falls between words outside quotes: BuildKit joins continuation lines without a newline and keeps their leading blanks, so a break inside a word (`light\\` + `ning`) or inside a string keeps every character. Empty continuation lines (which BuildKit skips) are removed; comment lines inside a continuation are kept, indented.", "continuations"],
  ["", "Tabs from the user's file become the configured indent.", "tabs-in-continuation"],
  ["", "A comment line written at column 0 inside a continuation (docker-library's and nginx's convention, hundreds of lines in their images) stays at column 0; other comment lines are indented like the line after them.", "comments-at-column-0"],
  ["", "Continuation lines you aligned under the first argument (`LABEL a=1 \\` + `      b=2`) stay aligned, with spaces (also under `useTabs`: alignment is not indentation). RUN is not aligned: its shell has its own layout ([run-layout.md](run-layout.md)).", "aligned-continuations"],
  ["Tabs or spaces follow Prettier's `useTabs` and `tabWidth`; the default is 4 spaces", "The plugin sets its own default `tabWidth` of 4 (Prettier's is 2) from what Dockerfiles do: of the 1,262 corpus files outside `conformance/` that format, the continuation lines of 284 are mostly indented with multiples of 4 spaces, 265 with tabs and 20 with 2 spaces (`npm run churn` prints these counts). Spaces stay the default, as in Prettier (`useTabs: false`): 4 spaces edge out tabs, and the files written with tabs are docker-library's, whose maintainers can set `useTabs: true`. A `tabWidth` or `useTabs` in your Prettier configuration or `.editorconfig` wins over the plugin's default.", "use-tabs"],
  ["", "", "tab-width-2"],
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

\`npm run churn\` formats every corpus file outside \`conformance/\` (1,262 files that Prettier formats, 59,314 lines) through the real Prettier API with the built plugin, under each preset, and counts with a line diff (the \`diff\` package) the share of the input's lines that are removed or changed; line endings are left out (Prettier's \`endOfLine\` decides them). A file is *written consistently* in a house style when, over the continuation lines of its instructions (comment and empty lines left out), every break at \`&&\`, \`||\` or \`;\` puts the operator on that style's side and at least one does, and every indented continuation line is indented that style's way (tabs only; spaces in multiples of 4) and at least one is. *best* is, per file, the least of the three presets a project would choose from.

Before (this branch's starting point: a 2-space default, top-level operators moved to the line end but nested ones left where they were, comment lines re-indented, every line of a RUN written on several lines broken at every operator, no package-list wrapping; the line-start option did not exist, so that column is \`tabWidth: 4\` alone):

| files | defaults | useTabs | line start, 4 spaces | best |
|---|---:|---:|---:|---:|
| all 1262 | 51.6% (1001 files) | 14.1% (991 files) | 49.5% (966 files) | 11.1% (942 files) |
| docker-library (line end, tabs): 170 | 65.8% (152 files) | 7.9% (136 files) | 65.8% (152 files) | 7.9% (136 files) |
| Docker documentation (line start, 4 spaces): 157 | 44.5% (157 files) | 44.6% (157 files) | 30.1% (157 files) | 30.0% (157 files) |
| not mostly indented with tabs: 997 | 21.8% (755 files) | 23.3% (762 files) | 16.0% (720 files) | 15.2% (713 files) |

After:

| files | defaults | useTabs | line start, 4 spaces | best |
|---|---:|---:|---:|---:|
| all 1262 | 44.1% (885 files) | 8.5% (792 files) | 42.4% (801 files) | 3.2% (615 files) |
| docker-library (line end, tabs): 170 | 59.1% (140 files) | 0.2% (30 files) | 59.1% (140 files) | 0.2% (30 files) |
| Docker documentation (line start, 4 spaces): 157 | 25.6% (157 files) | 43.0% (157 files) | 2.1% (55 files) | 2.1% (55 files) |
| not mostly indented with tabs: 997 | 13.8% (651 files) | 22.4% (723 files) | 9.3% (567 files) | 8.1% (546 files) |

The targets:

| target | before | after | |
|---|---:|---:|---|
| files written consistently in docker-library's style, under \`useTabs: true\`: at most 1% | 7.9% | 0.2% | met |
| files written consistently in the documentation's style, under \`dockerfileOperatorPosition: "start"\` and 4 spaces: at most 1% | 30.1% | 2.1% | not met, by 1.1 points |
| the whole corpus, each file under its best preset: at most 5% | 11.1% | 3.2% | met |
| the whole corpus under the defaults: at most half of before (25.8%) | 51.6% | 44.1% | not met, by 18.3 points |

[run-layout.md](run-layout.md#what-still-changes-in-a-house-style-file) lists every change that is left in the house-style files, with its reason: in the documentation-style files, 0.9 of the 2.1 points are blanks at line ends that every Prettier plugin removes, 0.3 are \`[ "a" ]\` printed \`["a"]\`, 0.6 are indentation the rules decide otherwise (an \`if\` body opened on the RUN line, dotnet-docker's \`&& rm\` under a command that follows its flags).

The defaults stay far from half because 43% of the corpus's lines start with a tab (25,351 lines, 24,942 of them docker-library's): any default of spaces re-indents every one of those continuation lines, and with \`useTabs\` the whole corpus would change 8.5%. The default stays spaces even so. By files the corpus is a tie (284 files indent continuation lines mostly with 4 spaces, 265 with tabs, 20 with 2 spaces), and the corpus over-represents docker-library's long files: in a sample of ordinary projects' root Dockerfiles on GitHub, 10 of the 11 that have continuation lines indent them with spaces. Prettier's own default is spaces, and docker-library's maintainers, a handful of people, set \`useTabs: true\` once. On the 997 files not mostly indented with tabs, the defaults change 13.8% of the lines, down from 21.8%.
`;

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
    const optionsFile = join(base, `${name}.options.json`);
    const options = existsSync(optionsFile) ? ` with options \`${readFileSync(optionsFile, "utf8").trim()}\`` : "";
    out.push(`Before (\`${name}.in.dockerfile\`${options}):`, "", block(readFileSync(join(base, `${name}.in.dockerfile`), "utf8")), "");
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
