/**
 * `dockerfile-codemod [paths or globs ...]`: reports, diffs, checks or
 * writes the rules' fixes, eslint/ruff style. Exit codes (ruff's model):
 * 0 nothing to report; 1 a finding (a change that would be made, or a
 * finding left unfixed; --exit-zero turns this off); 2 usage error, a bad
 * configuration, a file that could not be read, parsed or written, or a file
 * named that is not a Dockerfile (the other files are still processed).
 */
import { performance } from "node:perf_hooks";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { DockerfileSyntaxError } from "../model/scan.js";
import { initShell, shellReady } from "../shell/bash.js";
import { fixSync, type FixOptions, type FixResult } from "../codemod/fix.js";
import { ALL, RULES, isRuleSelector, ruleById, selectedRules } from "../rules/index.js";
import type { RegisteredRule } from "../rules/types.js";
import { decodeText, discover, NotWritableError, readText, writeAtomic, type Target } from "./files.js";
import { ConfigError, ConfigResolver, settingsFor, type RuleFlags, type Settings } from "./config.js";
import { loadFormatter, type Formatter } from "./formatter.js";
import { HELP, OUTPUT_FORMATS, optionErrorMessage, parseCommandLine, splitList, type OutputFormat } from "./options.js";
import { findingViews, renderGithub, renderJson, renderSarif, renderStatistics, renderText, summarize, textLine, textSummary, type FileResult, type RunResult } from "./report.js";
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
    "## Facts it relies on (shared/docs/rulebook.md, from BuildKit's source)",
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

function version(): string {
  return (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;
}

interface Mode {
  diff: boolean;
  write: boolean;
  check: boolean;
  exitZero: boolean;
  output: OutputFormat;
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

/** Rule selectors as the engine takes them: rule ids, and ALL (any case) for every rule. */
function selectors(ids: readonly string[]): string[] {
  return ids.map((id) => (id.toUpperCase() === ALL ? ALL : id));
}

function unknownRules(ids: string[]): string[] {
  return selectors(ids).filter((id) => !isRuleSelector(id));
}

/** The engine's options for the settings in effect for a file. */
function fixOptions(settings: Settings): FixOptions {
  return {
    select: settings.select ? selectors(settings.select) : undefined,
    extendSelect: selectors(settings.extendSelect),
    ignore: selectors(settings.ignore),
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
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    io.stderr(`dockerfile-codemod: ${optionErrorMessage(e as Error)}\n`);
    return 2;
  }
  const v = parsed.values;
  const usage = (message: string) => {
    io.stderr(`dockerfile-codemod: ${message}\nRun 'dockerfile-codemod --help' for usage.\n`);
    return 2;
  };
  const color = (v.color ?? "auto") as ColorChoice;
  if (!COLOR_CHOICES.includes(color)) return usage(`--color must be one of ${COLOR_CHOICES.join(", ")} (got ${v.color})`);
  const errStyle = createStyle(io.stderrIsTTY, io.env, color);
  const outStyle = createStyle(io.stdoutIsTTY ?? io.stderrIsTTY, io.env, color);
  const output = (v.json ? "json" : (v["output-format"] ?? "text")) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(output)) return usage(`--output-format must be one of ${OUTPUT_FORMATS.join(", ")} (got ${v["output-format"]})`);
  if (v.json && v["output-format"] && v["output-format"] !== "json") return usage(`--json is --output-format json: it cannot go with --output-format ${v["output-format"]}`);

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
    const rule = ruleById(v.explain);
    if (!rule) return usage(`unknown rule '${v.explain}' (known: ${RULES.map((r) => r.id).join(", ")})`);
    io.stdout(explain(rule));
    return 0;
  }
  const write = !!(v.write || v.fix);
  const modes = [v.diff && "--diff", write && (v.fix ? "--fix" : "--write"), v.check && "--check"].filter(Boolean);
  if (modes.length > 1) return usage(`choose one of --diff, --write (--fix), --check (got ${modes.join(", ")})`);
  if (v["stdin-filepath"] !== undefined && parsed.positionals.length > 0) {
    return usage(`--stdin-filepath reads one Dockerfile from stdin: no paths may be given beside it (got ${parsed.positionals.join(" ")})`);
  }
  if (v["unsafe-fixes"] && v["no-unsafe-fixes"]) return usage("--unsafe-fixes and --no-unsafe-fixes contradict each other");
  if (v.config !== undefined && v["no-config"]) return usage("--config and --no-config contradict each other");
  const select = splitList(v.select);
  const extendSelect = splitList(v["extend-select"]);
  const ignore = splitList(v.ignore);
  const unknown = unknownRules([...select, ...extendSelect, ...ignore]);
  if (unknown.length) return usage(`unknown rule '${unknown[0]}' (known: ${RULES.map((r) => r.id).join(", ")})`);
  const flags: RuleFlags = {
    select: select.length ? select : undefined,
    extendSelect: extendSelect.length ? extendSelect : undefined,
    ignore: ignore.length ? ignore : undefined,
    unsafeFixes: v["unsafe-fixes"] ? true : v["no-unsafe-fixes"] ? false : undefined,
  };
  const configs = new ConfigResolver({ configFile: v.config, noConfig: v["no-config"], cwd: io.cwd });
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

  const mode: Mode = { diff: !!v.diff, write, check: !!v.check, exitZero: !!v["exit-zero"], output };
  const format = v.reformat || v.format ? await loadFormatter(io, errStyle) : null;

  if (v["stdin-filepath"] !== undefined) {
    let settings: Settings;
    try {
      settings = await settingsOf(resolve(io.cwd, v["stdin-filepath"]));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      io.stderr(`${errStyle.error("error")}: ${e.message}\n`);
      return 2;
    }
    return runStdin(v["stdin-filepath"], fixOptions(settings), format, io, errStyle, mode);
  }

  const started = performance.now();
  const paths = parsed.positionals.length ? parsed.positionals : ["."];
  const found = await discover(paths, io.cwd, { assumeDockerfile: v["assume-dockerfile"], env: io.env });
  const quiet = !!v.quiet;
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
  let configError = false;
  for (const [i, target] of found.targets.entries()) {
    progress(i, target.display);
    let settings: Settings;
    try {
      settings = await settingsOf(target.real);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (!configError) io.stderr(`${errStyle.error("error")}: ${e.message}\n`);
      configError = true;
      files.push({ path: target.display, error: { line: 1, column: 1, message: e.message } });
      continue;
    }
    // `exclude` skips what directory search and globs find; a file named on the command line is still read
    if (settings.excluded && target.searched) continue;
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
  else if (output === "sarif") io.stdout(renderSarif(run, { cwd: io.cwd, version: version(), showAllFiles }));
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
      `${s.errors} error${s.errors === 1 ? "" : "s"}`,
      `${run.seconds.toFixed(2)}s`,
    ];
    // ruff's closing lines (Found N findings, what --fix and --unsafe-fixes would fix), then the run's counts
    for (const line of textSummary(run, { hasFormatter: format !== null })) io.stderr(`${line}\n`);
    io.stderr(`${errStyle.dim(parts.join("; "))}\n`);
  }
  if (usageError || s.errors > 0 || notDockerfiles.length > 0) return 2;
  return findingsExit(mode, s.changed > 0, s.unfixed > 0, mode.write);
}

/** --show-config: the settings in effect for one file, and where they come from. */
function showConfig(name: string, settings: Settings, json: boolean): string {
  const selected = selectedRules(fixOptions(settings)).map((r) => r.id);
  const view = {
    file: name,
    configuration: settings.configPath,
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
    `  rules: ${selected.join(", ") || "none"}`,
    `  ignored: ${view.ignored.join(", ") || "none"}`,
    ...settings.perFileIgnored.map((p) => `  per-file ignore ${JSON.stringify(p.glob)}: ${p.rules.join(", ")}`),
    `  unsafe fixes: ${settings.unsafeFixes ? "applied" : "not applied"}`,
    `  excluded: ${settings.excluded ? `yes, by ${JSON.stringify(settings.excluded)} (directory search and globs skip it)` : "no"}`,
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

async function runStdin(name: string, options: FixOptions, format: Formatter | null, io: Io, style: Style, mode: Mode): Promise<number> {
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
  if (mode.output === "json") io.stdout(renderJson(run, { showAllFiles: true, timing: false, output }));
  else if (mode.output === "github") io.stdout(renderGithub(run));
  else if (mode.output === "sarif") io.stdout(renderSarif(run, { cwd: io.cwd, version: version(), showAllFiles: true }));
  else if (mode.diff) io.stdout(changed ? await unifiedDiff(name, input, output) : "");
  else if (!mode.check) io.stdout(output);
  if (mode.output === "text") {
    for (const w of result.warnings) io.stderr(`${style.path(name)}:${w.line}:1: ${style.warn("warning")}: ${w.message}\n`);
    for (const v of findingViews(run.files[0]!)) io.stderr(`${textLine(name, v, style)}\n`);
  }
  // without --check, --diff or a report format the result is written (to stdout)
  return findingsExit(mode, changed, result.remaining.length > 0, !mode.check && !mode.diff && mode.output === "text");
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
