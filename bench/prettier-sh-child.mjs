// prettier-plugin-sh in its own process: its Go WebAssembly runtime can throw
// after a file has failed ("Go program has already exited") and take the host
// process down, so the main benchmark must not host it.
// node bench/prettier-sh-child.mjs <runs> <file>...  ->  one {"times": [...], "errors": n, "formatted": n} line per run
import { readFileSync } from "node:fs";
import * as prettier from "prettier";
const shModule = await import("prettier-plugin-sh");
const sh = shModule.default ?? shModule;
const [runsArg, ...files] = process.argv.slice(2);
const texts = files.map((f) => readFileSync(f, "utf8"));
const times = [];
let errors = 0;
let formatted = 0;
const report = () => console.log(JSON.stringify({ times, errors, formatted }));
// run 0 warms up (Prettier, the Go runtime); runs 1..n are measured
for (let r = 0; r <= Number(runsArg); r++) {
  const t0 = performance.now();
  for (const text of texts) {
    try {
      await prettier.format(text, { parser: "dockerfile", plugins: [sh] });
      if (r === 0) formatted++;
    } catch {
      if (r === 0) errors++;
    }
  }
  if (r > 0) times.push(performance.now() - t0);
  report();
}
process.exit(0);
