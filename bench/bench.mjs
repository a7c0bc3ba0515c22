#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --write]`: one run, same files, medians over
 * several runs, ratios between rows. Prints markdown; `--write` also records
 * it in docs/benchmarks.md. Never a test: machines are shared and noisy, so
 * read the ratios measured in one run.
 *
 * 1. Through Prettier (in-process): this plugin with its self-check on and
 *    off, a do-nothing plugin that only parses with dockerfile-ast (the floor),
 *    and prettier-plugin-sh (on a sample: it is slow).
 * 2. Command line over the whole corpus, a cold process each time:
 *    dockerfile-codemod --check, prettier --check with this plugin, the dprint
 *    CLI with its Dockerfile plugin (local wasm), dockerfmt's native binary.
 * 3. Scaling: synthetic files of 0.2, 2 and 20 MB (quick: 0.2 and 2), time and
 *    peak memory of the formatter and of the codemod, each in a fresh process.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { syntheticDockerfile } from "./synthetic.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const quick = process.argv.includes("--quick");
const writeDoc = process.argv.includes("--write");
const RUNS = quick ? 1 : 5;
const CORPUS = join(root, "..", "shared", "corpus");

if (!existsSync(CORPUS)) {
  console.log(`../shared/corpus not found (looked in ${CORPUS}): nothing to measure.`);
  process.exit(0);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtMs = (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

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

log(`# Benchmarks`);
log();
log(`Measured by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory (${(freemem() / 2 ** 30).toFixed(0)} GiB free), node ${process.version}, ${process.platform}/${process.arch}. Corpus: ${files.length} files, ${(corpusBytes / 1e6).toFixed(1)} MB (../shared/corpus). Medians of ${RUNS} run${RUNS === 1 ? "" : "s"}; ratios are to the row named.`);
log();

// ---------------------------------------------------------------------------
// 1. Through Prettier
const prettier = await import("prettier");
const { DockerfileParser } = await import("dockerfile-ast");
const plugin = (await import(join(root, "dist/plugin/index.js"))).default;
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

async function throughPrettier(options, sample = texts) {
  const times = [];
  let errors = 0;
  // one warm-up pass (JIT, tree-sitter initialisation), then the measured runs
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    for (const text of sample) {
      try {
        await prettier.format(text, options);
      } catch {
        errors += r === 0 ? 1 : 0;
      }
    }
    if (r > 0) times.push(performance.now() - t0);
  }
  const ms = median(times);
  return { ms, filesPerSecond: (sample.length / ms) * 1000, errors, files: sample.length };
}

const rowsPrettier = [];
const floorResult = await throughPrettier({ parser: "floor", plugins: [floor] });
rowsPrettier.push(["do-nothing plugin, parse with dockerfile-ast (the floor)", floorResult]);
const offResult = await throughPrettier({ parser: "dockerfile", plugins: [plugin], dockerfileVerify: false });
rowsPrettier.push(["this plugin, self-check off", offResult]);
const onResult = await throughPrettier({ parser: "dockerfile", plugins: [plugin] });
rowsPrettier.push(["this plugin, self-check on (default)", onResult]);
{
  // prettier-plugin-sh runs in a child process (see prettier-sh-child.mjs) on a sample: it is slow, and it can crash its host.
  const sampleFiles = files.filter((_, i) => i % Math.ceil(files.length / (quick ? 10 : 40)) === 0);
  const r = spawnSync(process.execPath, [join(root, "bench/prettier-sh-child.mjs"), String(RUNS), ...sampleFiles], { encoding: "utf8", maxBuffer: 2 ** 26 });
  const reports = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const last = reports[reports.length - 1];
  const name = `prettier-plugin-sh 0.20 (${sampleFiles.length}-file sample)`;
  if (last && last.times.length > 0) {
    const ms = median(last.times);
    const crashed = r.status !== 0 ? `; the process crashed after ${last.times.length} of ${RUNS} runs` : "";
    rowsPrettier.push([name, { ms, filesPerSecond: (sampleFiles.length / ms) * 1000, errors: `${last.errors}${crashed}`, files: sampleFiles.length }]);
  } else {
    const why = (r.stderr || "").split("\n").find((l) => /Error|panic/.test(l)) ?? `exit ${r.status}`;
    rowsPrettier.push([name, { error: `crashed its process before finishing one run (${why.trim().slice(0, 120)})` }]);
  }
}

log(`## 1. Through Prettier (\`prettier.format\`, in-process)`);
log();
log(`| | files/s | time for its files | vs floor (time per file) | files that failed |`);
log(`|---|---:|---:|---:|---:|`);
for (const [name, r] of rowsPrettier) {
  if (r.error) {
    log(`| ${name} | - | - | - | did not run: ${r.error} |`);
    continue;
  }
  const ratio = (r.ms / r.files) / (floorResult.ms / floorResult.files);
  log(`| ${name} | ${Math.round(r.filesPerSecond)} | ${fmtMs(r.ms)} | ${ratio.toFixed(2)}x | ${r.errors} |`);
}
log();
log(`Targets: self-check off within 1.2x of the floor, on within 2x. Measured: off ${(offResult.ms / floorResult.ms).toFixed(2)}x, on ${(onResult.ms / floorResult.ms).toFixed(2)}x. (Files that fail are the corpus's deliberately invalid test inputs; they fail in the same way for every run.)`);
log();

// ---------------------------------------------------------------------------
// 2. Command line, cold process each time
const work = mkdtempSync(join(tmpdir(), "dockerfile-bench-"));
const flat = join(work, "corpus");
mkdirSync(flat);
files.forEach((f, i) => cpSync(f, join(flat, `${String(i).padStart(4, "0")}.dockerfile`)));
const flatFiles = readdirSync(flat).map((f) => join(flat, f));
const dprintConfig = join(work, "dprint.json");
writeFileSync(
  dprintConfig,
  JSON.stringify({ plugins: [require.resolve("@dprint/dockerfile/plugin.wasm")], includes: ["**/*.dockerfile"] }),
);
const hasTime = existsSync("/usr/bin/time");

function timed(cmd, args, cwd) {
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "__RSS__%M", cmd, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 2 ** 20 })
    : spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
  const ms = performance.now() - t0;
  const rss = hasTime ? Number(/__RSS__(\d+)/.exec(r.stderr ?? "")?.[1] ?? NaN) : NaN;
  return { ms, status: r.status, rssKB: rss, error: r.error };
}

function cliRow(name, cmd, args, cwd) {
  const times = [];
  let last;
  timed(cmd, args, cwd); // warm the file cache and any plugin cache (dprint compiles its wasm once)
  for (let r = 0; r < RUNS; r++) {
    last = timed(cmd, args, cwd);
    if (last.error) return { name, error: String(last.error.message) };
    times.push(last.ms);
  }
  return { name, ms: median(times), status: last.status, rssKB: last.rssKB };
}

const node = process.execPath;
const rowsCli = [];
const codemodBin = join(root, "dist/src/cli/bin.js");
rowsCli.push(existsSync(codemodBin) ? cliRow("dockerfile-codemod --check", node, [codemodBin, "--check", "."], flat) : { name: "dockerfile-codemod --check", error: "not built yet" });
rowsCli.push(cliRow("prettier --check with this plugin", node, [require.resolve("prettier/bin/prettier.cjs"), "--plugin", join(root, "dist/plugin/index.js"), "--check", "*.dockerfile"], flat));
// the same prettier CLI with the do-nothing plugin: what Prettier's CLI costs by itself
const floorPlugin = join(work, "floor-plugin.mjs");
writeFileSync(
  floorPlugin,
  `import { DockerfileParser } from ${JSON.stringify(require.resolve("dockerfile-ast"))};
export const languages = [{ name: "floor", parsers: ["floor"], extensions: [".dockerfile"] }];
export const parsers = { floor: { astFormat: "floor", parse: (text) => { DockerfileParser.parse(text); return { text }; }, locStart: () => 0, locEnd: () => 0 } };
export const printers = { floor: { print: (path) => path.node.text } };
`,
);
rowsCli.push(cliRow("prettier --check with the do-nothing plugin (floor)", node, [require.resolve("prettier/bin/prettier.cjs"), "--plugin", floorPlugin, "--check", "*.dockerfile"], flat));
const dprintBin = join(root, "node_modules/.bin/dprint");
rowsCli.push(existsSync(dprintBin) ? cliRow("dprint check (@dprint/dockerfile 0.6)", dprintBin, ["check", "--config", dprintConfig], flat) : { name: "dprint", error: "not installed" });
let dockerfmtBin = null;
try {
  dockerfmtBin = require.resolve(`@reteps/dockerfmt-${process.platform}-${process.arch}/bin/dockerfmt`);
} catch {
  /* no native binary for this platform */
}
rowsCli.push(dockerfmtBin ? cliRow("dockerfmt --check (native 0.5.4)", dockerfmtBin, ["--check", ...flatFiles], flat) : { name: "dockerfmt", error: "no native binary installs here" });

const dprintRow = rowsCli.find((r) => r.name.startsWith("dprint"));
log(`## 2. Command line, whole corpus, cold process each time`);
log();
log(`| | wall time | vs dprint | peak memory | exit code |`);
log(`|---|---:|---:|---:|---:|`);
for (const r of rowsCli) {
  if (r.error) {
    log(`| ${r.name} | - | - | - | did not run: ${r.error} |`);
    continue;
  }
  const ratio = dprintRow && !dprintRow.error ? `${(r.ms / dprintRow.ms).toFixed(2)}x` : "-";
  log(`| ${r.name} | ${fmtMs(r.ms)} | ${ratio} | ${Number.isNaN(r.rssKB) ? "n/a" : `${Math.round(r.rssKB / 1024)} MB`} | ${r.status} |`);
}
log();
log(`Exit codes: dockerfile-codemod 1 = changes found (2 when a file cannot be parsed: the corpus holds a few deliberately invalid test inputs); prettier 1/2 = unformatted or invalid files found; dprint 20 = unformatted files found; dockerfmt stops at its first problem file, so its time covers only part of the corpus.`);
log();

// ---------------------------------------------------------------------------
// 3. Scaling
const sizes = quick ? [0.2, 2] : [0.2, 2, 20];
const rowsScale = [];
for (const mb of sizes) {
  const file = join(work, `synthetic-${mb}.dockerfile`);
  writeFileSync(file, syntheticDockerfile(mb * 1e6));
  const row = { mb };
  for (const mode of ["format", "codemod"]) {
    const r = spawnSync(node, [join(root, "bench/scale-child.mjs"), mode, file], { encoding: "utf8", maxBuffer: 2 ** 26 });
    try {
      row[mode] = JSON.parse(r.stdout.trim().split("\n").pop());
    } catch {
      row[mode] = { error: (r.stderr || r.stdout).split("\n")[0] };
    }
  }
  rowsScale.push(row);
}
log(`## 3. Scaling: one synthetic file (bench/synthetic.mjs), fresh process, work time without start-up`);
log();
log(`| size | formatter time | formatter peak memory | codemod time | codemod peak memory |`);
log(`|---|---:|---:|---:|---:|`);
for (const r of rowsScale) {
  const cell = (x) => (x.error ? `failed: ${x.error}` : fmtMs(x.ms));
  const mem = (x) => (x.error ? "-" : `${Math.round(x.maxRSSKB / 1024)} MB`);
  log(`| ${r.mb} MB | ${cell(r.format)} | ${mem(r.format)} | ${cell(r.codemod)} | ${mem(r.codemod)} |`);
}
const byMb = Object.fromEntries(rowsScale.map((r) => [r.mb, r]));
if (byMb[20] && byMb[2]) {
  log();
  log(`20 MB / 2 MB: formatter ${(byMb[20].format.ms / byMb[2].format.ms).toFixed(1)}x, codemod ${(byMb[20].codemod.ms / byMb[2].codemod.ms).toFixed(1)}x (target at most 12x).`);
}
if (byMb[2]) {
  log(`Per MB at 2 MB: formatter ${fmtMs(byMb[2].format.ms / 2)}, codemod ${fmtMs(byMb[2].codemod.ms / 2)} (target: no 1 MB input over 1 s).`);
}
log();
rmSync(work, { recursive: true, force: true });

if (writeDoc) {
  const doc = join(root, "docs/benchmarks.md");
  const notes = existsSync(doc) ? readFileSync(doc, "utf8").split("<!-- notes -->")[1] ?? "" : "";
  writeFileSync(doc, `${lines.join("\n")}\n<!-- notes -->${notes || "\n"}`);
  console.log(`written to docs/benchmarks.md`);
}

