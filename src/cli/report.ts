/**
 * What a run found, in the formats CI systems read: text (one line per
 * finding, eslint/ruff style), JSON (versioned, deterministic), GitHub
 * Actions workflow commands (annotations on pull requests), SARIF 2.1.0 (for
 * GitHub code scanning), and a table of counts per rule.
 *
 * Positions are 1-based lines and columns of the input file; columns and
 * offsets count UTF-16 code units (SARIF's default `columnKind`), so a
 * non-BMP character counts two.
 */
import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Sarif from "sarif";
import { linePositions, type AppliedFix, type FixResult, type ReportedFinding } from "../codemod/fix.js";
import { RULES, ruleById } from "../rules/index.js";
import type { Style } from "./style.js";

export const JSON_SCHEMA_VERSION = 1;

export interface Position {
  line: number;
  column: number;
}

/** One file of a run. */
export interface FileResult {
  /** As shown to the user (relative to the working directory, as found). */
  path: string;
  input?: string;
  output?: string;
  result?: FixResult;
  /** Could not be read, parsed or written. */
  error?: Position & { message: string };
  /** Not a text file (directory search): skipped with a warning. */
  skipped?: string;
  written?: boolean;
}

export interface RunResult {
  files: FileResult[];
  /** Files named that are not Dockerfile names (skipped). */
  notDockerfiles: string[];
  write: boolean;
  seconds: number;
}

/** A finding as the reports show it: fixed (or fixable), or left with the reason. */
export interface FindingView {
  rule: string;
  message: string;
  safety: "safe" | "unsafe" | null;
  /** The token the finding is about, in the input file: start, and end (exclusive). */
  start: Position;
  end: Position;
  /** Fixed in this run's output (written with --write): what `--fix` applies with this run's options (the `[*]` mark). */
  fixed: boolean;
  /** Why it is not fixed: no fix, an unsafe fix not asked for, a fix the meaning check refused. */
  reason: ReportedFinding["reason"] | null;
  fix: {
    description: string;
    /** Replacements of the input file's text (positions of the input). */
    edits: { start: Position; end: Position; text: string }[];
    /** The findings (indices into the same file's list) whose fixes these edits need first: empty when they apply alone to the input. */
    dependsOn: number[];
  } | null;
}

/** Line and column (1-based, UTF-16 units) of offsets in a text (after any byte-order mark). */
export const positions: (text: string) => (offset: number) => Position = linePositions;

export function findingViews(file: FileResult): FindingView[] {
  const r = file.result;
  if (!r || file.input === undefined) return [];
  const at = positions(file.input);
  const edits = (es: AppliedFix["edits"]) => es.map((e) => ({ start: at(e.start), end: at(e.end), text: e.text }));
  // dependsOn names applied fixes (indices into r.fixes) until the views are sorted
  const fixed = (f: AppliedFix): FindingView => ({
    rule: f.rule,
    message: f.message,
    safety: f.safety,
    start: at(f.span.start),
    end: at(f.span.end),
    fixed: true,
    reason: null,
    fix: { description: f.description, edits: edits(f.edits), dependsOn: f.dependsOn },
  });
  const left = (f: ReportedFinding): FindingView => ({
    rule: f.rule,
    message: f.message,
    safety: f.fix?.safety ?? null,
    start: at(f.span.start),
    end: at(f.span.end),
    fixed: false,
    reason: f.reason,
    fix: f.fix ? { description: f.fix.description, edits: edits(f.fix.edits), dependsOn: f.fix.dependsOn } : null,
  });
  const applied = r.fixes.map(fixed);
  const views = [...applied, ...r.remaining.map(left)].sort(
    (a, b) => a.start.line - b.start.line || a.start.column - b.start.column || a.rule.localeCompare(b.rule),
  );
  const indexOf = new Map(views.map((v, i) => [v, i]));
  for (const v of views) if (v.fix) v.fix.dependsOn = v.fix.dependsOn.map((k) => indexOf.get(applied[k]!)!);
  return views;
}

const hasSomething = (f: FileResult) =>
  !!f.error || !!f.skipped || f.output !== f.input || (f.result?.remaining.length ?? 0) > 0 || (f.result?.warnings.length ?? 0) > 0;

/** Counts for the summary line, the JSON summary and the exit code. */
export function summarize(run: RunResult) {
  const perRule = new Map<string, number>();
  let changed = 0;
  let unfixed = 0;
  let errors = 0;
  for (const f of run.files) {
    if (f.error) errors++;
    if (!f.result) continue;
    if (f.output !== f.input) changed++;
    unfixed += f.result.remaining.length;
    for (const x of f.result.fixes) perRule.set(x.rule, (perRule.get(x.rule) ?? 0) + 1);
  }
  return { scanned: run.files.length, changed, unfixed, errors, notDockerfiles: run.notDockerfiles.length, fixesPerRule: Object.fromEntries(perRule) };
}

/** The versioned JSON report: the same run gives the same bytes (no timings unless asked). */
export function renderJson(run: RunResult, options: { showAllFiles: boolean; timing: boolean; output?: string }): string {
  const files = run.files
    .filter((f) => options.showAllFiles || hasSomething(f))
    .map((f) => ({
      path: f.path,
      changed: !f.error && !f.skipped && f.output !== f.input,
      written: !!f.written,
      error: f.error ?? null,
      skipped: f.skipped ?? null,
      warnings: f.result?.warnings ?? [],
      findings: findingViews(f).map((v) => ({
        rule: v.rule,
        message: v.message,
        safety: v.safety,
        start: v.start,
        end: v.end,
        fixable: v.fixed,
        fixed: v.fixed,
        applied: v.fixed && run.write && !!f.written,
        reason: v.reason,
        fix: v.fix,
      })),
    }));
  const report = {
    schemaVersion: JSON_SCHEMA_VERSION,
    files,
    notDockerfiles: run.notDockerfiles,
    summary: { ...summarize(run), ...(options.timing ? { seconds: run.seconds } : {}) },
    // --stdin-filepath: the fixed text
    ...(options.output !== undefined ? { output: options.output } : {}),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** GitHub Actions workflow command escaping (actions/toolkit's escapeData / escapeProperty). */
const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** Whether and how a finding left in the report can be fixed, in a few words. */
function fixState(v: FindingView): string {
  if (v.fixed) return "fixable";
  if (v.reason === "unsafe") return "unsafe fix available with --unsafe-fixes";
  if (v.reason === "meaning-check") return "fix refused";
  if (v.reason === "round-limit") return "fix not applied: rounds of fixes ran out";
  return "no automatic fix";
}

/**
 * How much a finding asks of a person, as SARIF's level (GitLab's severity
 * follows it): "note" for what --fix makes by itself (a safe fix, nothing to
 * decide); "warning" for the rest: an unsafe fix to review (even one applied
 * with --unsafe-fixes), a fix the meaning check refused or the rounds did not
 * reach, a finding with no fix (a report-only rule).
 */
export function findingLevel(v: Pick<FindingView, "fixed" | "safety">): "note" | "warning" {
  return v.fixed && v.safety === "safe" ? "note" : "warning";
}

/** A file's path relative to the working directory, with forward slashes (absolute where it cannot be relative: another drive). */
function relativePath(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return isAbsolute(rel) ? rel : rel.split(sep).join("/");
}

/** One `::warning` (a finding) or `::error` (a file that could not be read, parsed or written) per line. */
export function renderGithub(run: RunResult): string {
  const out: string[] = [];
  for (const f of run.files) {
    const file = f.path.split(sep).join("/");
    if (f.error) {
      out.push(`::error file=${escapeProperty(file)},line=${f.error.line},col=${f.error.column},title=dockerfile-codemod::${escapeData(f.error.message)}`);
      continue;
    }
    for (const w of f.result?.warnings ?? []) {
      out.push(`::notice file=${escapeProperty(file)},line=${w.line},title=dockerfile-codemod suppression::${escapeData(w.message)}`);
    }
    for (const v of findingViews(f)) {
      if (v.fixed && run.write) continue; // written: nothing left to annotate
      const state = fixState(v);
      const props = [
        `file=${escapeProperty(file)}`,
        `line=${v.start.line}`,
        `col=${v.start.column}`,
        `endLine=${v.end.line}`,
        `endColumn=${v.end.column}`,
        `title=${escapeProperty(`dockerfile-codemod ${v.rule} (${state})`)}`,
      ];
      out.push(`::warning ${props.join(",")}::${escapeData(v.message)}`);
    }
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

/**
 * A file as a SARIF artifactLocation: a relative URI reference against
 * SRCROOT (the working directory), each path segment percent-encoded (a
 * blank, `%`, `:`, `#`, `?` and non-ASCII characters), so that `2. Docker/a b%.dockerfile`
 * is `2.%20Docker/a%20b%25.dockerfile`; a file that has no relative path
 * (another drive) is a file: URI.
 */
export function artifactLocation(cwd: string, path: string): Sarif.ArtifactLocation {
  const rel = relativePath(cwd, path);
  if (isAbsolute(rel)) return { uri: pathToFileURL(rel).href };
  return { uri: rel.split("/").map(encodeURIComponent).join("/"), uriBaseId: "SRCROOT" };
}

/** Where a rule's documentation is: its page in the repository, at the tag of this version (v0.1.0), so the link does not move. */
export function ruleHelpUri(homepage: string, version: string, rule: string): string {
  return `${homepage}/blob/v${version}/docs/rules/${rule}.md`;
}

/** SARIF 2.1.0: one run, the rules as the driver's reportingDescriptors, findings as results with their fixes. */
export function renderSarif(run: RunResult, options: { cwd: string; version: string; homepage: string; showAllFiles: boolean }): string {
  const rules = RULES.map((r) => r.id);
  const location = (path: string, start: Position, end?: Position): Sarif.Location => ({
    physicalLocation: {
      artifactLocation: artifactLocation(options.cwd, path),
      region: { startLine: start.line, startColumn: start.column, ...(end ? { endLine: end.line, endColumn: end.column } : {}) },
    },
  });
  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  const artifacts: Sarif.Artifact[] = [];
  for (const f of run.files) {
    if (options.showAllFiles || hasSomething(f)) artifacts.push({ location: artifactLocation(options.cwd, f.path) });
    if (f.error) {
      notifications.push({ level: "error", message: { text: f.error.message }, locations: [location(f.path, f.error)] });
      continue;
    }
    for (const w of f.result?.warnings ?? []) {
      notifications.push({ level: "warning", message: { text: w.message }, locations: [location(f.path, { line: w.line, column: 1 })] });
    }
    const views = findingViews(f);
    // a fix's dependencies, as indices into `results` (with --write the applied ones are not results)
    const resultIndex = new Map<number, number>();
    let next = results.length;
    views.forEach((v, i) => {
      if (!(v.fixed && run.write)) resultIndex.set(i, next++);
    });
    for (const v of views) {
      if (v.fixed && run.write) continue;
      const result: Sarif.Result = {
        ruleId: v.rule,
        ruleIndex: rules.indexOf(v.rule),
        level: findingLevel(v),
        message: { text: v.message },
        locations: [location(f.path, v.start, v.end)],
        properties: { fixable: v.fixed, safety: v.safety, reason: v.reason },
      };
      if (v.fix) {
        const dependsOn = v.fix.dependsOn.flatMap((i) => (resultIndex.has(i) ? [resultIndex.get(i)!] : []));
        result.fixes = [
          {
            description: { text: v.fix.description },
            ...(dependsOn.length ? { properties: { dependsOn } } : {}),
            artifactChanges: [
              {
                artifactLocation: artifactLocation(options.cwd, f.path),
                replacements: v.fix.edits.map((e) => ({
                  deletedRegion: { startLine: e.start.line, startColumn: e.start.column, endLine: e.end.line, endColumn: e.end.column },
                  insertedContent: { text: e.text },
                })),
              },
            ],
          },
        ];
      }
      results.push(result);
    }
  }
  const log: Sarif.Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "dockerfile-codemod",
            version: options.version,
            informationUri: options.homepage,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.summary },
              fullDescription: { text: r.docs.whatItDoes },
              helpUri: ruleHelpUri(options.homepage, options.version, r.id),
              help: { text: `${r.docs.why}\n\nFix safety: ${r.docs.fixSafety}` },
              // a finding's level: what its usual fix asks of a person (findingLevel)
              defaultConfiguration: { level: findingLevel({ fixed: r.safety === "safe", safety: r.safety === "none" ? null : r.safety }) },
              properties: { fixSafety: r.safety, buildkit: r.buildkit, hadolint: r.hadolint, tags: [...r.buildkit, ...r.hadolint] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(options.cwd.endsWith(sep) ? options.cwd : `${options.cwd}${sep}`).href } },
        columnKind: "utf16CodeUnits",
        artifacts,
        results,
        invocations: [{ executionSuccessful: !notifications.some((n) => n.level === "error"), toolExecutionNotifications: notifications }],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * GitLab's code quality report (a subset of the Code Climate issue format,
 * as GitLab documents it): an array of issues, each with a description, the
 * rule as check_name, a fingerprint, a severity and the path (relative to
 * the working directory, the repository root in a CI job) and first line.
 *
 * The fingerprint is stable across runs and across edits elsewhere in the
 * file: it hashes the path, the rule and the text of the finding's first
 * line (not its number), and, for findings alike in these, their order;
 * so GitLab sees a finding as the same one when lines above it move.
 */
export function renderGitlab(run: RunResult, options: { cwd: string }): string {
  const issues: object[] = [];
  const issue = (path: string, checkName: string, description: string, severity: string, line: number, text: string, seen: Map<string, number>) => {
    const key = JSON.stringify([path, checkName, text.trim()]);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const fingerprint = createHash("sha256").update(`${key}\0${n}`).digest("hex");
    issues.push({ description, check_name: checkName, fingerprint, severity, location: { path, lines: { begin: line } } });
  };
  for (const f of run.files) {
    const path = relativePath(options.cwd, f.path);
    const lines = (f.input ?? "").split("\n");
    const seen = new Map<string, number>();
    if (f.error) {
      issue(path, "dockerfile-codemod/error", f.error.message, "critical", f.error.line, lines[f.error.line - 1] ?? "", seen);
      continue;
    }
    for (const v of findingViews(f)) {
      if (v.fixed && run.write) continue; // written: nothing left to report
      const severity = findingLevel(v) === "note" ? "minor" : "major";
      issue(path, v.rule, `${v.message} (${v.rule}: ${fixState(v)})`, severity, v.start.line, lines[v.start.line - 1] ?? "", seen);
    }
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}

/**
 * ruff's --statistics: per rule, how many findings and a mark for how many
 * `--fix` applies with this run's options: `[*]` all of them, `[-]` some
 * (ruff 0.14 writes `[~]`), `[ ]` none (no fix, an unsafe fix without
 * --unsafe-fixes, or a fix the meaning check refused).
 */
export function renderStatistics(run: RunResult, style: Style): string {
  const counts = new Map<string, { total: number; fixable: number }>();
  for (const f of run.files) {
    for (const v of findingViews(f)) {
      const c = counts.get(v.rule) ?? { total: 0, fixable: 0 };
      c.total++;
      if (v.fixed) c.fixable++;
      counts.set(v.rule, c);
    }
  }
  const rows = [...counts].sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]));
  const width = Math.max(1, ...rows.map(([, c]) => String(c.total).length));
  return rows
    .map(([rule, c]) => {
      const mark = c.fixable === c.total ? FIXABLE_MARK : c.fixable > 0 ? "[-]" : "[ ]";
      return `${String(c.total).padStart(width)}  ${style.fixable(mark)} ${style.rule(rule)}  ${ruleById(rule)?.summary ?? ""}`;
    })
    .join("\n")
    .concat(rows.length ? "\n" : "");
}

/** ruff's mark for a finding whose fix `--fix` applies (with this run's options). */
export const FIXABLE_MARK = "[*]";

/**
 * One finding as the text report prints it, ruff's way, which problem
 * matchers (`%f:%l:%c: %m`) read: `path:line:col: rule [*] message`. `[*]`:
 * `--fix` applies its fix (with this run's options; an unsafe one, applied
 * under --unsafe-fixes, says `[unsafe fix]` after the message); no mark:
 * nothing `--fix` applies, an unsafe fix saying `(apply with --unsafe-fixes)`.
 */
export function textLine(path: string, v: Pick<FindingView, "start" | "rule" | "message" | "fixed" | "safety" | "reason">, style: Style): string {
  const mark = v.fixed ? ` ${style.fixable(FIXABLE_MARK)}` : "";
  const suffix = v.fixed ? (v.safety === "unsafe" ? " [unsafe fix]" : "") : v.reason === "unsafe" ? " (apply with --unsafe-fixes)" : "";
  return `${style.path(path)}:${v.start.line}:${v.start.column}: ${style.rule(v.rule)}${mark} ${v.message}${suffix}`;
}

/** The pseudo-finding of a file that only formatting changes (--reformat). */
const notFormatted = { start: { line: 1, column: 1 }, rule: "format", message: "the file is not formatted", fixed: true, safety: "safe", reason: null } as const;

const isOnlyFormatted = (f: FileResult, hasFormatter: boolean) => hasFormatter && !!f.result && f.output !== f.input && f.result.fixes.length === 0;

/** The text report: one line per finding (see textLine); with --write, the files written, one per line, as prettier --write names them. */
export function renderText(run: RunResult, style: Style, options: { hasFormatter: boolean }): string {
  const out: string[] = [];
  for (const f of run.files) {
    if (!f.result) continue;
    // as prettier --write does: the files changed, one per line
    if (run.write && f.written) out.push(f.path);
    for (const v of findingViews(f)) {
      if (v.fixed && run.write) continue;
      out.push(textLine(f.path, v, style));
    }
    if (!run.write && isOnlyFormatted(f, options.hasFormatter)) out.push(textLine(f.path, notFormatted, style));
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/**
 * ruff's closing lines, in its words adapted: `Found N findings.`, then
 * `[*] M fixable with the `--fix` option.` and the unsafe fixes not applied
 * (`(K hidden fixes can be enabled with the `--unsafe-fixes` option.)`);
 * after --write (--fix): `Found N findings (F fixed, R remaining).`
 * A file that only formatting changes (--reformat) counts as one fixable finding.
 */
export function textSummary(run: RunResult, options: { hasFormatter: boolean }): string[] {
  let total = 0;
  let fixable = 0;
  let hidden = 0;
  for (const f of run.files) {
    for (const v of findingViews(f)) {
      total++;
      if (v.fixed) fixable++;
      else if (v.reason === "unsafe") hidden++;
    }
    if (isOnlyFormatted(f, options.hasFormatter)) {
      total++;
      fixable++;
    }
  }
  const hiddenText = `${plural(hidden, "hidden fix", "hidden fixes")} can be enabled with the \`--unsafe-fixes\` option`;
  if (total === 0) return ["All checks passed!"];
  if (run.write) {
    return [`Found ${plural(total, "finding")} (${fixable} fixed, ${total - fixable} remaining).`, ...(hidden ? [`(${hiddenText}.)`] : [])];
  }
  const lines = [`Found ${plural(total, "finding")}.`];
  if (fixable) lines.push(`${FIXABLE_MARK} ${fixable} fixable with the \`--fix\` option${hidden ? ` (${hiddenText})` : ""}.`);
  else if (hidden) lines.push(`No fixes available (${hiddenText}).`);
  return lines;
}
