/**
 * Running the command in the CLI tests, two ways with one result shape:
 *
 * - runMain: the command's main() in this process, with the Io the bin would
 *   give it (no terminal, the working directory, the environment and stdin
 *   passed in, nothing read from this process's own). Most tests are about
 *   what main() does; a process per call cost ~0.35 s of CPU each.
 * - runBin: the built bin (node dist/src/cli/bin.js; `npm test` builds dist/
 *   first), in its own process, for what only a process shows: the exit code
 *   of a signal, stdin through a real pipe, the version read from the dist
 *   layout, a smoke run per output format, the README's command lines.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./helpers.js";
import { main } from "../src/cli/main.js";

export const BIN = join(ROOT, "dist/src/cli/bin.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliCall {
  cwd: string;
  /** What is on stdin (empty when not given). */
  input?: string | Uint8Array;
  /** The whole environment the command sees. */
  env: NodeJS.ProcessEnv;
}

/** The built bin in its own process; stdout and stderr are pipes (no terminal). */
export function runBin(args: string[], { cwd, input, env }: CliCall): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** main() in this process, given what the bin would give it for the same call. */
export async function runMain(args: string[], { cwd, input, env }: CliCall): Promise<CliResult> {
  // Prettier caches the configuration files it has read; a new process would read them afresh (tests rewrite them)
  if (args.includes("--reformat")) (await import("prettier")).clearConfigCache();
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => (typeof input === "string" ? new TextEncoder().encode(input) : (input ?? new Uint8Array())),
    cwd,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    env,
  });
  return { code, stdout, stderr };
}
