/**
 * `dockerfile-codemod [paths or globs ...]`: reports, diffs, checks or
 * writes the rules' fixes, eslint/ruff style. Exit codes (ruff's model):
 * 0 nothing to report; 1 a finding (a change that would be made, or a
 * finding left unfixed; --exit-zero turns this off); 2 usage error, a file
 * that could not be read, parsed or written, or a file named that is not a
 * Dockerfile (the other files are still processed).
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { DockerfileSyntaxError } from "../model/scan.js";
import { initShell, shellReady } from "../shell/bash.js";
import { fixSync, type FixOptions, type FixResult } from "../codemod/fix.js";
import { RULES, ruleById } from "../rules/index.js";
import type { Rule } from "../rules/types.js";
import { decodeText, discover, NotWritableError, readText, writeAtomic, type Target } from "./files.js";
import { createStyle, type Style } from "./style.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Uint8Array>;
  cwd: string;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const HELP = `Usage: dockerfile-codemod [options] [paths or globs ...]

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
  (default)              report findings, one per line: path:line:col  rule  message
  --diff                 print unified diffs of what would change
  --check                change nothing; exit 1 if anything would change or a finding is left
  --write                apply the fixes; print each file changed, one per line
  --json                 print a machine-readable report (with --write or --check: also that)
  --stdin-filepath NAME  read a Dockerfile from stdin, write the result to stdout
                         (NAME, any name, is shown in messages and picks the Prettier
                         configuration for --format; no paths may be given beside it)

Options:
  --select RULE[,RULE]   only these rules
  --ignore RULE[,RULE]   not these rules
  --unsafe-fixes         also apply fixes marked unsafe
  --format               also format the result as 'prettier' would, with the Prettier
                         configuration of each file (.prettierrc, overrides, .editorconfig)
                         and without formatting what .prettierignore or .gitignore exclude
  --exit-zero            exit 0 even when findings are reported (errors still exit 2)
  -u, --ignore-unknown   skip files named (or matched by a glob) that are not Dockerfile
                         names silently, without a warning or exit 2
  --assume-dockerfile    read every file named (or matched by a glob) as a Dockerfile,
                         whatever its name (directory search still goes by names)
  --list-rules           list the rules
  --explain RULE         print a rule's documentation
  -h, --help             this help
  -v, --version          the version

Exit codes:
  0  nothing to report: no change to make and no finding left (with --write: every
     finding fixed; --diff: no change), or --exit-zero
  1  report, --json, --check: a change would be made or a finding is left unfixed
     (an unsafe fix not applied, a fix the meaning check refused, a finding with no fix);
     --write and --stdin-filepath: a finding is left after writing; --diff: a change
  2  usage error; a file that could not be read, parsed or written (path:line:col: why);
     a file named that is not a Dockerfile name (unless -u); stdin that is not UTF-8 text
  130, 143  interrupted by SIGINT, SIGTERM: no temporary file is left, no file half written
Suppress a rule for one instruction with a comment on the line before it:
  # dockerfile-codemod ignore=RULE[,RULE]`;

const OPTIONS = {
  diff: { type: "boolean" },
  write: { type: "boolean" },
  check: { type: "boolean" },
  json: { type: "boolean" },
  select: { type: "string", multiple: true },
  ignore: { type: "string", multiple: true },
  "unsafe-fixes": { type: "boolean" },
  format: { type: "boolean" },
  "stdin-filepath": { type: "string" },
  "exit-zero": { type: "boolean" },
  "ignore-unknown": { type: "boolean", short: "u" },
  "assume-dockerfile": { type: "boolean" },
  "list-rules": { type: "boolean" },
  explain: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** Levenshtein distance, for "did you mean" (options are short; no need for a library). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
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
    if (/does not take an argument/.test(error.message)) return `option ${option} takes no value\n${hint}`;
    if (/ambiguous/.test(error.message)) return `option ${option} needs a value (one that starts with '-' is written ${option}=VALUE)\n${hint}`;
    return `option ${option} needs a value\n${hint}`;
  }
  return `${error.message.replace(/'/g, "")}\n${hint}`;
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

export function explain(rule: Rule): string {
  const d = rule.docs;
  return [
    `# ${rule.id}`,
    "",
    rule.summary,
    "",
    `Fix safety: ${rule.safety}`,
    "",
    "## What it does",
    d.whatItDoes,
    "",
    "## Why is this bad?",
    d.why,
    "",
    "## Example",
    "```dockerfile",
    d.example,
    "```",
    "",
    "Use instead:",
    "```dockerfile",
    d.useInstead,
    "```",
    "",
    "## Fix safety",
    d.fixSafety,
    "",
    "## Facts it relies on (shared/docs/rulebook.md, from BuildKit's source)",
    ...d.facts.map((f) => `- ${f}`),
    "",
  ].join("\n");
}

export function listRules(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.safety} | ${r.summary} |`);
  return ["| rule | fix | what it does |", "|---|---|---|", ...rows].join("\n") + "\n";
}

interface FileOutcome {
  path: string;
  input?: string;
  result?: FixResult;
  output?: string;
  error?: string;
  skipped?: string;
  written?: boolean;
}

interface Mode {
  diff: boolean;
  write: boolean;
  check: boolean;
  json: boolean;
  exitZero: boolean;
}

/**
 * The exit code for findings (errors exit 2 before this): ruff's model. A
 * change that would be made, or a finding left unfixed, is a finding; --diff
 * shows changes only; --write (and stdin, which writes to stdout) fails only
 * for what is left after writing.
 */
function findingsExit(mode: Mode, changed: boolean, remaining: boolean, writes: boolean): number {
  if (mode.exitZero) return 0;
  if (mode.diff) return changed ? 1 : 0;
  if (writes) return remaining ? 1 : 0;
  return changed || remaining ? 1 : 0;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    io.stderr(`dockerfile-codemod: ${optionErrorMessage(e as Error)}\n`);
    return 2;
  }
  const v = parsed.values;
  const style = createStyle(io.stderrIsTTY, io.env);
  if (v.help) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  if (v.version) {
    const { createRequire } = await import("node:module");
    const pkg = createRequire(import.meta.url)("../../../package.json") as { version: string };
    io.stdout(`${pkg.version}\n`);
    return 0;
  }
  if (v["list-rules"]) {
    io.stdout(listRules());
    return 0;
  }
  if (v.explain !== undefined) {
    const rule = ruleById(v.explain);
    if (!rule) {
      io.stderr(`dockerfile-codemod: unknown rule '${v.explain}' (known: ${RULES.map((r) => r.id).join(", ")})\n`);
      return 2;
    }
    io.stdout(explain(rule));
    return 0;
  }
  const modes = ["diff", "write", "check", "json"].filter((m) => v[m as "diff"]);
  if (modes.length > 1 && !(modes.length === 2 && modes.includes("json") && !modes.includes("diff"))) {
    io.stderr(`dockerfile-codemod: choose one of --diff, --write, --check (got ${modes.map((m) => `--${m}`).join(", ")})\n`);
    return 2;
  }
  if (v["stdin-filepath"] !== undefined && parsed.positionals.length > 0) {
    io.stderr(
      `dockerfile-codemod: --stdin-filepath reads one Dockerfile from stdin: no paths may be given beside it (got ${parsed.positionals.join(" ")})\nRun 'dockerfile-codemod --help' for usage.\n`,
    );
    return 2;
  }
  const select = splitList(v.select);
  const ignore = splitList(v.ignore);
  for (const id of [...select, ...ignore]) {
    if (!ruleById(id)) {
      io.stderr(`dockerfile-codemod: unknown rule '${id}' (known: ${RULES.map((r) => r.id).join(", ")})\n`);
      return 2;
    }
  }
  const options: FixOptions = { select: select.length ? select : undefined, ignore, unsafeFixes: v["unsafe-fixes"] };
  const mode: Mode = { diff: !!v.diff, write: !!v.write, check: !!v.check, json: !!v.json, exitZero: !!v["exit-zero"] };
  const format = v.format ? await loadFormatter(io, style) : null;

  if (v["stdin-filepath"] !== undefined) {
    return runStdin(v["stdin-filepath"], options, format, io, style, mode);
  }

  const started = performance.now();
  const paths = parsed.positionals.length ? parsed.positionals : ["."];
  const found = await discover(paths, io.cwd, { assumeDockerfile: v["assume-dockerfile"], env: io.env });
  let usageError = false;
  for (const m of found.missing) {
    io.stderr(`${style.error("error")}: ${m}: no such file, directory or matching glob\n`);
    usageError = true;
  }
  for (const w of found.warnings) io.stderr(`${style.warn("warning")}: ${w}\n`);
  const unknown = v["ignore-unknown"] ? [] : found.unknown;
  for (const u of unknown) {
    io.stderr(`${style.warn("warning")}: ${u}: not a Dockerfile name: skipped (--assume-dockerfile reads it as one, -u skips it silently)\n`);
  }

  const progress = createProgress(io, found.targets.length);
  const outcomes: FileOutcome[] = [];
  for (const [i, target] of found.targets.entries()) {
    progress(i, target.display);
    outcomes.push(await processFile(target, options, format, mode.write, io.cwd));
  }
  progress(found.targets.length, "");

  // Output
  const diffs: string[] = [];
  let changes = 0;
  let unfixed = 0;
  let errors = usageError ? 1 : 0;
  const perRule = new Map<string, number>();
  for (const o of outcomes) {
    if (o.error) {
      errors++;
      io.stderr(`${style.path(o.path)}:${o.error}\n`);
      continue;
    }
    if (o.skipped) {
      io.stderr(`${style.warn("warning")}: ${o.path}: ${o.skipped}\n`);
      continue;
    }
    const r = o.result!;
    const fileChanged = o.output !== o.input;
    if (fileChanged) changes++;
    unfixed += r.remaining.length;
    for (const f of r.fixes) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
    if (mode.json) continue;
    if (mode.diff) {
      if (fileChanged) diffs.push(await unifiedDiff(o.path, o.input!, o.output!));
      continue;
    }
    const at = (f: { line: number; column: number; rule: string }) => `${style.path(o.path)}:${f.line}:${f.column}  ${style.rule(f.rule)}  `;
    if (mode.write) {
      // as prettier --write does: the files changed, one per line
      if (o.written) io.stdout(`${o.path}\n`);
    } else {
      for (const f of r.fixes) io.stdout(`${at(f)}${f.message}${f.safety === "unsafe" ? " [unsafe fix]" : ""}\n`);
      if (fileChanged && format && r.fixes.length === 0) io.stdout(`${at({ line: 1, column: 1, rule: "format" })}the file is not formatted\n`);
    }
    for (const f of r.remaining) {
      io.stdout(`${at(f)}${f.message}${f.reason === "unsafe" ? " (apply with --unsafe-fixes)" : ""}\n`);
    }
  }
  if (mode.diff) io.stdout(diffs.join(""));
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (mode.json) {
    io.stdout(
      `${JSON.stringify(
        {
          files: outcomes.map((o) => ({
            path: o.path,
            changed: !o.error && !o.skipped && o.output !== o.input,
            written: !!o.written,
            error: o.error ?? null,
            skipped: o.skipped ?? null,
            fixes: o.result?.fixes ?? [],
            remaining: o.result?.remaining ?? [],
          })),
          notDockerfiles: unknown,
          summary: {
            scanned: outcomes.length,
            changed: changes,
            unfixed,
            errors,
            notDockerfiles: unknown.length,
            fixesPerRule: Object.fromEntries(perRule),
            seconds: Number(seconds),
          },
        },
        null,
        2,
      )}\n`,
    );
  }
  const verb = mode.write ? "changed" : "would change";
  const ruleSummary = [...perRule].map(([r, n]) => `${r} ${n}`).join(", ") || "none";
  if (!mode.json) {
    const parts = [
      `${outcomes.length} file${outcomes.length === 1 ? "" : "s"} scanned, ${changes} ${verb}`,
      `fixes: ${ruleSummary}`,
      ...(unfixed ? [`${unfixed} finding${unfixed === 1 ? "" : "s"} not fixed`] : []),
      ...(unknown.length ? [`${unknown.length} not a Dockerfile`] : []),
      `${errors} error${errors === 1 ? "" : "s"}`,
      `${seconds}s`,
    ];
    io.stderr(`${style.dim(parts.join("; "))}\n`);
  }
  if (errors > 0 || unknown.length > 0) return 2;
  return findingsExit(mode, changes > 0, unfixed > 0, mode.write);
}

/**
 * fixSync, with tree-sitter loaded on the first file that needs a shell
 * parse: files without shell-form CMDs or RUNs worth a look (most, in a
 * pre-commit run) never pay for it.
 */
async function fixLazily(text: string, options: FixOptions): Promise<FixResult> {
  try {
    return fixSync(text, options);
  } catch (e) {
    if (shellReady()) throw e;
    await initShell();
    return fixSync(text, options);
  }
}

const PACKAGE_NAME = "prettier-plugin-dockerfile";

/** Formats a Dockerfile's text; `file` (absolute) picks the configuration. */
type Formatter = (text: string, file: string) => Promise<string>;

/**
 * The formatter, loaded only when --format asks for it: Prettier itself
 * (a peer dependency) with this package's plugin, so the result is what
 * `prettier --write` gives for the file: its configuration from
 * .prettierrc and .editorconfig with overrides (prettier.resolveConfig),
 * nothing for files .gitignore or .prettierignore exclude (the ignore files
 * the prettier command reads by default, from the working directory), and
 * Prettier's endOfLine (default "lf": CRLF becomes LF; "auto" keeps it; a
 * byte-order mark is kept). Without Prettier: the built-in formatter with
 * its defaults, after a warning.
 */
async function loadFormatter(io: Io, style: Style): Promise<Formatter> {
  let prettier: typeof import("prettier");
  try {
    prettier = await import("prettier");
  } catch (e) {
    const why = ((e as Error).message ?? String(e)).split("\n")[0];
    io.stderr(
      `${style.warn("warning")}: --format: prettier could not be loaded (${why}): formatting with the built-in formatter's defaults, without your Prettier configuration\n`,
    );
    return builtInFormatter();
  }
  const { default: plugin } = await import("../../plugin/index.js");
  const ignorePath = [resolve(io.cwd, ".gitignore"), resolve(io.cwd, ".prettierignore")];
  return async (text, file) => {
    // (resolveConfig: false: no configuration is read to infer a parser, ten times faster; only `ignored` is used)
    const info = await prettier.getFileInfo(file, { ignorePath, resolveConfig: false });
    if (info.ignored) return text;
    const config = (await prettier.resolveConfig(file, { editorconfig: true })) ?? {};
    // The configuration's other plugins are loaded as prettier loads them (their options may be set);
    // this package's own name is dropped (it may not resolve where a pre-commit hook runs) and the plugin
    // goes last: Prettier takes a parser from the last plugin that has it.
    const plugins = [...(config.plugins ?? []).filter((p) => p !== PACKAGE_NAME), plugin];
    return prettier.format(text, { ...config, filepath: file, parser: "dockerfile", plugins });
  };
}

/** The core formatter with its defaults (no Prettier): keeps a byte-order mark and CRLF line endings. */
async function builtInFormatter(): Promise<Formatter> {
  const { formatText } = await import("../format/format.js");
  return async (text) => {
    await initShell(); // the formatter reads every RUN's shell
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    const body = bom ? text.slice(1) : text;
    const crlf = /\r\n/.test(body) && !/(^|[^\r])\n/.test(body);
    const out = formatText(body);
    return bom + (crlf ? out.replace(/\n/g, "\r\n") : out);
  };
}

/** line:column: message, for a Dockerfile error, one of Prettier's (loc), or anything else (1:1). */
function located(e: unknown): string {
  if (e instanceof DockerfileSyntaxError) return `${e.line}:${e.column}: ${e.message}`;
  const loc = (e as { loc?: { start?: { line?: number; column?: number } } }).loc?.start;
  const message = ((e as Error).message ?? String(e)).split("\n")[0]!;
  if (loc?.line) return `${loc.line}:${loc.column ?? 1}: ${message.replace(/ \(\d+:\d+\)$/, "")}`;
  return `1:1: ${message}`;
}

async function processFile(target: Target, options: FixOptions, format: Formatter | null, write: boolean, cwd: string): Promise<FileOutcome> {
  const read = readText(target.real);
  if (!read.ok) {
    if (target.searched && read.reason.includes("not a text file")) return { path: target.display, skipped: read.reason };
    return { path: target.display, error: `1:1: ${read.reason}` };
  }
  const input = read.text;
  let result: FixResult;
  let output: string;
  try {
    result = await fixLazily(input, options);
    output = format ? await format(result.output, resolve(cwd, target.display)) : result.output;
  } catch (e) {
    return { path: target.display, error: located(e) };
  }
  const outcome: FileOutcome = { path: target.display, result, output, input };
  if (write && output !== input) {
    if (target.readOnlyReason) return { path: target.display, error: `1:1: ${target.readOnlyReason}` };
    try {
      await writeAtomic(target.real, output);
      outcome.written = true;
    } catch (e) {
      const why = e instanceof NotWritableError ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
      return { path: target.display, error: `1:1: cannot write: ${why}` };
    }
  }
  return outcome;
}

async function runStdin(name: string, options: FixOptions, format: Formatter | null, io: Io, style: Style, mode: Mode): Promise<number> {
  const read = decodeText(await io.readStdin());
  if (!read.ok) {
    io.stderr(`${style.path(name)}:1:1: ${read.reason}: refused\n`);
    return 2;
  }
  const input = read.text;
  let result: FixResult;
  let output: string;
  try {
    result = await fixLazily(input, options);
    output = format ? await format(result.output, resolve(io.cwd, name)) : result.output;
  } catch (e) {
    io.stderr(`${style.path(name)}:${located(e)}\n`);
    return 2;
  }
  const changed = output !== input;
  if (mode.json) io.stdout(`${JSON.stringify({ path: name, changed, fixes: result.fixes, remaining: result.remaining, output }, null, 2)}\n`);
  else if (mode.diff) io.stdout(changed ? await unifiedDiff(name, input, output) : "");
  else if (!mode.check) io.stdout(output);
  for (const f of [...result.fixes, ...result.remaining]) {
    io.stderr(`${style.path(name)}:${f.line}:${f.column}  ${style.rule(f.rule)}  ${f.message}\n`);
  }
  // without --check, --diff or --json the result is written (to stdout)
  return findingsExit(mode, changed, result.remaining.length > 0, !mode.check && !mode.diff && !mode.json);
}

async function unifiedDiff(path: string, before: string, after: string): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 })
    .split("\n")
    .slice(1) // drop the "====" line
    .join("\n")
    .replace(/\n?$/, "\n");
}

function createProgress(io: Io, total: number): (done: number, path: string) => void {
  if (!io.stderrIsTTY || total < 50) return () => {};
  let last = 0;
  const started = performance.now();
  return (done, path) => {
    const now = performance.now();
    if (done === total) {
      if (now - started > 500) io.stderr("\r\x1b[K");
      return;
    }
    if (now - last < 100 || now - started < 500) return;
    last = now;
    io.stderr(`\r\x1b[K[${done}/${total}] ${path.slice(-60)}`);
  };
}
