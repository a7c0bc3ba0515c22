// One measurement in a fresh process: node bench/scale-child.mjs <format|codemod> <file> [distDir]
// Prints {"ms": ..., "maxRSSKB": ...}: the time of the work alone (start-up and
// tree-sitter initialisation excluded) and the peak memory of the process.
// The benchmark starts the codemod's child with the V8 flags the command sets.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
const [mode, file, distArg] = process.argv.slice(2);
const dist = distArg ?? new URL("../dist", import.meta.url).pathname;
const core = await import(pathToFileURL(join(dist, "src/index.js")).href);
const { fixSync } = await import(pathToFileURL(join(dist, "src/codemod/fix.js")).href);
await core.initShell();
const text = readFileSync(file, "utf8");
const t0 = performance.now();
if (mode === "format") core.formatText(text);
else fixSync(text);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms: Math.round(ms), maxRSSKB: process.resourceUsage().maxRSS }));
process.exit(0);
