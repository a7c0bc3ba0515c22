#!/usr/bin/env node
/**
 * `npm run nesting`: does the RUN layout keep the nesting people write, and
 * is `dockerfileShellLayout: "preserve"` ever worse than the default? Over
 * every corpus file (outside conformance/, as `npm run churn`), formatted
 * with the core API of the build in dist/ (`npm run build` first):
 *
 * - RUNs losing nesting: a RUN whose continuation lines show N >= 3
 *   distinct depths and whose output shows fewer than N - 1 (or fewer than
 *   the shell's structure gives, where that is fewer: withoutIndentation),
 *   under the default options and under preserve. A depth is the width of a line's
 *   leading blanks, a tab counting as one level of 4 columns; widths one
 *   column apart are one depth (a stray space, or moby's `     && cmd`
 *   written one column out so that `cmd` lines up under the commands at 8:
 *   not a level of its own);
 * - files where preserve changes more lines (scripts/churn.mjs's
 *   changedLines) than the default layout.
 *
 *   node scripts/nesting.mjs [--list]
 *   NESTING_CORE=<path of a core index.js> node scripts/nesting.mjs
 *
 * test/nesting.test.ts runs the same check on a sample of the corpus.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { changedLines, corpusFiles } from "./churn.mjs";

export { corpusFiles };

const root = fileURLToPath(new URL("..", import.meta.url));
const CORPUS = join(root, "..", "shared", "corpus");
const CORE = process.env.NESTING_CORE ?? join(root, "dist/src/index.js");

/** Columns a tab counts for: one level. */
const TAB = 4;

/** Width of a line's leading blanks, a tab counting one level. */
function depthOf(text) {
  let width = 0;
  for (const c of text) {
    if (c === "\t") width += TAB;
    else if (c === " ") width++;
    else return width;
  }
  return null; // blanks only: no depth
}

/**
 * For each RUN of the model (ONBUILD RUN included), in order: its first line
 * and the number of distinct depths of its continuation lines (comment lines
 * and lines of blanks left out; widths one column apart count as one).
 */
export function runDepths(model) {
  const out = [];
  for (const instr of model.instructions) {
    const c = instr.command.keyword === "ONBUILD" && instr.command.trigger ? instr.command.trigger : instr.command;
    if (c.keyword !== "RUN") continue;
    const depths = new Set();
    for (const l of instr.lines.slice(1)) {
      if (l.kind !== "content") continue;
      const d = depthOf(model.lines[l.line].text);
      if (d !== null) depths.add(d);
    }
    const widths = [...depths].sort((a, b) => a - b);
    out.push({ line: instr.startLine + 1, depths: widths.filter((w, i) => i === 0 || w - widths[i - 1] > 1).length });
  }
  return out;
}

/**
 * The text with every continuation line's leading blanks removed: formatted,
 * it shows only the depths the shell's structure gives (compound commands,
 * argument lists), none of the writer's. A RUN written with more depths than
 * its structure has (a chain written at 6 columns among statements at 8)
 * cannot keep them all without a worse layout: its output must keep as many
 * as the structure has.
 */
export function withoutIndentation(text) {
  const lines = text.split("\n");
  // only after a blank and `\`: a line that continues a word (`ARRAY=(\`) keeps its blanks, which are text
  for (let i = 1; i < lines.length; i++) if (/[ \t]\\\r?$/.test(lines[i - 1])) lines[i] = lines[i].replace(/^[ \t]+/, "");
  return lines.join("\n");
}

/**
 * The RUNs of `input` that lose nesting in `output` (models of one file):
 * N >= 3 depths in, fewer than N - 1 out, or fewer than the RUN shows in
 * `structure` (the model of withoutIndentation(input) formatted the same way)
 * where that is fewer.
 */
export function lostNesting(input, output, structure) {
  const before = runDepths(input);
  const after = runDepths(output);
  const shape = structure ? runDepths(structure) : null;
  if (before.length !== after.length || (shape && shape.length !== before.length)) throw new Error(`RUN count changed: ${before.length} -> ${after.length}`);
  const lost = [];
  before.forEach((b, i) => {
    // never fewer than 2: a RUN with nesting is never printed flat, whatever the structure's reading says
    const kept = Math.min(b.depths - 1, shape ? Math.max(shape[i].depths, 2) : Infinity);
    if (b.depths >= 3 && after[i].depths < kept) lost.push({ line: b.line, before: b.depths, after: after[i].depths });
  });
  return lost;
}

async function main() {
  if (!existsSync(CORPUS)) {
    console.log(`nesting: the corpus is not there (looked for ${CORPUS})`);
    return;
  }
  if (!existsSync(CORE)) {
    console.error("nesting: no build in dist/: run `npm run build` first");
    process.exit(1);
  }
  const core = await import(pathToFileURL(CORE).href);
  await core.initShell();
  const list = process.argv.includes("--list");
  const presets = [
    ["defaults", {}],
    ["preserve", { shellLayout: "preserve" }],
  ];
  const lost = Object.fromEntries(presets.map(([name]) => [name, []]));
  const worse = [];
  let files = 0;
  let runs = 0;
  let nested = 0;
  for (const file of corpusFiles()) {
    const text = readFileSync(join(CORPUS, file), "utf8");
    let input;
    const outputs = {};
    try {
      input = core.buildModel(text);
      for (const [name, options] of presets) outputs[name] = core.formatText(text, options);
    } catch {
      continue; // BuildKit rejects the file too
    }
    files++;
    const depths = runDepths(input);
    runs += depths.length;
    nested += depths.filter((d) => d.depths >= 3).length;
    for (const [name, options] of presets) {
      const structure = core.buildModel(core.formatText(withoutIndentation(text), options));
      for (const r of lostNesting(input, core.buildModel(outputs[name]), structure)) lost[name].push(`${file}:${r.line}: ${r.before} depths -> ${r.after}`);
    }
    const preserve = changedLines(text, outputs.preserve);
    const defaults = changedLines(text, outputs.defaults);
    if (preserve > defaults) worse.push(`${file}: preserve changes ${preserve} lines, the default ${defaults}`);
  }
  console.log(`${files} files, ${runs} RUNs, ${nested} with continuation lines at 3 or more depths`);
  for (const [name] of presets) {
    console.log(`RUNs losing nesting (${name}): ${lost[name].length}`);
    if (list) for (const l of lost[name]) console.log(`  ${l}`);
  }
  console.log(`files where preserve changes more lines than the default: ${worse.length}`);
  if (list) for (const w of worse) console.log(`  ${w}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
