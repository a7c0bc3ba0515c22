#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// tree-sitter-bash is a large WebAssembly module. V8's baseline compiler
// (Liftoff) is fast enough for its parses; its optimising tier would spend
// about a second of CPU recompiling the module, much of it after the run is
// over, while the process waits to exit. Set before anything compiles it.
setFlagsFromString("--liftoff-only");

// JavaScript: V8 optimises a function with TurboFan once it has run a while
// (its interrupt budget). A run over ordinary Dockerfiles (a repository, a
// pre-commit hook's few files) is over before most of that compiled code
// pays for itself; with a budget 7.5 times V8's default (67,584), only the
// functions that stay hot are optimised: the corpus run's CPU fell by a
// quarter, and files of 1-2 MB, where the optimised code matters, stay
// within 10% of the default either way (docs/benchmarks.md). Turning
// TurboFan off (--max-opt=2) saved as much on the corpus but cost 10-40%
// on a 1 MB file, and turning it back on once a run proved large did not
// bring that speed back.
setFlagsFromString("--interrupt-budget=500000");

// Memory: V8 doubles its young generation as a run allocates, to two 16 MB
// semi-spaces over a repository of Dockerfiles (peak 107 MB over the corpus);
// kept at its first size, the run peaks at 79 MB for about 6% more time
// (more, smaller scavenges). A run that reads more than a few megabytes is
// given the default growth back (main.ts, MEMORY_THRIFT_BYTES), where
// fewer scavenges are worth more than the memory.
setFlagsFromString("--semi-space-growth-factor=1");

const { main } = await import("./main.js");
const { removePendingWrites } = await import("./files.js");

// An interrupted --write leaves no temporary file behind, and exits with the
// conventional code of the signal (128 + its number), as a shell reports it.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const) {
  process.on(signal, () => {
    removePendingWrites();
    process.exit(code);
  });
}

const readStdin = async (): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Exits once stdout and stderr are flushed. */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin,
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
  stdoutIsTTY: process.stdout.isTTY === true,
  env: process.env,
}).then(exit, (error: unknown) => {
  process.stderr.write(`dockerfile-codemod: internal error: ${(error as Error).stack ?? String(error)}\n`);
  exit(2);
});
