/**
 * `dockerfile-codemod [paths or globs ...]`: reports, diffs, checks or
 * writes the rules' fixes, eslint/ruff style. Exit codes (ruff's model):
 * 0 nothing to report; 1 a finding (a change that would be made, or a
 * finding left unfixed; --exit-zero turns this off); 2 usage error, a bad
 * configuration, a file that could not be read, parsed or written, or a file
 * named that is not a Dockerfile (the other files are still processed).
 */
import { performance } from "node:perf_hooks";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { DockerfileSyntaxError } from "../model/scan.js";
import { initShell, shellReady } from "../shell/bash.js";
import { shippedFile } from "../shipped.js";
import { fixSync, type FixOptions, type FixResult } from "../codemod/fix.js";
import { RULES, resolveSelector, selectedRules } from "../rules/index.js";
import type { RegisteredRule } from "../rules/types.js";
import { decodeText, discover, NotWritableError, readText, writeAtomic, type Target } from "./files.js";
import { ConfigError, ConfigResolver, settingsFor, type RuleFlags, type Settings } from "./config.js";
import { loadFormatter, type Formatter } from "./formatter.js";
import { FORMAT_IS_OUTPUT_FORMAT, HELP, OUTPUT_FORMATS, optionErrorMessage, parseCommandLine, selectorProblem, splitList, type OutputFormat, type ParsedArgs } from "./options.js";
import { findingViews, renderGithub, renderGitlab, renderJson, renderSarif, renderStatistics, renderText, summarize, textLine, textSummary, type FileResult, type RunResult } from "./report.js";
import { COLOR_CHOICES, createStyle, type ColorChoice, type Style } from "./style.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Uint8Array>;
  cwd: string;
  stderrIsTTY: boolean;
  /** Whether stdout is a terminal (colours of the findings); stderr's when not given. */
  stdoutIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(", ") : "none");

export function explain(rule: RegisteredRule): string {
  const d = rule.docs;
  return [
    `# ${rule.id}`,
    "",
    rule.summary,
    "",
    `Fix safety: ${rule.safety === "none" ? "none (it only reports)" : rule.safety}`,
    `On by default: ${rule.defaultEnabled ? "yes" : "no (--extend-select to run it)"}`,
    `Answers: BuildKit check ${list(rule.buildkit)}; hadolint ${list(rule.hadolint)}`,
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
    "## Facts it relies on (BuildKit's behaviour, read from its source)",
    ...d.facts.map((f) => `- ${f}`),
    "",
  ].join("\n");
}

export function listRules(): string {
  const codes = (xs: readonly string[]) => (xs.length ? xs.map((x) => `\`${x}\``).join(", ") : "");
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.safety} | ${r.defaultEnabled ? "yes" : "no"} | ${codes(r.buildkit)} | ${codes(r.hadolint)} | ${r.summary} |`);
  return ["| rule | fix | on by default | BuildKit check | hadolint | what it does |", "|---|---|---|---|---|---|", ...rows].join("\n") + "\n";
}

export function listRulesJson(): string {
  return `${JSON.stringify(
    RULES.map((r) => ({ id: r.id, summary: r.summary, fixSafety: r.safety, defaultEnabled: r.defaultEnabled, buildkit: r.buildkit, hadolint: r.hadolint, docs: r.docs })),
    null,
    2,
  )}\n`;
}

/** The package's package.json: three levels up from dist/src/cli/main.js; two from src/cli/main.ts, where the tests call main(). */
function packageJson(): { version: string; homepage: string } {
  // beside dist/ in the package (src/shipped.ts knows where dist/ is from any bundle); from src/, the repository's
  const url = shippedFile("../package.json") ?? new URL("../../package.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as { version: string; homepage: string };
}

function version(): string {
  return packageJson().version;
}

/** The repository's home page, from package.json (its "#readme" fragment left out). */
function homepage(): string {
  return packageJson().homepage.replace(/#.*$/, "");
}

interface Mode {
  diff: boolean;
  write: boolean;
  check: boolean;
  exitZero: boolean;
  /** ruff's --exit-non-zero-on-fix: with --write, a file changed fails the run too. */
  exitNonZeroOnFix: boolean;
  output: OutputFormat;
}

/**
 * The exit code for findings (errors exit 2 before this): ruff's model. A
 * change that would be made, or a finding left unfixed, is a finding; --diff
 * shows changes only; --write (and stdin, which writes to stdout) fails only
 * for what is left after writing.
 */
function findingsExit(mode: Mode, changed: boolean, remaining: boolean, writes: boolean): number {
  // a change written fails the run whatever --exit-zero says of the findings (so both: exit 1 exactly when a file changed)
  if (writes && changed && mode.exitNonZeroOnFix) return 1;
  if (mode.exitZero) return 0;
  if (mode.diff) return changed ? 1 : 0;
  if (writes) return remaining ? 1 : 0;
  return changed || remaining ? 1 : 0;
}

/** The engine's options for the settings in effect for a file. */
function fixOptions(settings: Settings): FixOptions {
  return {
    // selectors as written (rule ids, ALL, hadolint codes, BuildKit checks): the engine resolves them
    select: settings.select,
    extendSelect: settings.extendSelect,
    ignore: settings.ignore,
    unsafeFixes: settings.unsafeFixes,
  };
}

/** Past this much input in all, or in one file, a run gets V8's default young-generation growth back (see bin.ts). */
const MEMORY_THRIFT_BYTES = 4_000_000;
const MEMORY_THRIFT_FILE_BYTES = 500_000;
let bytesRead = 0;
let largeRun = false;

/** Counts what a run has read; a large run (big files, or many) gets V8's default young-generation growth back. */
function noteInput(text: string): void {
  bytesRead += text.length;
  if (!largeRun && (bytesRead > MEMORY_THRIFT_BYTES || text.length > MEMORY_THRIFT_FILE_BYTES)) {
    setFlagsFromString("--semi-space-growth-factor=2");
    largeRun = true;
  }
}

function shorten(path: string, width: number): string {
  return path.length <= width ? path : `…${path.slice(path.length - width + 1)}`;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    io.stderr(`dockerfile-codemod: ${optionErrorMessage(e as Error)}\n`);
    return 2;
  }
  const outputFile = parsed.values["output-file"];
  const failed = { usage: false };
  // -o - is standard output, as for most tools that take -o
  if (outputFile === undefined || outputFile === "-") return command(argv, parsed, io, failed);
  if (outputFile === "") {
    io.stderr("dockerfile-codemod: --output-file needs a file name\nRun 'dockerfile-codemod --help' for usage.\n");
    return 2;
  }
  // -o FILE: what would go to stdout (the report, the diffs, the files written, stdin's result) goes to FILE
  const chunks: string[] = [];
  const code = await command(argv, parsed, { ...io, stdout: (s) => void chunks.push(s), stdoutIsTTY: false }, failed);
  if (failed.usage) return code; // nothing was run: no report to write
  const target = resolve(io.cwd, outputFile);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, chunks.join(""));
  } catch (e) {
    io.stderr(`dockerfile-codemod: cannot write the report to ${outputFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 2;
  }
  return code;
}

async function command(argv: string[], parsed: ParsedArgs, io: Io, failed: { usage: boolean }): Promise<number> {
  const v = parsed.values;
  const usage = (message: string) => {
    io.stderr(`dockerfile-codemod: ${message}\nRun 'dockerfile-codemod --help' for usage.\n`);
    failed.usage = true;
    return 2;
  };
  const color = (v.color ?? "auto") as ColorChoice;
  if (!COLOR_CHOICES.includes(color)) return usage(`--color must be one of ${COLOR_CHOICES.join(", ")} (got ${v.color})`);
  const errStyle = createStyle(io.stderrIsTTY, io.env, color);
  const outStyle = createStyle(io.stdoutIsTTY ?? io.stderrIsTTY, io.env, color);
  // --output-format, its aliases --format and -f (hadolint's, eslint's), and --json
  const named: [string, string][] = [];
  if (v["output-format"] !== undefined) named.push(["--output-format", v["output-format"]]);
  if (v.format !== undefined) named.push([argv.some((a) => a === "--format" || a.startsWith("--format=")) ? "--format" : "-f", v.format]);
  if (v.json) named.push(["--json", "json"]);
  for (const [option, value] of named) {
    if (OUTPUT_FORMATS.includes(value as OutputFormat)) continue;
    const old = option === "--output-format" ? "" : `; ${FORMAT_IS_OUTPUT_FORMAT}`;
    return usage(`${option} must be one of ${OUTPUT_FORMATS.join(", ")} (got ${value})${old}`);
  }
  if (new Set(named.map(([, value]) => value)).size > 1) {
    return usage(`${named.map(([o, value]) => (o === "--json" ? o : `${o} ${value}`)).join(" and ")} name different output formats`);
  }
  const output = (named[0]?.[1] ?? "text") as OutputFormat;

  if (v.help) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  if (v.version) {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (v["list-rules"]) {
    io.stdout(output === "json" ? listRulesJson() : listRules());
    return 0;
  }
  if (v.explain !== undefined) {
    const problem = selectorProblem(v.explain, "explain");
    if (problem) return usage(problem);
    // a hadolint code or BuildKit check may be answered by several rules: each is explained
    io.stdout(resolveSelector(v.explain)!.map(explain).join("\n"));
    return 0;
  }
  const write = !!(v.write || v.fix);
  const modes = [v.diff && "--diff", write && (v.fix ? "--fix" : "--write"), v.check && "--check"].filter(Boolean);
  if (modes.length > 1) return usage(`choose one of --diff, --write (--fix), --check (got ${modes.join(", ")})`);
  // `-` as a path is standard input (ruff's and hadolint's way), named by --stdin-filepath if given
  const dash = parsed.positionals.includes("-");
  if (dash && parsed.positionals.length > 1) {
    return usage(`'-' reads one Dockerfile from stdin: no other paths may be given beside it (got ${parsed.positionals.join(" ")}; a file named '-' is written ./-)`);
  }
  if (v["stdin-filepath"] !== undefined && parsed.positionals.length > 0 && !dash) {
    return usage(`--stdin-filepath reads one Dockerfile from stdin: no paths may be given beside it but '-' (got ${parsed.positionals.join(" ")})`);
  }
  if (v["unsafe-fixes"] && v["no-unsafe-fixes"]) return usage("--unsafe-fixes and --no-unsafe-fixes contradict each other");
  if (v.config !== undefined && v["no-config"]) return usage("--config and --no-config contradict each other");
  const select = splitList(v.select);
  const extendSelect = splitList(v["extend-select"]);
  const ignore = splitList(v.ignore);
  const problem = [
    ...select.map((x) => selectorProblem(x, "select")),
    ...extendSelect.map((x) => selectorProblem(x, "select")),
    ...ignore.map((x) => selectorProblem(x, "ignore")),
  ].find((p) => p !== null);
  if (problem) return usage(problem);
  const flags: RuleFlags = {
    select: select.length ? select : undefined,
    extendSelect: extendSelect.length ? extendSelect : undefined,
    ignore: ignore.length ? ignore : undefined,
    unsafeFixes: v["unsafe-fixes"] ? true : v["no-unsafe-fixes"] ? false : undefined,
  };
  const quiet = !!v.quiet;
  const configs = new ConfigResolver({
    configFile: v.config,
    noConfig: v["no-config"],
    cwd: io.cwd,
    // once per configuration file, however many files it covers
    warn: (message) => {
      if (!quiet) io.stderr(`${errStyle.warn("warning")}: ${message}\n`);
    },
  });
  const settingsOf = async (file: string): Promise<Settings> => settingsFor(await configs.forFile(file), flags, file);

  if (v["show-config"] !== undefined) {
    try {
      const file = resolve(io.cwd, v["show-config"]);
      io.stdout(showConfig(v["show-config"], await settingsOf(file), output === "json"));
      return 0;
    } catch (e) {
      if (e instanceof ConfigError) {
        io.stderr(`${errStyle.error("error")}: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }

  const mode: Mode = { diff: !!v.diff, write, check: !!v.check, exitZero: !!v["exit-zero"], exitNonZeroOnFix: !!v["exit-non-zero-on-fix"], output };
  const format = v.reformat ? await loadFormatter(io, errStyle) : null;

  if (v["stdin-filepath"] !== undefined || dash) {
    const name = v["stdin-filepath"] ?? "-";
    let settings: Settings;
    try {
      settings = await settingsOf(resolve(io.cwd, name));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      io.stderr(`${errStyle.error("error")}: ${e.message}\n`);
      return 2;
    }
    if (settings.excluded && v["force-exclude"]) {
      // as ruff: an excluded file comes back as it was (an editor's format-on-save leaves it alone)
      const bytes = await io.readStdin();
      if (!mode.check && !mode.diff && mode.output === "text" && (dash ? mode.write : true)) io.stdout(Buffer.from(bytes).toString("utf8"));
      return 0;
    }
    return runStdin(name, fixOptions(settings), format, io, { err: errStyle, out: outStyle }, mode, dash);
  }

  const started = performance.now();
  const paths = parsed.positionals.length ? parsed.positionals : ["."];
  const found = await discover(paths, io.cwd, { assumeDockerfile: v["assume-dockerfile"], env: io.env });
  let usageError = false;
  for (const m of found.missing) {
    io.stderr(`${errStyle.error("error")}: ${m}: no such file, directory or matching glob\n`);
    usageError = true;
  }
  if (!quiet) for (const w of found.warnings) io.stderr(`${errStyle.warn("warning")}: ${w}\n`);
  const notDockerfiles = v["ignore-unknown"] ? [] : found.unknown;
  if (!quiet) {
    for (const u of notDockerfiles) {
      io.stderr(`${errStyle.warn("warning")}: ${u}: not a Dockerfile name: skipped (--assume-dockerfile reads it as one, -u skips it silently)\n`);
    }
  }

  const progress = createProgress(io, found.targets.length);
  const files: FileResult[] = [];
  // a bad configuration is printed once, whatever the number of files it covers; they are not read
  const configErrors = new Set<string>();
  for (const [i, target] of found.targets.entries()) {
    progress(i, target.display);
    let settings: Settings;
    try {
      settings = await settingsOf(target.real);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (!configErrors.has(e.message)) io.stderr(`${errStyle.error("error")}: ${e.message}\n`);
      configErrors.add(e.message);
      continue;
    }
    // `exclude` skips what directory search and globs find; a file named on the command line is still read,
    // unless --force-exclude (pre-commit and lint-staged name every file)
    if (settings.excluded && (target.searched || v["force-exclude"])) continue;
    files.push(await processFile(target, fixOptions(settings), format, mode.write, io.cwd));
  }
  progress(found.targets.length, "");
  const run: RunResult = { files, notDockerfiles, write: mode.write, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };

  for (const f of files) {
    if (f.error) io.stderr(`${errStyle.path(f.path)}:${f.error.line}:${f.error.column}: ${errStyle.error(f.error.message)}\n`);
    else if (f.skipped && !quiet) io.stderr(`${errStyle.warn("warning")}: ${f.path}: ${f.skipped}\n`);
    if (!quiet && output === "text") {
      for (const w of f.result?.warnings ?? []) io.stderr(`${errStyle.path(f.path)}:${w.line}:1: ${errStyle.warn("warning")}: ${w.message}\n`);
    }
  }
  const showAllFiles = !!v["show-all-files"];
  if (mode.diff) {
    const diffs: string[] = [];
    for (const f of files) if (f.result && f.output !== f.input) diffs.push(await unifiedDiff(f.path, f.input!, f.output!));
    io.stdout(diffs.join(""));
  } else if (output === "json") io.stdout(renderJson(run, { showAllFiles, timing: !!v.timing }));
  else if (output === "github") io.stdout(renderGithub(run));
  else if (output === "sarif") io.stdout(renderSarif(run, { cwd: io.cwd, version: version(), homepage: homepage(), showAllFiles }));
  else if (output === "gitlab") io.stdout(renderGitlab(run, { cwd: io.cwd }));
  else if (v.statistics) io.stdout(renderStatistics(run, outStyle));
  else io.stdout(renderText(run, outStyle, { hasFormatter: format !== null }));

  const s = summarize(run);
  if (output === "text" && !quiet) {
    const ruleSummary = Object.entries(s.fixesPerRule).map(([r, n]) => `${r} ${n}`).join(", ") || "none";
    const parts = [
      `${s.scanned} file${s.scanned === 1 ? "" : "s"} scanned, ${s.changed} ${mode.write ? "changed" : "would change"}`,
      `fixes: ${ruleSummary}`,
      ...(s.unfixed ? [`${s.unfixed} finding${s.unfixed === 1 ? "" : "s"} not fixed`] : []),
      ...(s.notDockerfiles ? [`${s.notDockerfiles} not a Dockerfile`] : []),
      `${s.errors + configErrors.size} error${s.errors + configErrors.size === 1 ? "" : "s"}`,
      `${run.seconds.toFixed(2)}s`,
    ];
    // ruff's closing lines (Found N findings, what --fix and --unsafe-fixes would fix), then the run's counts
    for (const line of textSummary(run, { hasFormatter: format !== null })) io.stderr(`${line}\n`);
    io.stderr(`${errStyle.dim(parts.join("; "))}\n`);
  }
  if (usageError || configErrors.size > 0 || s.errors > 0 || notDockerfiles.length > 0) return 2;
  return findingsExit(mode, s.changed > 0, s.unfixed > 0, mode.write);
}

/** --show-config: the settings in effect for one file, and where they come from. */
function showConfig(name: string, settings: Settings, json: boolean): string {
  const selected = selectedRules(fixOptions(settings)).map((r) => r.id);
  const view = {
    file: name,
    configuration: settings.configPath,
    hadolintConfiguration: settings.hadolintPath,
    rules: selected,
    ignored: [...new Set(settings.ignore)],
    perFileIgnores: settings.perFileIgnored,
    unsafeFixes: settings.unsafeFixes,
    excluded: settings.excluded,
  };
  if (json) return `${JSON.stringify(view, null, 2)}\n`;
  return [
    `settings in effect for ${name}`,
    `  configuration file: ${settings.configPath ?? "none found (defaults)"}`,
    ...(settings.hadolintPath ? [`  hadolint configuration: ${settings.hadolintPath} (its "ignored" codes)`] : []),
    `  rules: ${selected.join(", ") || "none"}`,
    `  ignored: ${view.ignored.join(", ") || "none"}`,
    ...settings.perFileIgnored.map((p) => `  per-file ignore ${JSON.stringify(p.glob)}: ${p.rules.join(", ")}`),
    `  unsafe fixes: ${settings.unsafeFixes ? "applied" : "not applied"}`,
    `  excluded: ${settings.excluded ? `yes, by ${JSON.stringify(settings.excluded)} (directory search and globs skip it; named, with --force-exclude)` : "no"}`,
    "",
  ].join("\n");
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

/** Line, column and message for a Dockerfile error, one of Prettier's (loc), or anything else (1:1). */
function located(e: unknown): { line: number; column: number; message: string } {
  if (e instanceof DockerfileSyntaxError) return { line: e.line, column: e.column, message: e.message };
  const loc = (e as { loc?: { start?: { line?: number; column?: number } } }).loc?.start;
  const message = ((e as Error).message ?? String(e)).split("\n")[0]!;
  if (loc?.line) return { line: loc.line, column: loc.column ?? 1, message: message.replace(/ \(\d+:\d+\)$/, "") };
  return { line: 1, column: 1, message };
}

async function processFile(target: Target, options: FixOptions, format: Formatter | null, write: boolean, cwd: string): Promise<FileResult> {
  const read = readText(target.real);
  if (!read.ok) {
    if (target.searched && read.reason.includes("not a text file")) return { path: target.display, skipped: read.reason };
    return { path: target.display, error: { line: 1, column: 1, message: read.reason } };
  }
  const input = read.text;
  noteInput(input);
  let result: FixResult;
  let output: string;
  try {
    // the Dockerfile's directory is the usual build context
    result = await fixLazily(input, { ...options, context: dirname(target.real) });
    output = format ? await format(result.output, resolve(cwd, target.display)) : result.output;
  } catch (e) {
    return { path: target.display, error: located(e) };
  }
  const outcome: FileResult = { path: target.display, result, output, input };
  if (write && output !== input) {
    if (target.readOnlyReason) return { path: target.display, error: { line: 1, column: 1, message: target.readOnlyReason } };
    try {
      await writeAtomic(target.real, output);
      outcome.written = true;
    } catch (e) {
      const why = e instanceof NotWritableError ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
      return { path: target.display, error: { line: 1, column: 1, message: `cannot write: ${why}` } };
    }
  }
  return outcome;
}

/**
 * One Dockerfile from stdin. With --stdin-filepath alone (Prettier's way),
 * the result goes to stdout and the findings to stderr. With `-` as the path
 * (ruff's and hadolint's way) stdin is a file like any other: its report is
 * printed as a file's is, and --write (--fix) writes its fixed text to stdout.
 */
async function runStdin(
  name: string,
  options: FixOptions,
  format: Formatter | null,
  io: Io,
  styles: { err: Style; out: Style },
  mode: Mode,
  dash: boolean,
): Promise<number> {
  const style = styles.err;
  const read = decodeText(await io.readStdin());
  if (!read.ok) {
    io.stderr(`${style.path(name)}:1:1: ${style.error(`${read.reason}: refused`)}\n`);
    return 2;
  }
  const input = read.text;
  noteInput(input);
  let result: FixResult;
  let output: string;
  try {
    result = await fixLazily(input, options);
    output = format ? await format(result.output, resolve(io.cwd, name)) : result.output;
  } catch (e) {
    const where = located(e);
    io.stderr(`${style.path(name)}:${where.line}:${where.column}: ${style.error(where.message)}\n`);
    return 2;
  }
  const changed = output !== input;
  const run: RunResult = { files: [{ path: name, input, output, result }], notDockerfiles: [], write: false, seconds: 0 };
  // `-` reports unless --write asks for the result; --stdin-filepath alone writes the result unless --check or --diff
  const writes = mode.output === "text" && !mode.check && !mode.diff && (dash ? mode.write : true);
  if (mode.output === "json") io.stdout(renderJson(run, { showAllFiles: true, timing: false, output }));
  else if (mode.output === "github") io.stdout(renderGithub(run));
  else if (mode.output === "sarif") io.stdout(renderSarif(run, { cwd: io.cwd, version: version(), homepage: homepage(), showAllFiles: true }));
  else if (mode.output === "gitlab") io.stdout(renderGitlab(run, { cwd: io.cwd }));
  else if (mode.diff) io.stdout(changed ? await unifiedDiff(name, input, output) : "");
  else if (writes) io.stdout(output);
  else if (dash) io.stdout(renderText(run, styles.out, { hasFormatter: format !== null }));
  if (mode.output === "text") {
    for (const w of result.warnings) io.stderr(`${style.path(name)}:${w.line}:1: ${style.warn("warning")}: ${w.message}\n`);
    // the findings, where stdout holds something else
    if (!dash || writes) {
      for (const v of findingViews(run.files[0]!)) io.stderr(`${textLine(name, v, style)}\n`);
    }
  }
  return findingsExit(mode, changed, result.remaining.length > 0, writes);
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
    const counter = `[${done}/${total}] `;
    io.stderr(`\r\x1b[K${counter}${shorten(path, Math.max(20, (Number(io.env.COLUMNS) || 80) - counter.length - 1))}`);
  };
}
