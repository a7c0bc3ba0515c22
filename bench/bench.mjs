#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --write]`: one run, same files, min, median
 * and max over several runs, ratios between rows. Prints markdown on stdout
 * at the end (progress on stderr); `--write` also records it in docs/benchmarks.md,
 * keeping the hand-written notes after `<!-- notes -->`. Never a test:
 * machines are shared and noisy, so read the ratios measured in one run.
 * Runs of the rows that are compared are interleaved, so a burst of load hits
 * all of them; the load average is read before and after.
 *
 * 1. Through Prettier (in-process): this plugin with its self-check on and
 *    off, a do-nothing plugin that only parses with dockerfile-ast (the floor),
 *    and prettier-plugin-sh (in a child process, on a sample: it is slow and
 *    can crash its host). The plugin's shell-analysis cache is emptied before
 *    each pass, so every pass does the work a fresh `prettier` run would.
 * 2. Command lines, a cold process each time: dockerfile-codemod --check over
 *    the corpus against the dprint CLI with its Dockerfile plugin (the local
 *    .wasm, no network), its incremental cache off and on; dockerfmt's native
 *    binary; prettier --check with this plugin and with the do-nothing plugin
 *    on one file, on 20 files (what a pre-commit hook or lint-staged runs)
 *    and on the whole corpus.
 * 3. Scaling: synthetic files (bench/synthetic.mjs) of 0.2, 1, 2 and 20 MB
 *    (quick: 0.2 and 1), `dockerfile-codemod --check` and `prettier --check`
 *    on each, a cold process each time: wall time and peak memory.
 * 4. Churn: the share of the corpus's lines (outside conformance/) each
 *    formatter changes, per repository and in total: this plugin with no
 *    configuration and the best of its house-style presets, beside dprint
 *    with its defaults (the figures of `npm run churn`, scripts/churn.mjs).
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
const RUNS = quick ? 3 : 7;
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
/** median, then (min-max) */
const fmtSpread = (xs) => (xs.length > 1 ? `${fmtMs(median(xs))} (${fmtMs(Math.min(...xs))}-${fmtMs(Math.max(...xs))})` : fmtMs(xs[0]));
const loadavg = () => {
  try {
    return readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
};
const loadBefore = loadavg();
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
// the report is printed at the end (the load average after the run goes into its first paragraph)
const lines = [];
const log = (s = "") => {
  lines.push(s);
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
log(`Measured by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)}. Machine: \`nproc\` ${availableParallelism()} (${cpus()[0]?.model.trim()}), node ${process.version}, ${process.platform}/${process.arch}; shared with other work, so only ratios measured in the same run mean much. Corpus: ${files.length} files, ${(corpusBytes / 1e6).toFixed(1)} MB (../shared/corpus). Each row: median of ${RUNS} runs after a warm-up, then (min-max); rows that are compared run interleaved, and a ratio is of medians. Load average (/proc/loadavg, 1, 5 and 15 minutes) before the run: ${loadBefore}; after: LOAD_AFTER.`);
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
// empties the shell caches of every copy of the module in the process, the plugin bundle's included
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
      row = { name: `prettier-plugin-sh ${version("prettier-plugin-sh")} (${sampleFiles.length}-file sample, own process)`, ms: median(last.times), times: last.times, files: sampleFiles.length, errors: `${last.errors}${note}` };
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
log(`| | files/s | time for its files: median (min-max) | vs floor (time per file) | files that failed |`);
log(`|---|---:|---:|---:|---:|`);
for (const row of inProcessRows) {
  if (row.error) {
    log(`| ${row.name} | - | - | - | did not run: ${row.error} |`);
    continue;
  }
  log(`| ${row.name} | ${Math.round((row.files / row.ms) * 1000)} | ${row.times ? fmtSpread(row.times) : fmtMs(row.ms)} | ${fmtX(perFile(row) / perFile(floorRow))} | ${row.errors} |`);
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
const dprintConfig = (incremental) => {
  const file = join(work, `dprint${incremental ? "-incremental" : ""}.json`);
  writeFileSync(file, JSON.stringify({ plugins: [require.resolve("@dprint/dockerfile/plugin.wasm")], includes: ["**/*.dockerfile"], incremental }));
  return file;
};
// dprint's caches (the compiled plugin, the incremental state) in the run's own directory
const dprintEnv = { ...process.env, DPRINT_CACHE_DIR: join(work, "dprint-cache") };
const hasTime = existsSync("/usr/bin/time");

function timed(cmd, args, cwd, env = process.env) {
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "__RSS__%M", cmd, ...args], { cwd, env, encoding: "utf8", maxBuffer: 256 * 2 ** 20, timeout: CHILD_TIMEOUT_MS })
    : spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 2 ** 20, timeout: CHILD_TIMEOUT_MS });
  const ms = performance.now() - t0;
  const rss = hasTime ? Number(/__RSS__(\d+)/.exec(r.stderr ?? "")?.[1] ?? NaN) : NaN;
  return { ms, status: r.status, rssKB: rss, error: r.error };
}

const node = process.execPath;
const prettierBin = require.resolve("prettier/bin/prettier.cjs");
const codemodBin = join(DIST, "src/cli/bin.js");
const pluginFile = join(DIST, "plugin/index.js");
const floorPlugin = join(work, "floor-plugin.mjs");
writeFileSync(
  floorPlugin,
  `import { DockerfileParser } from ${JSON.stringify(pathToFileURL(require.resolve("dockerfile-ast")).href)};
export const languages = [{ name: "floor", parsers: ["floor"], extensions: [".dockerfile"] }];
export const parsers = { floor: { astFormat: "floor", parse: (text) => { DockerfileParser.parse(text); return { text }; }, locStart: () => 0, locEnd: () => 0 } };
export const printers = { floor: { print: (path) => path.node.text } };
`,
);
// What a pre-commit hook or lint-staged hands prettier: one file (the corpus file of median size) and 20 files (every 68th)
const bySize = flatNames.map((f, i) => ({ f, size: Buffer.byteLength(texts[i]) })).sort((a, b) => a.size - b.size || (a.f < b.f ? -1 : 1));
const oneFile = bySize[bySize.length >> 1].f;
const twentyFiles = flatNames.filter((_, i) => i % Math.ceil(flatNames.length / 20) === 0).slice(0, 20);
const sampleDir = (name, names) => {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const f of names) copyFileSync(join(flat, f), join(dir, f));
  return dir;
};
const oneDir = sampleDir("one", [oneFile]);
const twentyDir = sampleDir("twenty", twentyFiles);
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

const dprintName = `dprint ${version("dprint")}, @dprint/dockerfile ${version("@dprint/dockerfile")}`;
const cliRows = [
  existsSync(codemodBin)
    ? { id: "codemod", name: "dockerfile-codemod --check", cmd: node, args: [codemodBin, "--check", "."], cwd: flat }
    : { id: "codemod", name: "dockerfile-codemod --check", error: "not built yet (no dist/src/cli/bin.js)" },
  existsSync(dprintBin)
    ? { id: "dprint", name: `dprint check, incremental cache off (${dprintName})`, cmd: dprintBin, args: ["check", "--config", dprintConfig(false)], cwd: flat, env: dprintEnv }
    : { id: "dprint", name: "dprint check", error: "not installed" },
  existsSync(dprintBin)
    ? { id: "dprint-incremental", name: "dprint check, incremental cache on (its default)", cmd: dprintBin, args: ["check", "--config", dprintConfig(true)], cwd: flat, env: dprintEnv }
    : { id: "dprint-incremental", name: "dprint check, incremental cache on", error: "not installed" },
  dockerfmtBin
    ? {
        id: "dockerfmt",
        name: `dockerfmt --check (native ${version("@reteps/dockerfmt")}; ${dockerfmtFiles.length} files; ${dockerfmtLeftOut} that stop its run with a panic left out)`,
        cmd: dockerfmtBin,
        args: ["--check", ...dockerfmtFiles],
        cwd: flat,
      }
    : { id: "dockerfmt", name: "dockerfmt --check", error: `no native binary installs for ${process.platform}-${process.arch}` },
  { id: "prettier", name: "prettier --check with this plugin", cmd: node, args: [prettierBin, "--plugin", pluginFile, "--check", "*.dockerfile"], cwd: flat },
  { id: "prettier-floor", name: "prettier --check with the do-nothing plugin (floor)", cmd: node, args: [prettierBin, "--plugin", floorPlugin, "--check", "*.dockerfile"], cwd: flat },
];
const hookRows = [
  { id: "one", name: `prettier --check with this plugin, 1 file (${Math.round(bySize[bySize.length >> 1].size / 100) / 10} KB, the median size)`, cmd: node, args: [prettierBin, "--plugin", pluginFile, "--check", oneFile], cwd: oneDir },
  { id: "one-floor", name: "prettier --check with the do-nothing plugin, 1 file (floor)", cmd: node, args: [prettierBin, "--plugin", floorPlugin, "--check", oneFile], cwd: oneDir },
  { id: "twenty", name: "prettier --check with this plugin, 20 files", cmd: node, args: [prettierBin, "--plugin", pluginFile, "--check", "*.dockerfile"], cwd: twentyDir },
  { id: "twenty-floor", name: "prettier --check with the do-nothing plugin, 20 files (floor)", cmd: node, args: [prettierBin, "--plugin", floorPlugin, "--check", "*.dockerfile"], cwd: twentyDir },
];
const allCli = [...cliRows, ...hookRows];
for (const row of allCli) {
  if (row.error) continue;
  // warm the file cache, dprint's compiled-plugin and incremental caches
  const w = timed(row.cmd, row.args, row.cwd, row.env);
  if (w.error) row.error = `failed to run: ${w.error.message}`;
  row.times = [];
}
for (let r = 0; r < RUNS; r++) {
  // every row once per run, in an order that rotates: no row always follows another's garbage
  const order = allCli.map((_, i) => allCli[(i + r) % allCli.length]);
  progress(`2. command lines, run ${r + 1}/${RUNS}`);
  for (const row of order) {
    if (row.error) continue;
    const t = timed(row.cmd, row.args, row.cwd, row.env);
    if (t.error) {
      row.error = `failed to run: ${t.error.message}`;
      continue;
    }
    row.times.push(t.ms);
    row.status = t.status;
    row.rssKB = Math.max(row.rssKB ?? 0, t.rssKB);
  }
}
for (const row of allCli) if (!row.error) row.ms = median(row.times);
const cli = Object.fromEntries(allCli.map((row) => [row.id, row]));
const usable = (row) => row && !row.error;
const mem = (row) => (Number.isNaN(row.rssKB) ? "n/a" : `${Math.round(row.rssKB / 1024)} MB`);
log(`## 2. Command line, cold process each time`);
log();
log(`Whole corpus (${flatNames.length} files in one directory):`);
log();
log(`| | wall time: median (min-max) | vs dprint, incremental off | peak memory | exit code |`);
log(`|---|---:|---:|---:|---:|`);
for (const row of cliRows) {
  if (row.error) {
    log(`| ${row.name} | - | - | - | did not run: ${row.error} |`);
    continue;
  }
  const ratio = usable(cli.dprint) ? fmtX(row.ms / cli.dprint.ms) : "-";
  log(`| ${row.name} | ${fmtSpread(row.times)} | ${ratio} | ${mem(row)} | ${row.status} |`);
}
log();
log(`What a pre-commit hook or lint-staged runs (a fresh process for a few files):`);
log();
log(`| | wall time: median (min-max) | vs the floor | peak memory | exit code |`);
log(`|---|---:|---:|---:|---:|`);
for (const [a, b] of [["one", "one-floor"], ["twenty", "twenty-floor"]]) {
  for (const row of [cli[a], cli[b]]) {
    if (row.error) {
      log(`| ${row.name} | - | - | - | did not run: ${row.error} |`);
      continue;
    }
    log(`| ${row.name} | ${fmtSpread(row.times)} | ${usable(cli[b]) ? fmtX(row.ms / cli[b].ms) : "-"} | ${mem(row)} | ${row.status} |`);
  }
}
log();
log(`Exit codes: dockerfile-codemod 1 = changes found or findings left unfixed, 2 = a file could not be parsed (the corpus holds a few deliberately invalid inputs; the others are still processed); prettier 1 = unformatted files, 2 = invalid files; dprint 20 = unformatted files; dockerfmt 1 = unformatted files. dprint's incremental cache skips the files it has seen formatted; with the cache off it reads every file, as dockerfile-codemod does.`);
log();

// ---------------------------------------------------------------------------
// 3. Scaling
const sizes = quick ? [0.2, 1] : [0.2, 1, 2, 20];
const cliFlags = existsSync(codemodBin)
  ? [...readFileSync(codemodBin, "utf8").matchAll(/setFlagsFromString\("([^"]+)"\)/g)].map((m) => m[1])
  : [];
const rowsScale = [];
for (const mb of sizes) {
  const dir = join(work, `synthetic-${mb}`);
  mkdirSync(dir);
  const name = "synthetic.dockerfile";
  writeFileSync(join(dir, name), syntheticDockerfile(mb * 1e6));
  const runs = mb >= 20 ? 1 : quick ? 1 : 3;
  const row = { mb, runs };
  const commands = {
    codemod: existsSync(codemodBin) ? [node, [codemodBin, "--check", name]] : null,
    prettier: [node, [prettierBin, "--plugin", pluginFile, "--check", name]],
  };
  for (const mode of Object.keys(commands)) row[mode] = commands[mode] ? { times: [], rssKB: 0 } : { error: "not built" };
  for (let r = 0; r < runs; r++) {
    for (const mode of Object.keys(commands)) {
      if (!commands[mode] || row[mode].error) continue;
      progress(`3. ${mode}, ${mb} MB, run ${r + 1}/${runs}`);
      const [cmd, args] = commands[mode];
      const t = timed(cmd, args, dir);
      // 0: nothing to change, 1: changes found (both commands)
      if (t.error || ![0, 1].includes(t.status)) {
        row[mode] = { error: t.error ? String(t.error.message) : `exit ${t.status}` };
        continue;
      }
      row[mode].times.push(t.ms);
      row[mode].rssKB = Math.max(row[mode].rssKB, t.rssKB);
    }
  }
  for (const mode of Object.keys(commands)) if (!row[mode].error) row[mode].ms = median(row[mode].times);
  rowsScale.push(row);
}
log(`## 3. Scaling: one synthetic file (bench/synthetic.mjs), a cold process each time (start-up included)`);
log();
log(`| size | runs | \`dockerfile-codemod --check\` | per MB | peak memory | \`prettier --check\` with this plugin | per MB | peak memory |`);
log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
for (const r of rowsScale) {
  const cell = (x) => (x.error ? `failed: ${x.error}` : fmtSpread(x.times));
  const per = (x) => (x.error ? "-" : fmtMs(x.ms / r.mb));
  const m = (x) => (x.error ? "-" : `${Math.round(x.rssKB / 1024)} MB`);
  log(`| ${r.mb} MB | ${r.runs} | ${cell(r.codemod)} | ${per(r.codemod)} | ${m(r.codemod)} | ${cell(r.prettier)} | ${per(r.prettier)} | ${m(r.prettier)} |`);
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
log(`The codemod runs with the V8 flags its command sets (${cliFlags.length ? cliFlags.map((f) => `\`${f}\``).join(" ") : "none"}); the plugin under \`prettier\` sets \`--liftoff-only\` (plugin/parser.ts). Shell text (shell-form RUN, CMD, ENTRYPOINT) is ${Math.round(shellShare(syntheticDockerfile(2e5)) * 100)}% of the synthetic file and ${Math.round((corpusShell / corpusChars) * 100)}% of the corpus; the formatter's tree-sitter reads it twice (input, then the re-indented output for the self-check).`);
log();

// ---------------------------------------------------------------------------
// Targets
const byMb = Object.fromEntries(rowsScale.map((r) => [r.mb, r]));
const ok = (x) => (x && !x.error ? x.ms : null);
const targets = [];
const target = (what, measured, met) => targets.push(`| ${what} | ${measured} | ${met === null ? "not measured" : met ? "yes" : "**no**"} |`);
const ratioTarget = (what, a, b, bound) => {
  if (!usable(a) || !usable(b)) return target(what, "-", null);
  const x = a.ms / b.ms;
  target(what, `${fmtX(x)} (${fmtMs(a.ms)} vs ${fmtMs(b.ms)})`, x <= bound);
};
ratioTarget("`dockerfile-codemod --check` over the corpus at most 0.8x dprint's CLI (incremental cache off)", cli.codemod, cli.dprint, 0.8);
if (usable(cli.codemod) && usable(cli["dprint-incremental"])) {
  target("(for the record) the same against dprint with its incremental cache on", `${fmtX(cli.codemod.ms / cli["dprint-incremental"].ms)} (${fmtMs(cli.codemod.ms)} vs ${fmtMs(cli["dprint-incremental"].ms)})`, cli.codemod.ms <= 0.8 * cli["dprint-incremental"].ms);
}
ratioTarget("`prettier --check` of 1 file at most 1.3x the floor plugin's", cli.one, cli["one-floor"], 1.3);
ratioTarget("`prettier --check` of 20 files at most 1.3x the floor plugin's", cli.twenty, cli["twenty-floor"], 1.3);
target("through Prettier in-process over the corpus, self-check on, within 1.3x the floor", fmtX(perFile(onRow) / perFile(floorRow)), perFile(onRow) / perFile(floorRow) <= 1.3);
target("(for the record) the same with the self-check off", fmtX(perFile(offRow) / perFile(floorRow)), perFile(offRow) / perFile(floorRow) <= 1.3);
if (usable(cli.codemod)) target("codemod peak memory over the corpus under 100 MB", mem(cli.codemod), Number.isNaN(cli.codemod.rssKB) ? null : cli.codemod.rssKB < 100 * 1024);
for (const [mode, who] of [["codemod", "`dockerfile-codemod --check`"], ["prettier", "`prettier --check`"]]) {
  if (byMb[1] && ok(byMb[1][mode]) !== null) target(`${who}: one 1 MB file in under 1 s`, fmtMs(byMb[1][mode].ms), byMb[1][mode].ms < 1000);
  else target(`${who}: one 1 MB file in under 1 s`, "-", null);
  if (byMb[20] && byMb[2] && ok(byMb[20][mode]) !== null && ok(byMb[2][mode]) !== null) {
    const x = byMb[20][mode].ms / byMb[2][mode].ms;
    target(`${who}: 20 MB takes at most 10x the 2 MB file`, `${x.toFixed(1)}x (${fmtMs(byMb[20][mode].ms)} vs ${fmtMs(byMb[2][mode].ms)})`, x <= 10);
  } else target(`${who}: 20 MB takes at most 10x the 2 MB file`, quick ? "not in --quick" : "-", null);
}
// ---------------------------------------------------------------------------
// 4. Churn, beside dprint's (scripts/churn.mjs measures both)
progress("4. churn: this plugin's defaults and presets, and dprint");
process.env.CHURN_DIST ??= DIST;
const churn = await import(pathToFileURL(join(root, "scripts/churn.mjs")).href);
const churned = await churn.measure({ plugin });
const churnColumns = ["defaults", "best", ...(churned.dprint ? ["dprint"] : [])];
log(`## 4. Churn: share of the corpus's lines changed (files changed)`);
log();
log(`Every corpus file outside \`conformance/\` that Prettier formats; *defaults* is no configuration (each file's own style), *best* the least of the house-style presets per file, dprint ${version("dprint")} with @dprint/dockerfile ${version("@dprint/dockerfile")} and its defaults. \`npm run churn\` prints every preset and the house-style classes.`);
log();
log(churn.churnTable(churned.rows, churnColumns, churned.repoOf));
log();
{
  const lines = churned.rows.reduce((a, r) => a + r.lines, 0);
  const share = (c) => churned.rows.reduce((a, r) => a + r.changed[c], 0) / lines;
  target("no configuration changes at most 10% of the corpus's lines (issue 18; its target is on files the project has not seen)", `${(100 * share("defaults")).toFixed(1)}%`, share("defaults") <= 0.1);
  if (churned.dprint) target("(for the record) dprint's defaults", `${(100 * share("dprint")).toFixed(1)}%`, true);
}

log(`## Targets`);
log();
log(`| target | measured | met? |`);
log(`|---|---|---|`);
for (const t of targets) log(t);
log();
rmSync(work, { recursive: true, force: true });
const loadAfter = loadavg();
progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; load average before ${loadBefore}, after ${loadAfter}`);
for (let i = 0; i < lines.length; i++) lines[i] = lines[i].replace("LOAD_AFTER", loadAfter);
console.log(lines.join("\n"));

if (writeDoc) {
  const doc = join(root, "docs/benchmarks.md");
  const notes = existsSync(doc) ? (readFileSync(doc, "utf8").split("<!-- notes -->")[1] ?? "") : "";
  writeFileSync(doc, `${lines.join("\n")}\n<!-- notes -->${notes || "\n"}`);
  progress(`written to docs/benchmarks.md`);
}
