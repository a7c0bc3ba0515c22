#!/usr/bin/env node
/**
 * `npm run churn`: how much of a real Dockerfile the formatter changes, the
 * figure that decides whether a maintainer accepts its diff. Formats every
 * corpus file outside conformance/ through the real Prettier API with the
 * built plugin (dist/plugin/index.js: run `npm run build` first) under each
 * preset below, and counts with a line diff (the `diff` package) the share
 * of the input's lines that are removed or changed. Prints a markdown table,
 * the same figures for the files written consistently in each house style
 * (classified from the input's continuation lines: see `classify`), and
 * the best preset per file.
 *
 *   node scripts/churn.mjs [--worst N] [--class NAME] [--preset NAME] [--show FILE]
 *   CHURN_DIST=<dir> node scripts/churn.mjs
 *
 * --worst N lists the N files (of --class, default all) that change most
 * under --preset (default: the class's own preset); --show FILE prints the
 * diff of one corpus file under --preset.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as prettier from "prettier";
import { diffLines, createTwoFilesPatch } from "diff";

const root = fileURLToPath(new URL("..", import.meta.url));
const CORPUS = join(root, "..", "shared", "corpus");
/** CHURN_DIST=<dir> measures another build (say, the branch's starting point built elsewhere). */
const PLUGIN = join(process.env.CHURN_DIST ?? join(root, "dist"), "plugin/index.js");

/**
 * The presets compared. "best" is, per file, the least change among the
 * presets marked `best`: what a project gets by choosing the preset that
 * fits its files. The 2- and 4-space rows show the effect of the indent.
 */
export const PRESETS = [
  { name: "defaults", options: {}, best: true },
  { name: "useTabs", options: { useTabs: true }, best: true },
  { name: "line start, 4 spaces", options: { dockerfileOperatorPosition: "start", tabWidth: 4 }, best: true },
  { name: "tabWidth: 2", options: { tabWidth: 2 } },
  { name: "tabWidth: 4", options: { tabWidth: 4 } },
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
  { name: "docker-library (line end, tabs)", operators: "end", indent: "tabs", preset: "useTabs" },
  { name: "Docker documentation (line start, 4 spaces)", operators: "start", indent: "spaces4", preset: "line start, 4 spaces" },
  { name: "line end, 4 spaces", operators: "end", indent: "spaces4", preset: "tabWidth: 4" },
  { name: "line end, 2 spaces", operators: "end", indent: "spaces2", preset: "tabWidth: 2" },
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

function corpusFiles() {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) {
        if (entry !== "_licenses" && entry !== "conformance") walk(p);
      } else if (!entry.endsWith("__result") && entry !== "SOURCES.md" && entry !== "MANIFEST.tsv") out.push(relative(CORPUS, p));
    }
  };
  walk(CORPUS);
  return out;
}

const pct = (n, d) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(1)}%`);

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

  const files = corpusFiles();
  const rows = [];
  for (const file of files) {
    const text = readFileSync(join(CORPUS, file), "utf8");
    const counts = classify(text);
    const row = { file, lines: lineCount(text), counts, cls: classOf(counts), changed: {} };
    for (const preset of PRESETS) {
      try {
        row.changed[preset.name] = changedLines(text, await format(text, file, preset.options));
      } catch {
        row.changed[preset.name] = null; // BuildKit rejects the file too: not counted
      }
    }
    if (Object.values(row.changed).some((v) => v === null)) continue;
    row.changed.best = Math.min(...PRESETS.filter((p) => p.best).map((p) => row.changed[p.name]));
    rows.push(row);
  }

  const worst = arg("--worst");
  if (worst) {
    const cls = arg("--class");
    const chosen = rows.filter((r) => !cls || r.cls?.name.startsWith(cls));
    const presetName = arg("--preset") ?? (cls ? chosen[0]?.cls.preset : "defaults");
    chosen.sort((a, b) => b.changed[presetName] / b.lines - a.changed[presetName] / a.lines);
    for (const r of chosen.slice(0, Number(worst))) console.log(`${pct(r.changed[presetName], r.lines).padStart(6)} ${String(r.changed[presetName]).padStart(4)}/${r.lines} ${r.file}`);
    return;
  }

  const columns = [...PRESETS.map((p) => p.name), "best"];
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
  console.log("Share of the input's lines removed or changed (files changed):\n");
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
    const subset = rows.filter((r) => r.cls === c);
    const lines = subset.reduce((s, r) => s + r.lines, 0);
    const changed = subset.reduce((s, r) => s + r.changed[c.preset], 0);
    console.log(`- ${c.name}, ${subset.length} files, under ${c.preset}: ${pct(changed, lines)} of ${lines} lines`);
  }
  const best = new Map(PRESETS.filter((p) => p.best).map((p) => [p.name, 0]));
  for (const r of rows) {
    const first = PRESETS.find((p) => p.best && r.changed[p.name] === r.changed.best);
    best.set(first.name, best.get(first.name) + 1);
  }
  console.log(`\nBest preset per file (first of the presets in a tie): ${[...best].map(([k, v]) => `${k} ${v}`).join(", ")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
