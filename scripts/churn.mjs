#!/usr/bin/env node
/**
 * `npm run churn`: how much of a real Dockerfile the formatter changes, the
 * figure that decides whether a maintainer accepts its diff. Formats every
 * corpus file outside conformance/ through the real Prettier API with the
 * built plugin (dist/plugin/index.js: run `npm run build` first) under each
 * preset below, and counts with a line diff (the `diff` package) the share
 * of the input's lines that are removed or changed. Prints markdown tables:
 * per repository and in total, for the defaults (no configuration: each
 * file's own style, src/format/detect-style.ts) and for each house-style
 * preset, and dprint's churn beside them (its CLI with @dprint/dockerfile,
 * a devDependency); the same figures for the files written consistently in
 * each house style (classified from the input's continuation lines: see
 * `classify`); the best preset per file; and the style the files show as the
 * formatter reads it (detectStyle), per repository, with the totals weighted
 * per repository (the figures behind the fallback, docs/style.md).
 *
 *   node scripts/churn.mjs [--worst N] [--class NAME] [--preset NAME] [--show FILE] [--only PRESET] [--no-dprint]
 *   CHURN_DIST=<dir> node scripts/churn.mjs --only defaults --no-dprint
 *
 * --worst N lists the N files (of --class, default all) that change most
 * under --preset (default: the class's own preset); --show FILE prints the
 * diff of one corpus file under --preset.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as prettier from "prettier";
import { diffLines, createTwoFilesPatch } from "diff";

const root = fileURLToPath(new URL("..", import.meta.url));
export const CORPUS = join(root, "..", "shared", "corpus");
/** CHURN_DIST=<dir> measures another build (say, the branch's starting point built elsewhere). */
const DIST = process.env.CHURN_DIST ?? join(root, "dist");
const PLUGIN = join(DIST, "plugin/index.js");

/**
 * The presets compared: the defaults (no configuration) and one per house
 * style, each pinning both options. "best" is, per file, the least change
 * among the presets marked `best`: what a project gets by choosing the
 * preset that fits its files.
 */
export const PRESETS = [
  { name: "defaults", options: {}, best: true },
  { name: "tabs, line end", options: { dockerfileIndent: "tab", dockerfileOperatorPosition: "end" }, best: true },
  { name: "4 spaces, line start", options: { dockerfileIndent: "4", dockerfileOperatorPosition: "start" }, best: true },
  { name: "4 spaces, line end", options: { dockerfileIndent: "4", dockerfileOperatorPosition: "end" }, best: true },
  { name: "2 spaces, line end", options: { dockerfileIndent: "2", dockerfileOperatorPosition: "end" }, best: true },
];

/**
 * The house styles a file may be written in, each with the preset meant for
 * it. A file is written consistently in a style when, over the continuation
 * lines of its instructions (the lines after a line ending in `\`, comment
 * and empty lines left out):
 * - every break at a `&&`, `||` or `;` puts the operator where the style
 *   says (at the end of the line before the `\`, or at the start of the
 *   next line) and at least one does (a `;` alone on its line is neither);
 * - every indented continuation line is indented the way the style says
 *   (tabs only; or spaces, a multiple of four) and at least one is.
 */
export const CLASSES = [
  { name: "docker-library (line end, tabs)", operators: "end", indent: "tabs", preset: "tabs, line end" },
  { name: "Docker documentation (line start, 4 spaces)", operators: "start", indent: "spaces4", preset: "4 spaces, line start" },
  { name: "line end, 4 spaces", operators: "end", indent: "spaces4", preset: "4 spaces, line end" },
  { name: "line end, 2 spaces", operators: "end", indent: "spaces2", preset: "2 spaces, line end" },
];

/** Counts of operator positions and continuation indents in a Dockerfile's text. */
export function classify(text) {
  const counts = { end: 0, start: 0, tabs: 0, spaces4: 0, spaces2: 0, otherIndent: 0 };
  let continued = false;
  for (const raw of text.replace(/\r\n/g, "\n").split("\n")) {
    const line = raw.replace(/[ \t]+$/, "");
    const trimmed = line.trimStart();
    if (continued && (trimmed === "" || trimmed.startsWith("#"))) continue;
    if (continued) {
      const indent = line.slice(0, line.length - trimmed.length);
      if (indent !== "") {
        if (/^\t+$/.test(indent)) counts.tabs++;
        else if (/^ +$/.test(indent) && indent.length % 4 === 0) counts.spaces4++;
        else if (/^ +$/.test(indent) && indent.length % 2 === 0) counts.spaces2++;
        else counts.otherIndent++;
      }
      if (/^(&&|\|\|)/.test(trimmed) || /^;[ \t]*[^ \t\\]/.test(trimmed)) counts.start++;
    }
    continued = line.endsWith("\\");
    if (continued && /[^ \t;&|](?:[ \t]*)(&&|\|\||;)[ \t]*\\$/.test(line)) counts.end++;
  }
  return counts;
}

/** The class a file is consistently written in, or null. */
export function classOf(counts) {
  const operatorsOk = (where) => counts[where] > 0 && counts[where === "end" ? "start" : "end"] === 0;
  const indentOk = (kind) => counts[kind] > 0 && INDENTS.every((k) => k === kind || counts[k] === 0);
  return CLASSES.find((c) => operatorsOk(c.operators) && indentOk(c.indent)) ?? null;
}

const INDENTS = ["tabs", "spaces4", "spaces2", "otherIndent"];
/** Whether a file's continuation lines of indent kind `k` outnumber those of each other kind. */
const most = (counts, k) => INDENTS.every((o) => o === k || counts[k] > counts[o]);
const mostlyTabs = (counts) => most(counts, "tabs");

/**
 * Lines of `before` that a line diff removes or changes. Line endings are
 * left out: Prettier's endOfLine decides them (`auto` keeps a CRLF file
 * CRLF), not the layout.
 */
export function changedLines(before, after) {
  let removed = 0;
  for (const part of diffLines(before.replace(/\r\n/g, "\n"), after.replace(/\r\n/g, "\n"))) if (part.removed) removed += part.count;
  return removed;
}

export function lineCount(text) {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** The corpus's Dockerfiles, as paths relative to it: outside conformance/ (BuildKit's parser tests), unless `conformance` is set. */
export function corpusFiles({ conformance = false } = {}) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) {
        if (entry !== "_licenses" && (conformance || entry !== "conformance")) walk(p);
      } else if (!entry.endsWith("__result") && entry !== "SOURCES.md" && entry !== "MANIFEST.tsv") out.push(relative(CORPUS, p));
    }
  };
  walk(CORPUS);
  return out;
}

const pct = (n, d) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(1)}%`);

/** The repository of each corpus file (MANIFEST.tsv). */
function repositories() {
  const map = new Map();
  for (const line of readFileSync(join(CORPUS, "MANIFEST.tsv"), "utf8").trim().split("\n").slice(1)) {
    const [file, repo] = line.split("\t");
    map.set(file, repo);
  }
  return map;
}

/**
 * dprint's output for each file (null where it fails): the corpus files copied
 * flat into a temporary directory and formatted by its CLI with the
 * @dprint/dockerfile plugin (the local .wasm, no network), default settings.
 */
export function dprintOutputs(corpus, files) {
  const bin = join(root, "node_modules/.bin/dprint");
  if (!existsSync(bin)) return null;
  const require = createRequire(import.meta.url);
  const work = mkdtempSync(join(tmpdir(), "churn-dprint-"));
  try {
    const names = files.map((f, i) => `${String(i).padStart(5, "0")}.dockerfile`);
    files.forEach((f, i) => copyFileSync(join(corpus, f), join(work, names[i])));
    const config = join(work, "dprint.json");
    writeFileSync(config, JSON.stringify({ plugins: [require.resolve("@dprint/dockerfile/plugin.wasm")], includes: ["**/*.dockerfile"], incremental: false }));
    spawnSync(bin, ["fmt", "--config", config], { cwd: work, encoding: "utf8", maxBuffer: 2 ** 26, env: { ...process.env, DPRINT_CACHE_DIR: join(work, ".cache") } });
    const out = new Map();
    files.forEach((f, i) => out.set(f, readFileSync(join(work, names[i]), "utf8")));
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Per repository and in total: share of lines changed (files changed) under each column. */
export function churnTable(rows, columns, repoOf) {
  const cells = (subset) => {
    const lines = subset.reduce((s, r) => s + r.lines, 0);
    return columns.map((c) => {
      const changed = subset.reduce((s, r) => s + r.changed[c], 0);
      return `${pct(changed, lines)} (${subset.filter((r) => r.changed[c] > 0).length})`;
    });
  };
  const out = [`| repository | files | lines | ${columns.join(" | ")} |`, `|---|---:|---:|${columns.map(() => "---:").join("|")}|`];
  const repos = [...new Set(rows.map((r) => repoOf(r.file)))].sort();
  for (const repo of repos) {
    const subset = rows.filter((r) => repoOf(r.file) === repo);
    out.push(`| ${repo} | ${subset.length} | ${subset.reduce((s, r) => s + r.lines, 0)} | ${cells(subset).join(" | ")} |`);
  }
  out.push(`| **all** | ${rows.length} | ${rows.reduce((s, r) => s + r.lines, 0)} | ${cells(rows).join(" | ")} |`);
  return out.join("\n");
}

/**
 * The style the files show as the formatter reads it, per repository: files
 * by indent unit and by operator position (detectStyle; "-" where a file
 * shows none consistently), and the totals by file and weighted per
 * repository (each repository counts 1, shared among the files that show a
 * style), and per owner (the repositories of one owner count 1 together).
 */
export function styleTable(styles, repoOf) {
  const byRepo = new Map();
  for (const [file, s] of styles) {
    const repo = repoOf(file);
    const r = byRepo.get(repo) ?? { files: 0, indent: {}, op: {} };
    r.files++;
    r.indent[s.indent ?? "-"] = (r.indent[s.indent ?? "-"] ?? 0) + 1;
    r.op[s.operatorPosition ?? "-"] = (r.op[s.operatorPosition ?? "-"] ?? 0) + 1;
    byRepo.set(repo, r);
  }
  const IND = ["tab", "4", "2", "-"];
  const OPS = ["end", "start", "-"];
  const out = [`| repository | files | indent: ${IND.join(" / ")} | operators: ${OPS.join(" / ")} |`, "|---|---:|---:|---:|"];
  const totals = { indent: {}, op: {} };
  const weighted = (group) => {
    const w = { indent: {}, op: {} };
    const groups = new Map();
    for (const [repo, r] of byRepo) {
      const g = group(repo);
      const x = groups.get(g) ?? { indent: {}, op: {} };
      for (const k of IND) x.indent[k] = (x.indent[k] ?? 0) + (r.indent[k] ?? 0);
      for (const k of OPS) x.op[k] = (x.op[k] ?? 0) + (r.op[k] ?? 0);
      groups.set(g, x);
    }
    for (const x of groups.values()) {
      for (const [kind, keys] of [["indent", IND], ["op", OPS]]) {
        const shown = keys.filter((k) => k !== "-").reduce((s, k) => s + x[kind][k], 0);
        if (shown === 0) continue;
        for (const k of keys) if (k !== "-") w[kind][k] = (w[kind][k] ?? 0) + x[kind][k] / shown;
      }
    }
    return w;
  };
  for (const [repo, r] of [...byRepo].sort()) {
    for (const k of IND) totals.indent[k] = (totals.indent[k] ?? 0) + (r.indent[k] ?? 0);
    for (const k of OPS) totals.op[k] = (totals.op[k] ?? 0) + (r.op[k] ?? 0);
    out.push(`| ${repo} | ${r.files} | ${IND.map((k) => r.indent[k] ?? 0).join(" / ")} | ${OPS.map((k) => r.op[k] ?? 0).join(" / ")} |`);
  }
  out.push(`| **files** | ${styles.size} | ${IND.map((k) => totals.indent[k]).join(" / ")} | ${OPS.map((k) => totals.op[k]).join(" / ")} |`);
  const f = (x) => x.toFixed(1);
  for (const [name, group] of [["repository", (r) => r], ["owner", (r) => r.split("/")[0]]]) {
    const w = weighted(group);
    out.push(`| **weighted per ${name}** | | ${IND.slice(0, 3).map((k) => f(w.indent[k] ?? 0)).join(" / ")} / | ${OPS.slice(0, 2).map((k) => f(w.op[k] ?? 0)).join(" / ")} / |`);
  }
  return out.join("\n");
}

/**
 * Formats the files under each preset (and with dprint, unless `dprint` is
 * false) and returns a row per file that every preset formats: its lines,
 * its lines changed per column, its house-style class; with the style each
 * file shows (detectStyle of the build in DIST) and each file's repository.
 * bench/bench.mjs prints the same figures.
 */
export async function measure({ plugin, presets = PRESETS, files = corpusFiles(), dprint: withDprint = true }) {
  const format = (text, file, options) => prettier.format(text, { filepath: join(CORPUS, file), parser: "dockerfile", plugins: [plugin], ...options });
  const repo = repositories();
  const repoOf = (file) => repo.get(file) ?? file.split("/")[0].replace("__", "/");
  const dprint = withDprint ? dprintOutputs(CORPUS, files) : null;
  const core = await import(pathToFileURL(join(DIST, "src/index.js")).href);
  await core.initShell();
  const styles = new Map();
  const rows = [];
  for (const file of files) {
    const text = readFileSync(join(CORPUS, file), "utf8");
    const counts = classify(text);
    const row = { file, lines: lineCount(text), counts, cls: classOf(counts), changed: {} };
    for (const preset of presets) {
      try {
        row.changed[preset.name] = changedLines(text, await format(text, file, preset.options));
      } catch {
        row.changed[preset.name] = null; // BuildKit rejects the file too: not counted
      }
    }
    if (Object.values(row.changed).some((v) => v === null)) continue;
    if (dprint) row.changed.dprint = changedLines(text, dprint.get(file) ?? text);
    row.changed.best = Math.min(...presets.filter((p) => p.best).map((p) => row.changed[p.name]));
    if (core.detectStyle) styles.set(file, core.detectStyle(core.buildModel(text)));
    rows.push(row);
  }
  return { rows, repoOf, styles, dprint };
}

async function main() {
  if (!existsSync(CORPUS)) {
    console.log(`churn: the corpus is not there (looked for ${CORPUS})`);
    return;
  }
  if (!existsSync(PLUGIN)) {
    console.error("churn: no build in dist/: run `npm run build` first");
    process.exit(1);
  }
  const plugin = (await import(pathToFileURL(PLUGIN).href)).default;
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const format = (text, file, options) => prettier.format(text, { filepath: join(CORPUS, file), parser: "dockerfile", plugins: [plugin], ...options });

  const show = arg("--show");
  if (show) {
    const preset = PRESETS.find((p) => p.name === (arg("--preset") ?? "defaults"));
    const text = readFileSync(join(CORPUS, show), "utf8");
    const out = await format(text, show, preset.options);
    process.stdout.write(createTwoFilesPatch(show, `${show} (${preset.name})`, text, out, "", "", { context: 1 }));
    return;
  }

  const only = arg("--only");
  const presets = PRESETS.filter((p) => !only || p.name === only);
  const files = corpusFiles();
  const { rows, repoOf, styles, dprint } = await measure({ plugin, presets, files, dprint: !process.argv.includes("--no-dprint") });

  const worst = arg("--worst");
  if (worst) {
    const cls = arg("--class");
    const chosen = rows.filter((r) => !cls || r.cls?.name.startsWith(cls));
    const presetName = arg("--preset") ?? (cls ? chosen[0]?.cls.preset : "defaults");
    chosen.sort((a, b) => b.changed[presetName] / b.lines - a.changed[presetName] / a.lines);
    for (const r of chosen.slice(0, Number(worst))) console.log(`${pct(r.changed[presetName], r.lines).padStart(6)} ${String(r.changed[presetName]).padStart(4)}/${r.lines} ${r.file}`);
    return;
  }

  const columns = [...presets.map((p) => p.name), "best", ...(dprint ? ["dprint"] : [])];
  const table = (subset) => {
    const lines = subset.reduce((s, r) => s + r.lines, 0);
    return columns.map((c) => {
      const changed = subset.reduce((s, r) => s + r.changed[c], 0);
      const filesChanged = subset.filter((r) => r.changed[c] > 0).length;
      return `${pct(changed, lines)} (${filesChanged} files)`;
    });
  };
  const totalLines = rows.reduce((s, r) => s + r.lines, 0);
  console.log(`Corpus outside conformance/: ${rows.length} files that Prettier formats (${files.length - rows.length} rejected), ${totalLines} lines.`);
  const mostly = (pick) => rows.filter((r) => pick(r.counts)).length;
  console.log(
    `Operators at continuation breaks mostly at the line end: ${mostly((c) => c.end > c.start)} files, mostly at the line start: ${mostly((c) => c.start > c.end)}; ` +
      `continuation lines mostly indented with tabs: ${mostly(mostlyTabs)}, ` +
      `4 spaces: ${mostly((c) => most(c, "spaces4"))}, 2 spaces: ${mostly((c) => most(c, "spaces2"))}.\n`,
  );
  console.log("Per repository and in total: share of the input's lines removed or changed (files changed):\n");
  console.log(churnTable(rows, columns, repoOf));
  console.log("\nBy how each file is written: share of the input's lines removed or changed (files changed):\n");
  console.log(`| files | ${columns.join(" | ")} |`);
  console.log(`|---|${columns.map(() => "---:").join("|")}|`);
  console.log(`| all ${rows.length} | ${table(rows).join(" | ")} |`);
  for (const c of CLASSES) {
    const subset = rows.filter((r) => r.cls === c);
    console.log(`| ${c.name}: ${subset.length} | ${table(subset).join(" | ")} |`);
  }
  const unclassified = rows.filter((r) => !r.cls);
  console.log(`| other: ${unclassified.length} | ${table(unclassified).join(" | ")} |`);
  const noTabs = rows.filter((r) => !mostlyTabs(r.counts));
  console.log(`| not mostly indented with tabs: ${noTabs.length} | ${table(noTabs).join(" | ")} |`);
  console.log("\nEach class under its own preset:\n");
  for (const c of CLASSES) {
    if (!presets.some((p) => p.name === c.preset)) continue;
    const subset = rows.filter((r) => r.cls === c);
    const lines = subset.reduce((s, r) => s + r.lines, 0);
    const changed = subset.reduce((s, r) => s + r.changed[c.preset], 0);
    console.log(`- ${c.name}, ${subset.length} files, under ${c.preset}: ${pct(changed, lines)} of ${lines} lines`);
  }
  const best = new Map(presets.filter((p) => p.best).map((p) => [p.name, 0]));
  for (const r of rows) {
    const first = presets.find((p) => p.best && r.changed[p.name] === r.changed.best);
    best.set(first.name, best.get(first.name) + 1);
  }
  console.log(`\nBest preset per file (first of the presets in a tie): ${[...best].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (styles.size > 0) {
    console.log("\nThe style the files show, as the formatter reads it (files; weighted: each repository, or owner, counts 1):\n");
    console.log(styleTable(styles, repoOf));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
