/**
 * The command line: its options, its help, and option errors in this
 * command's words (node's parseArgs messages carry quotes and advice meant
 * for another audience).
 */
import { parseArgs } from "node:util";
import { resolveSelector, selectorNames } from "../rules/index.js";

export const OPTIONS = {
  diff: { type: "boolean" },
  write: { type: "boolean" },
  fix: { type: "boolean" },
  check: { type: "boolean" },
  json: { type: "boolean" },
  "output-format": { type: "string" },
  // hadolint's and eslint's name for the output format (it used to mean --reformat: see FORMAT_IS_OUTPUT_FORMAT)
  format: { type: "string", short: "f" },
  "output-file": { type: "string", short: "o" },
  "stdin-filepath": { type: "string" },
  select: { type: "string", multiple: true },
  "extend-select": { type: "string", multiple: true },
  ignore: { type: "string", multiple: true },
  "unsafe-fixes": { type: "boolean" },
  "no-unsafe-fixes": { type: "boolean" },
  reformat: { type: "boolean" },
  "exit-zero": { type: "boolean" },
  "exit-non-zero-on-fix": { type: "boolean" },
  "ignore-unknown": { type: "boolean", short: "u" },
  "assume-dockerfile": { type: "boolean" },
  config: { type: "string" },
  "no-config": { type: "boolean" },
  "force-exclude": { type: "boolean" },
  "show-config": { type: "string" },
  "show-all-files": { type: "boolean" },
  timing: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  statistics: { type: "boolean" },
  color: { type: "string" },
  "list-rules": { type: "boolean" },
  explain: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export type OutputFormat = "text" | "json" | "github" | "sarif" | "gitlab";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["text", "json", "github", "sarif", "gitlab"];

/** What --format meant before it became the output format's alias, said where an old command line fails. */
export const FORMAT_IS_OUTPUT_FORMAT = "--format (-f) is the output format, as in hadolint; to format the files, use --reformat";

export const HELP = `Usage: dockerfile-codemod [options] [paths or globs ...]

Finds Dockerfiles under the paths given (default: .), skipping .git,
node_modules and what git ignores, and reports what each rule would change.
A Dockerfile is a file named, in any case, Dockerfile, Containerfile,
*.dockerfile, *.containerfile, Dockerfile.<suffix> or Containerfile.<suffix>,
except suffixes that name another kind of file (Dockerfile.dockerignore,
Dockerfile.template, .j2, .bak, .md, .json, .sh, ...: see the README).
A file named, or matched by a glob, whose name is not a Dockerfile name is
skipped with a warning (exit 2), as Prettier does with a file it has no
parser for.

Modes:
  (default)              report findings, one per line: path:line:col: rule [*] message
                         (at the token the finding is about; [*]: --fix applies its fix),
                         then a summary on stderr: N findings, M fixable with --fix, K more
                         with --unsafe-fixes (after --fix: F fixed, R remaining)
  --diff                 print unified diffs of what would change
  --check                change nothing; exit 1 if anything would change or a finding is left
  --write, --fix         apply the fixes; print each file changed, one per line
  -                      as a path: read a Dockerfile from stdin, as a file whose report is
                         printed as usual and whose fixed text (--write) goes to stdout
  --stdin-filepath NAME  read a Dockerfile from stdin, write the result to stdout
                         (NAME, any name, is shown in messages and picks the configuration;
                         no paths may be given beside it but '-', which NAME then names;
                         --stdin-filename NAME, ruff's name, is the same)

Output:
  --output-format FMT, --format FMT, -f FMT
                         text (default), json, github (workflow commands: annotations on
                         pull requests), sarif (SARIF 2.1.0, for GitHub code scanning),
                         gitlab (Code Climate JSON, for GitLab's code quality report)
  --json                 the same as --output-format json
  -o, --output-file FILE write the report (what would go to stdout) to FILE instead
  --show-all-files       json and sarif: list files with nothing to report too
  --timing               json: add the run's time (left out so the report is the same run to run)
  --statistics           a table of findings per rule instead of one line per finding:
                         count, mark, rule, summary; [*] --fix fixes all of the rule's
                         findings, [-] some of them (ruff writes [~]), [ ] none (no fix,
                         an unsafe fix without --unsafe-fixes, or a fix refused)
  -q, --quiet            only findings and errors: no summary, no warnings
  --color WHEN           auto (default: on a terminal, off with NO_COLOR, on with FORCE_COLOR),
                         always or never

Rules (a RULE is a rule id, ALL for every rule, a hadolint code such as DL3025 or a
BuildKit check name such as JSONArgsRecommended: the rules that answer it):
  --select RULE[,RULE]   only these rules (replaces the default set and the configuration's)
  --extend-select RULE[,RULE]
                         these rules too, on top of the default set or the selection
  --ignore RULE[,RULE]   not these rules (wins over --select and --extend-select)
  --unsafe-fixes         also apply fixes marked unsafe (--no-unsafe-fixes: not, whatever the
                         configuration says)
  --list-rules           list the rules, which are on by default, the BuildKit checks and
                         hadolint codes each answers (with --output-format json: as JSON)
  --explain RULE         print a rule's documentation (a code or check: each rule answering it)

Configuration (found like ruff's and Prettier's: the nearest to each file, up to the
repository root: a "dockerfile-codemod" key in package.json, .dockerfile-codemodrc (YAML
or JSON), .dockerfile-codemodrc.{json,yaml,yml} or dockerfile-codemod.config.{json,js,mjs,cjs};
and the nearest .hadolint.yaml or .hadolint.yml, whose "ignored" codes are ignored):
  --config FILE          use this configuration file for every file (a .hadolint.yaml too)
  --no-config            read no configuration file
  --show-config FILE     print the settings in effect for FILE, and where they come from
  --force-exclude        apply the configuration's "exclude" to files named on the command
                         line too (as pre-commit and lint-staged name them)

Other options:
  --reformat             also format the result as 'prettier' would, with the Prettier
                         configuration of each file (.prettierrc, overrides, .editorconfig)
                         and without formatting what .prettierignore or .gitignore exclude
                         (formerly --format, which now names the output format)
  --exit-zero            exit 0 even when findings are reported or left (errors still exit 2):
                         for bulk migrations (--write --exit-zero) and report uploads
  --exit-non-zero-on-fix with --write: exit 1 when a file was changed too, even with no
                         finding left (with --exit-zero: exit 1 exactly when a file changed)
  -u, --ignore-unknown   skip files named (or matched by a glob) that are not Dockerfile
                         names silently, without a warning or exit 2
  --assume-dockerfile    read every file named (or matched by a glob) as a Dockerfile,
                         whatever its name (directory search still goes by names)
  -h, --help             this help
  -V, -v, --version      the version

Exit codes:
  0  nothing to report: no change to make and no finding left (with --write: every
     finding fixed, and with --exit-non-zero-on-fix no file changed; --diff: no change),
     or --exit-zero
  1  report, --json, --check: a change would be made or a finding is left unfixed
     (an unsafe fix not applied, a fix the meaning check refused, a finding with no fix);
     --write and --stdin-filepath: a finding is left after writing (with
     --exit-non-zero-on-fix, a file changed too); --diff: a change
  2  usage error; a bad configuration file; a file that could not be read, parsed or
     written (path:line:col: why); a file named that is not a Dockerfile name (unless -u);
     stdin that is not UTF-8 text
  130, 143  interrupted by SIGINT, SIGTERM: no temporary file is left, no file half written

Suppressions, in the Dockerfile:
  # dockerfile-codemod ignore=RULE[,RULE]          on the line before an instruction (RULE: as for --ignore)
  # dockerfile-codemod global ignore=RULE[,RULE]   anywhere: the whole file (ignore=all: every rule)
  # hadolint ignore=DL3025 and # hadolint global ignore=DL3025, and BuildKit's
  # check=skip=JSONArgsRecommended parser directive, for the rules that answer them`;

/** Levenshtein distance, for "did you mean" (options and rule names are short; no need for a library). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The candidate nearest to a mistyped word (case aside), if near enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // a name cut short (JSONArgs for JSONArgsRecommended) is as near as a letter mistyped
    const d = word.length >= 4 && c.toLowerCase().startsWith(word.toLowerCase()) ? 1 : distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/**
 * Why a rule selector cannot be used where it is written, or null: a word
 * that names no rule, hadolint code or BuildKit check (with the nearest
 * name); to select or explain, a code or check that no rule answers
 * (ignoring one is harmless: a hadolint user's list names many).
 */
export function selectorProblem(selector: string, use: "select" | "ignore" | "explain"): string | null {
  const rules = resolveSelector(selector);
  if (rules === null) {
    const near = closest(selector, selectorNames());
    return `unknown rule "${selector}"${near ? ` (did you mean ${near}?)` : " (dockerfile-codemod --list-rules lists the rules, and the hadolint codes and BuildKit checks each answers)"}`;
  }
  if (rules.length === 0 && use !== "ignore") {
    return `no rule answers "${selector}" (dockerfile-codemod --list-rules lists the hadolint codes and BuildKit checks the rules answer)`;
  }
  return null;
}

/** node's parseArgs messages ("Unknown option '--foo'. To specify a positional ...") in this command's words. */
export function optionErrorMessage(error: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1] ?? "";
  const hint = "Run 'dockerfile-codemod --help' for the options.";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = option.replace(/^-+/, "").split("=")[0]!;
    const known = Object.entries(OPTIONS).flatMap(([long, o]) => [`--${long}`, ...("short" in o ? [`-${o.short}`] : [])]);
    const close = name.length > 1 ? known.filter((k) => k.startsWith("--") && distance(k.slice(2), name) <= 2) : [];
    const suggestion = close.length ? ` (did you mean ${close.join(" or ")}?)` : "";
    return `unknown option ${option}${suggestion}\nRun 'dockerfile-codemod --help' for the options; a path that starts with '-' goes after '--', as in: dockerfile-codemod -- ${option}`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // `--write --format`, `--format --write`: the old meaning of --format
    if (option === "-f," || option === "--format" || option === "-f") return `option ${option === "-f" ? "-f" : "--format"} needs a value (${OUTPUT_FORMATS.join(", ")}): ${FORMAT_IS_OUTPUT_FORMAT}\n${hint}`;
    if (/does not take an argument/.test(error.message)) return `option ${option} takes no value\n${hint}`;
    if (/ambiguous/.test(error.message)) return `option ${option} needs a value (one that starts with '-' is written ${option}=VALUE)\n${hint}`;
    return `option ${option} needs a value\n${hint}`;
  }
  return `${error.message.replace(/'/g, "")}\n${hint}`;
}

export type ParsedArgs = ReturnType<typeof parseCommandLine>;

/** `-V` is ruff's short version flag, `-v` hadolint's: both are --version (parseArgs allows one short name an option). */
export function parseCommandLine(argv: string[]) {
  const end = argv.indexOf("--");
  // -V is ruff's --version; --stdin-filename is ruff's name for --stdin-filepath (Prettier's)
  const before = (i: number) => end === -1 || i < end;
  const args = argv.map((a, i) =>
    !before(i) ? a : a === "-V" ? "--version" : a === "--stdin-filename" ? "--stdin-filepath" : a.startsWith("--stdin-filename=") ? `--stdin-filepath=${a.slice(17)}` : a,
  );
  return parseArgs({ args, allowPositionals: true, options: OPTIONS });
}

/** `a,b` `c` -> [a, b, c] */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}
