/**
 * `dockerfile-codemod [paths or globs ...]`: reports, diffs, checks or
 * writes the rules' fixes, eslint/ruff style. Exit codes: 0 nothing to do or
 * all written; 1 changes found (report or --check); 2 usage error, or a file
 * that could not be read, parsed or written (the others are still processed).
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { DockerfileSyntaxError } from "../model/scan.js";
import { initShell, shellReady } from "../shell/bash.js";
import { fixSync, type FixOptions, type FixResult } from "../codemod/fix.js";
import { RULES, ruleById } from "../rules/index.js";
import type { Rule } from "../rules/types.js";
import { discover, readText, writeAtomic, type Target } from "./files.js";
import { createStyle, type Style } from "./style.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const HELP = `Usage: dockerfile-codemod [options] [paths or globs ...]

Finds Dockerfiles (Dockerfile, Containerfile, *.dockerfile, *.containerfile,
Dockerfile.*, Containerfile.*, any case) under the paths given (default: .),
skipping .git, node_modules and what .gitignore excludes, and reports what
each rule would change.

Modes:
  (default)              report findings, one per line: path:line:col  rule  message
  --diff                 print unified diffs of what would change
  --check                change nothing; exit 1 if anything would change
  --write                apply the fixes
  --json                 print a machine-readable report
  --stdin-filepath NAME  read a Dockerfile from stdin, write the result to stdout

Options:
  --select RULE[,RULE]   only these rules
  --ignore RULE[,RULE]   not these rules
  --unsafe-fixes         also apply fixes marked unsafe
  --format               also run the formatter on the result
  --list-rules           list the rules
  --explain RULE         print a rule's documentation
  -h, --help             this help
  --version              the version

Exit codes: 0 nothing to change or all written; 1 changes found (report, --check);
2 usage error, or a file that could not be read, parsed or written.
Suppress a rule for one instruction with a comment on the line before it:
  # dockerfile-codemod ignore=RULE[,RULE]`;

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

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        diff: { type: "boolean" },
        write: { type: "boolean" },
        check: { type: "boolean" },
        json: { type: "boolean" },
        select: { type: "string", multiple: true },
        ignore: { type: "string", multiple: true },
        "unsafe-fixes": { type: "boolean" },
        format: { type: "boolean" },
        "stdin-filepath": { type: "string" },
        "list-rules": { type: "boolean" },
        explain: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (e) {
    io.stderr(`dockerfile-codemod: ${(e as Error).message}\nRun 'dockerfile-codemod --help' for usage.\n`);
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
  const select = splitList(v.select);
  const ignore = splitList(v.ignore);
  for (const id of [...select, ...ignore]) {
    if (!ruleById(id)) {
      io.stderr(`dockerfile-codemod: unknown rule '${id}' (known: ${RULES.map((r) => r.id).join(", ")})\n`);
      return 2;
    }
  }
  const options: FixOptions = { select: select.length ? select : undefined, ignore, unsafeFixes: v["unsafe-fixes"] };
  const format = v.format ? await loadFormatter() : null;

  if (v["stdin-filepath"] !== undefined) {
    return runStdin(v["stdin-filepath"], options, format, io, style, { check: !!v.check, diff: !!v.diff, json: !!v.json });
  }

  const started = performance.now();
  const paths = parsed.positionals.length ? parsed.positionals : ["."];
  const found = await discover(paths, io.cwd);
  let usageError = false;
  for (const m of found.missing) {
    io.stderr(`${style.error("error")}: ${m}: no such file, directory or matching glob\n`);
    usageError = true;
  }
  for (const w of found.warnings) io.stderr(`${style.warn("warning")}: ${w}\n`);

  const progress = createProgress(io, found.targets.length);
  const outcomes: FileOutcome[] = [];
  for (const [i, target] of found.targets.entries()) {
    progress(i, target.display);
    outcomes.push(await processFile(target, options, format, !!v.write));
  }
  progress(found.targets.length, "");

  // Output
  const diffs: string[] = [];
  let changes = 0;
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
    for (const f of r.fixes) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
    if (v.json) continue;
    if (v.diff) {
      if (fileChanged) diffs.push(await unifiedDiff(o.path, o.input!, o.output!));
      continue;
    }
    const at = (f: { line: number; column: number; rule: string }) => `${style.path(o.path)}:${f.line}:${f.column}  ${style.rule(f.rule)}  `;
    if (!v.write) {
      for (const f of r.fixes) io.stdout(`${at(f)}${f.message}${f.safety === "unsafe" ? " [unsafe fix]" : ""}\n`);
      if (fileChanged && format && r.fixes.length === 0) io.stdout(`${at({ line: 1, column: 1, rule: "format" })}the file is not formatted\n`);
    }
    for (const f of r.remaining) {
      io.stdout(`${at(f)}${f.message}${f.reason === "unsafe" ? " (apply with --unsafe-fixes)" : ""}\n`);
    }
  }
  if (v.diff) io.stdout(diffs.join(""));
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (v.json) {
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
          summary: { scanned: outcomes.length, changed: changes, errors, fixesPerRule: Object.fromEntries(perRule), seconds: Number(seconds) },
        },
        null,
        2,
      )}\n`,
    );
  }
  const verb = v.write ? "changed" : "would change";
  const ruleSummary = [...perRule].map(([r, n]) => `${r} ${n}`).join(", ") || "none";
  if (!v.json) {
    io.stderr(
      `${style.dim(`${outcomes.length} file${outcomes.length === 1 ? "" : "s"} scanned, ${changes} ${verb}; fixes: ${ruleSummary}; ${errors} error${errors === 1 ? "" : "s"}; ${seconds}s`)}\n`,
    );
  }
  if (errors > 0) return 2;
  if (changes > 0 && !v.write) return 1;
  return 0;
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

type Formatter = (text: string) => string;

/** The formatter, loaded only when --format asks for it. */
async function loadFormatter(): Promise<Formatter> {
  const { formatText } = await import("../format/format.js");
  return (text) => {
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    const body = bom ? text.slice(1) : text;
    const crlf = /\r\n/.test(body) && !/(^|[^\r])\n/.test(body);
    const out = formatText(body);
    return bom + (crlf ? out.replace(/\n/g, "\r\n") : out);
  };
}

async function processFile(target: Target, options: FixOptions, format: Formatter | null, write: boolean): Promise<FileOutcome> {
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
    output = format ? format(result.output) : result.output;
  } catch (e) {
    if (e instanceof DockerfileSyntaxError) return { path: target.display, error: `${e.line}:${e.column}: ${e.message}` };
    return { path: target.display, error: `1:1: ${(e as Error).message}` };
  }
  const outcome: FileOutcome = { path: target.display, result, output, input };
  if (write && output !== input) {
    if (target.readOnlyReason) return { path: target.display, error: `1:1: ${target.readOnlyReason}` };
    try {
      await writeAtomic(target.real, output);
      outcome.written = true;
    } catch (e) {
      return { path: target.display, error: `1:1: cannot write: ${(e as Error).message}` };
    }
  }
  return outcome;
}

async function runStdin(
  name: string,
  options: FixOptions,
  format: Formatter | null,
  io: Io,
  style: Style,
  mode: { check: boolean; diff: boolean; json: boolean },
): Promise<number> {
  const input = await io.readStdin();
  let result: FixResult;
  let output: string;
  try {
    result = await fixLazily(input, options);
    output = format ? format(result.output) : result.output;
  } catch (e) {
    const where = e instanceof DockerfileSyntaxError ? `${e.line}:${e.column}` : "1:1";
    io.stderr(`${style.path(name)}:${where}: ${(e as Error).message}\n`);
    return 2;
  }
  if (mode.json) io.stdout(`${JSON.stringify({ path: name, changed: output !== input, fixes: result.fixes, remaining: result.remaining, output }, null, 2)}\n`);
  else if (mode.diff) io.stdout(output === input ? "" : await unifiedDiff(name, input, output));
  else if (!mode.check) io.stdout(output);
  for (const f of [...result.fixes, ...result.remaining]) {
    io.stderr(`${style.path(name)}:${f.line}:${f.column}  ${style.rule(f.rule)}  ${f.message}\n`);
  }
  return mode.check && output !== input ? 1 : 0;
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
