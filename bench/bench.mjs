#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --write]`: one run, same files, medians over
 * several runs, ratios between rows. Prints markdown on stdout (progress on
 * stderr); `--write` also records it in docs/benchmarks.md, keeping the
 * hand-written notes after `<!-- notes -->`. Never a test: machines are
 * shared and noisy, so read the ratios measured in one run. Runs of the rows
 * that are compared are interleaved, so a burst of load hits all of them.
 *
 * 1. Through Prettier (in-process): this plugin with its self-check on and
 *    off, a do-nothing plugin that only parses with dockerfile-ast (the floor),
 *    and prettier-plugin-sh (in a child process, on a sample: it is slow and
 *    can crash its host). The plugin's shell-analysis cache is emptied before
 *    each pass, so every pass does the work a fresh `prettier` run would.
 * 2. Command line over the whole corpus, a cold process each time:
 *    dockerfile-codemod --check, prettier --check with this plugin and with
 *    the do-nothing plugin, the dprint CLI with its Dockerfile plugin (the
 *    local .wasm, no network), dockerfmt's native binary.
 * 3. Scaling: synthetic files (bench/synthetic.mjs) of 0.2, 1, 2 and 20 MB
 *    (quick: 0.2 and 1), time and peak memory of the formatter and of the
 *    codemod, each in a fresh process.
 *
 * BENCH_DIST=<dir> measures another build than ./dist (say, one that a
 * concurrent `npm test` will not delete halfway).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { syntheticDockerfile } from "./synthetic.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const quick = process.argv.includes("--quick");
const writeDoc = process.argv.includes("--write");
const RUNS = quick ? 1 : 5;
const DIST = resolve(process.env.BENCH_DIST ?? join(root, "dist"));
const CORPUS = join(root, "..", "shared", "corpus");
const CHILD_TIMEOUT_MS = 300_000;

if (!existsSync(CORPUS)) {
  console.log(`Benchmark skipped: the corpus is not there (looked for ${CORPUS}, a sibling of the repository named shared/corpus).`);
  process.exit(0);
}
if (!existsSync(join(DIST, "plugin/index.js"))) {
  console.error(`No build in ${DIST}: run \`npm run build\` (or \`npm run bench\`, which builds first).`);
  process.exit(1);
}

const started = performance.now();
const progress = (s) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${s}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtMs = (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtX = (x) => `${x.toFixed(2)}x`;

function corpusFiles() {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) {
        if (e !== "_licenses") walk(p);
      } else if (!e.endsWith("__result") && e !== "SOURCES.md" && e !== "MANIFEST.tsv") out.push(p);
    }
  };
  walk(CORPUS);
  return out;
}

const files = corpusFiles();
const texts = files.map((f) => readFileSync(f, "utf8"));
const corpusBytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
const lines = [];
const log = (s = "") => {
  lines.push(s);
  console.log(s);
};
const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
};

const freeH = spawnSync("free", ["-h"], { encoding: "utf8" });
log(`# Benchmarks`);
log();
log(`Measured by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)}. Machine: \`nproc\` ${availableParallelism()} (${cpus()[0]?.model.trim()}), node ${process.version}, ${process.platform}/${process.arch}; shared with other work, so only ratios measured in the same run mean much. Corpus: ${files.length} files, ${(corpusBytes / 1e6).toFixed(1)} MB (../shared/corpus). Medians of ${RUNS} run${RUNS === 1 ? "" : "s"} after a warm-up; ratios are to the row named.`);
log();
if (freeH.status === 0) {
  log("`free -h` at the start:");
  log();
  log("```");
  log(freeH.stdout.trimEnd());
  log("```");
  log();
}

// ---------------------------------------------------------------------------
// 1. Through Prettier
progress("1. through Prettier, in-process");
const prettier = await import("prettier");
const { DockerfileParser } = await import("dockerfile-ast");
const plugin = (await import(pathToFileURL(join(DIST, "plugin/index.js")).href)).default;
// the plugin's module instance of the cache (same file, same module)
const analysisModule = await import(pathToFileURL(join(DIST, "src/shell/analysis.js")).href);
const clearCaches = analysisModule.clearShellCaches ?? (() => {});
const floor = {
  languages: [{ name: "floor", parsers: ["floor"] }],
  parsers: {
    floor: {
      astFormat: "floor",
      parse: (text) => {
        DockerfileParser.parse(text);
        return { type: "root", text };
      },
      locStart: () => 0,
      locEnd: () => 0,
    },
  },
  printers: { floor: { print: (path) => path.node.text } },
};

const inProcessRows = [
  { name: "do-nothing plugin, parse with dockerfile-ast (the floor)", options: { parser: "floor", plugins: [floor] } },
  { name: "this plugin, self-check off", options: { parser: "dockerfile", plugins: [plugin], dockerfileVerify: false } },
  { name: "this plugin, self-check on (default)", options: { parser: "dockerfile", plugins: [plugin] } },
];
async function formatAll(options, sample) {
  clearCaches();
  let errors = 0;
  const t0 = performance.now();
  for (const text of sample) {
    try {
      await prettier.format(text, options);
    } catch {
      errors++;
    }
  }
  return { ms: performance.now() - t0, errors };
}
{
  // warm-up (JIT, tree-sitter's start), then the measured passes, rows interleaved
  const warmSample = quick ? texts.filter((_, i) => i % 10 === 0) : texts;
  for (const row of inProcessRows) await formatAll(row.options, warmSample);
  for (const row of inProcessRows) row.times = [];
  for (let r = 0; r < RUNS; r++) {
    // a different row first in each run: no row always runs right after another's garbage
    const order = inProcessRows.map((_, i) => inProcessRows[(i + r) % inProcessRows.length]);
    for (const row of order) {
      const { ms, errors } = await formatAll(row.options, texts);
      row.times.push(ms);
      row.errors = errors;
    }
  }
  for (const row of inProcessRows) {
    row.ms = median(row.times);
    row.files = texts.length;
  }
}
const [floorRow, offRow, onRow] = inProcessRows;
{
  // Its Go runtime dies on some files and takes the process down ("Go program has already exited"):
  // try smaller samples until one completes, and say so.
  const attempts = quick ? [5] : [40, 20, 10, 5];
  const crashes = [];
  let row = null;
  for (const size of attempts) {
    progress(`1. prettier-plugin-sh, ${size}-file sample, in a child process`);
    const sampleFiles = files.filter((_, i) => i % Math.ceil(files.length / size) === 0);
    const r = spawnSync(process.execPath, [join(root, "bench/prettier-sh-child.mjs"), String(RUNS), ...sampleFiles], {
      encoding: "utf8",
      maxBuffer: 2 ** 26,
      timeout: CHILD_TIMEOUT_MS,
    });
    const reports = (r.stdout ?? "").trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const last = reports[reports.length - 1];
    if (last && last.times.length === RUNS && r.status === 0) {
      const note = crashes.length ? `; on the ${crashes.join("- and ")}-file sample${crashes.length > 1 ? "s" : ""} it crashed its process` : "";
      row = { name: `prettier-plugin-sh ${version("prettier-plugin-sh")} (${sampleFiles.length}-file sample, own process)`, ms: median(last.times), files: sampleFiles.length, errors: `${last.errors}${note}` };
      break;
    }
    crashes.push(sampleFiles.length);
    const why = (r.stderr || "").split("\n").find((l) => /Error|panic/.test(l)) ?? (r.error ? String(r.error.message) : `exit ${r.status}`);
    row = { name: `prettier-plugin-sh ${version("prettier-plugin-sh")} (samples of ${crashes.join(", ")} files, own process)`, error: `crashed its process on every sample (${why.trim().slice(0, 120)})` };
  }
  inProcessRows.push(row);
}

const perFile = (row) => row.ms / row.files;
log(`## 1. Through Prettier (\`prettier.format\`, in-process)`);
log();
log(`| | files/s | time for its files | vs floor (time per file) | files that failed |`);
log(`|---|---:|---:|---:|---:|`);
for (const row of inProcessRows) {
  if (row.error) {
    log(`| ${row.name} | - | - | - | did not run: ${row.error} |`);
    continue;
  }
  log(`| ${row.name} | ${Math.round((row.files / row.ms) * 1000)} | ${fmtMs(row.ms)} | ${fmtX(perFile(row) / perFile(floorRow))} | ${row.errors} |`);
}
log();
log(`Files that fail are the corpus's deliberately invalid test inputs (BuildKit rejects them too); they fail the same way in every pass. The plugin's cache of shell analyses is emptied before each pass.`);
log();

// ---------------------------------------------------------------------------
// 2. Command line, cold process each time
progress("2. command lines");
const work = mkdtempSync(join(tmpdir(), "dockerfile-bench-"));
const flat = join(work, "corpus");
mkdirSync(flat);
files.forEach((f, i) => copyFileSync(f, join(flat, `${String(i).padStart(4, "0")}.dockerfile`)));
const flatNames = readdirSync(flat).sort();
const dprintConfig = join(work, "dprint.json");
writeFileSync(dprintConfig, JSON.stringify({ plugins: [require.resolve("@dprint/dockerfile/plugin.wasm")], includes: ["**/*.dockerfile"] }));
const hasTime = existsSync("/usr/bin/time");

function timed(cmd, args, cwd) {
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "__RSS__%M", cmd, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 2 ** 20, timeout: CHILD_TIMEOUT_MS })
    : spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 256 * 2 ** 20, timeout: CHILD_TIMEOUT_MS });
  const ms = performance.now() - t0;
  const rss = hasTime ? Number(/__RSS__(\d+)/.exec(r.stderr ?? "")?.[1] ?? NaN) : NaN;
  return { ms, status: r.status, rssKB: rss, error: r.error };
}

const node = process.execPath;
const prettierBin = require.resolve("prettier/bin/prettier.cjs");
const codemodBin = join(DIST, "src/cli/bin.js");
const floorPlugin = join(work, "floor-plugin.mjs");
writeFileSync(
  floorPlugin,
  `import { DockerfileParser } from ${JSON.stringify(pathToFileURL(require.resolve("dockerfile-ast")).href)};
export const languages = [{ name: "floor", parsers: ["floor"], extensions: [".dockerfile"] }];
export const parsers = { floor: { astFormat: "floor", parse: (text) => { DockerfileParser.parse(text); return { text }; }, locStart: () => 0, locEnd: () => 0 } };
export const printers = { floor: { print: (path) => path.node.text } };
`,
);
const dprintBin = join(root, "node_modules/.bin/dprint");
let dockerfmtBin = null;
try {
  dockerfmtBin = require.resolve(`@reteps/dockerfmt-${process.platform}-${process.arch}/bin/dockerfmt`);
} catch {
  /* no native binary for this platform */
}
// dockerfmt stops at the first file it panics on: find those files and leave them out. It names each
// unformatted file as it goes, so after a crash the culprit is at or after the last file it named.
let dockerfmtFiles = flatNames;
let dockerfmtLeftOut = 0;
if (dockerfmtBin) {
  progress("2. finding the files dockerfmt crashes on");
  const handles = (f) => {
    const r = spawnSync(dockerfmtBin, ["--check", f], { cwd: flat, encoding: "utf8", timeout: 30_000 });
    return r.status === 0 || r.status === 1;
  };
  const kept = [];
  let from = 0;
  while (from < flatNames.length) {
    const rest = flatNames.slice(from);
    const r = spawnSync(dockerfmtBin, ["--check", ...rest], { cwd: flat, encoding: "utf8", maxBuffer: 2 ** 26, timeout: 60_000 });
    if (r.status === 0 || r.status === 1) {
      kept.push(...rest);
      break;
    }
    const named = new Set([...(r.stdout + r.stderr).matchAll(/^(\S+) is not formatted$/gm)].map((m) => m[1]));
    let last = -1;
    rest.forEach((f, i) => {
      if (named.has(f)) last = i;
    });
    let i = last + 1;
    while (i < rest.length && handles(rest[i])) i++;
    kept.push(...rest.slice(0, i));
    dockerfmtLeftOut++;
    from += i + 1;
  }
  dockerfmtFiles = kept;
}

const cliRows = [
  existsSync(codemodBin)
    ? { name: "dockerfile-codemod --check", cmd: node, args: [codemodBin, "--check", "."] }
    : { name: "dockerfile-codemod --check", error: "not built yet (no dist/src/cli/bin.js)" },
  { name: "prettier --check with this plugin", cmd: node, args: [prettierBin, "--plugin", join(DIST, "plugin/index.js"), "--check", "*.dockerfile"] },
  { name: "prettier --check with the do-nothing plugin (floor)", cmd: node, args: [prettierBin, "--plugin", floorPlugin, "--check", "*.dockerfile"], skip: quick },
  existsSync(dprintBin)
    ? { name: `dprint check (dprint ${version("dprint")}, @dprint/dockerfile ${version("@dprint/dockerfile")})`, cmd: dprintBin, args: ["check", "--config", dprintConfig], dprint: true }
    : { name: "dprint check", error: "not installed" },
  dockerfmtBin
    ? {
        name: `dockerfmt --check (native ${version("@reteps/dockerfmt")}; ${dockerfmtFiles.length} files; ${dockerfmtLeftOut} that stop its run with a panic left out)`,
        cmd: dockerfmtBin,
        args: ["--check", ...dockerfmtFiles],
      }
    : { name: "dockerfmt --check", error: `no native binary installs for ${process.platform}-${process.arch}` },
].filter((row) => !row.skip);
for (const row of cliRows) {
  if (row.error) continue;
  // warm the file cache and dprint's compiled-plugin cache; in --quick mode only dprint's
  if (!quick || row.dprint) {
    const w = timed(row.cmd, row.args, flat);
    if (w.error) row.error = `failed to run: ${w.error.message}`;
  }
  row.times = [];
}
for (let r = 0; r < RUNS; r++) {
  for (const row of cliRows) {
    if (row.error) continue;
    progress(`2. ${row.name}, run ${r + 1}/${RUNS}`);
    const t = timed(row.cmd, row.args, flat);
    if (t.error) {
      row.error = `failed to run: ${t.error.message}`;
      continue;
    }
    row.times.push(t.ms);
    row.status = t.status;
    row.rssKB = Math.max(row.rssKB ?? 0, t.rssKB);
  }
}
for (const row of cliRows) if (!row.error) row.ms = median(row.times);
const dprintRow = cliRows.find((r) => r.dprint && !r.error);
const codemodRow = cliRows[0];
log(`## 2. Command line, whole corpus, cold process each time`);
log();
log(`| | wall time | vs dprint | peak memory | exit code |`);
log(`|---|---:|---:|---:|---:|`);
for (const row of cliRows) {
  if (row.error) {
    log(`| ${row.name} | - | - | - | did not run: ${row.error} |`);
    continue;
  }
  const ratio = dprintRow ? fmtX(row.ms / dprintRow.ms) : "-";
  log(`| ${row.name} | ${fmtMs(row.ms)} | ${ratio} | ${Number.isNaN(row.rssKB) ? "n/a" : `${Math.round(row.rssKB / 1024)} MB`} | ${row.status} |`);
}
log();
log(`Exit codes: dockerfile-codemod 1 = changes found or findings left unfixed, 2 = a file could not be parsed (the corpus holds a few deliberately invalid inputs; the others are still processed); prettier 1 = unformatted files, 2 = invalid files; dprint 20 = unformatted files; dockerfmt 1 = unformatted files.${quick ? " (--quick leaves out the prettier --check floor row.)" : ""}`);
log();

// ---------------------------------------------------------------------------
// 3. Scaling
const sizes = quick ? [0.2, 1] : [0.2, 1, 2, 20];
const cliFlags = existsSync(codemodBin)
  ? [...readFileSync(codemodBin, "utf8").matchAll(/setFlagsFromString\("([^"]+)"\)/g)].map((m) => m[1])
  : [];
const rowsScale = [];
for (const mb of sizes) {
  const file = join(work, `synthetic-${mb}.dockerfile`);
  writeFileSync(file, syntheticDockerfile(mb * 1e6));
  const row = { mb };
  for (const mode of ["format", "codemod"]) {
    progress(`3. ${mode}, ${mb} MB`);
    const flags = mode === "codemod" ? cliFlags : [];
    const r = spawnSync(node, [...flags, join(root, "bench/scale-child.mjs"), mode, file, DIST], {
      encoding: "utf8",
      maxBuffer: 2 ** 26,
      timeout: CHILD_TIMEOUT_MS,
    });
    try {
      row[mode] = JSON.parse(r.stdout.trim().split("\n").pop());
    } catch {
      row[mode] = { error: r.error ? String(r.error.message) : (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n")[0] };
    }
  }
  rowsScale.push(row);
}
log(`## 3. Scaling: one synthetic file (bench/synthetic.mjs), fresh process, work time without start-up`);
log();
log(`| size | formatter time | formatter per MB | formatter peak memory | codemod time | codemod per MB | codemod peak memory |`);
log(`|---|---:|---:|---:|---:|---:|---:|`);
for (const r of rowsScale) {
  const cell = (x) => (x.error ? `failed: ${x.error}` : fmtMs(x.ms));
  const per = (x) => (x.error ? "-" : fmtMs(x.ms / r.mb));
  const mem = (x) => (x.error ? "-" : `${Math.round(x.maxRSSKB / 1024)} MB`);
  log(`| ${r.mb} MB | ${cell(r.format)} | ${per(r.format)} | ${mem(r.format)} | ${cell(r.codemod)} | ${per(r.codemod)} | ${mem(r.codemod)} |`);
}
log();
const { buildModel } = await import(pathToFileURL(join(DIST, "src/model/model.js")).href);
const shellShare = (text) => {
  const model = buildModel(text);
  let chars = 0;
  if (text.length === 0) return 0;
  for (const i of model.instructions) if (["RUN", "CMD", "ENTRYPOINT"].includes(i.command.keyword) && !i.command.json) chars += i.command.args.length;
  return chars / text.length;
};
let corpusShell = 0;
let corpusChars = 0;
for (const t of texts) {
  corpusChars += t.length;
  try {
    corpusShell += shellShare(t) * t.length;
  } catch {
    /* invalid input */
  }
}
log(`The formatter runs with node's default V8 flags, as inside Prettier; the codemod with the flags its command sets (${cliFlags.length ? cliFlags.map((f) => `\`${f}\``).join(" ") : "none"}). Shell text (shell-form RUN, CMD, ENTRYPOINT) is ${Math.round(shellShare(syntheticDockerfile(2e5)) * 100)}% of the synthetic file and ${Math.round((corpusShell / corpusChars) * 100)}% of the corpus; tree-sitter reads it twice when formatting (input, then the output for the self-check).`);
log();

// ---------------------------------------------------------------------------
// Targets
const byMb = Object.fromEntries(rowsScale.map((r) => [r.mb, r]));
const ok = (x) => (x.error ? null : x.ms);
const targets = [];
const target = (what, measured, met) => targets.push(`| ${what} | ${measured} | ${met === null ? "not measured" : met ? "yes" : "**no**"} |`);
target("plugin through Prettier, self-check off, within 1.2x of the floor", fmtX(perFile(offRow) / perFile(floorRow)), perFile(offRow) / perFile(floorRow) <= 1.2);
target("plugin through Prettier, self-check on (default), within 2x of the floor", fmtX(perFile(onRow) / perFile(floorRow)), perFile(onRow) / perFile(floorRow) <= 2);
if (codemodRow && !codemodRow.error && dprintRow) {
  target("`dockerfile-codemod --check` over the corpus no slower than dprint's CLI", `${fmtX(codemodRow.ms / dprintRow.ms)} (${fmtMs(codemodRow.ms)} vs ${fmtMs(dprintRow.ms)})`, codemodRow.ms <= dprintRow.ms);
  target("codemod peak memory over the corpus under 200 MB", Number.isNaN(codemodRow.rssKB) ? "n/a" : `${Math.round(codemodRow.rssKB / 1024)} MB`, Number.isNaN(codemodRow.rssKB) ? null : codemodRow.rssKB < 200 * 1024);
} else {
  target("`dockerfile-codemod --check` over the corpus no slower than dprint's CLI", "-", null);
}
for (const mode of ["format", "codemod"]) {
  const who = mode === "format" ? "formatter" : "codemod";
  if (byMb[20] && byMb[2] && ok(byMb[20][mode]) && ok(byMb[2][mode])) {
    const x = byMb[20][mode].ms / byMb[2][mode].ms;
    target(`${who}: 20 MB takes at most 12x the 2 MB file`, `${x.toFixed(1)}x`, x <= 12);
  } else target(`${who}: 20 MB takes at most 12x the 2 MB file`, quick ? "not in --quick" : "-", null);
  if (byMb[1] && ok(byMb[1][mode])) target(`${who}: a 1 MB input in at most 1 s`, fmtMs(byMb[1][mode].ms), byMb[1][mode].ms <= 1000);
}
log(`## Targets`);
log();
log(`| target | measured | met? |`);
log(`|---|---|---|`);
for (const t of targets) log(t);
log();
rmSync(work, { recursive: true, force: true });
progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);

if (writeDoc) {
  const doc = join(root, "docs/benchmarks.md");
  const notes = existsSync(doc) ? (readFileSync(doc, "utf8").split("<!-- notes -->")[1] ?? "") : "";
  writeFileSync(doc, `${lines.join("\n")}\n<!-- notes -->${notes || "\n"}`);
  progress(`written to docs/benchmarks.md`);
}
