// One measurement in a fresh process: node bench/scale-child.mjs <format|codemod> <file>
// Prints {"ms": ..., "maxRSSKB": ...}: the time of the work alone (start-up excluded) and the peak memory.
import { readFileSync } from "node:fs";
const [mode, file] = process.argv.slice(2);
const core = await import("../dist/src/index.js");
const { fixSync } = await import("../dist/src/codemod/fix.js");
await core.initShell();
const text = readFileSync(file, "utf8");
const t0 = performance.now();
if (mode === "format") core.formatText(text);
else fixSync(text);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms: Math.round(ms), maxRSSKB: process.resourceUsage().maxRSS }));
process.exit(0);
