/**
 * merge-cleanup-run judged by running the shells, as the rulebook's facts were
 * checked: stub programs log every call (name, arguments, working directory,
 * the variable X) and fail at the N-th call. For every N, the separate RUNs
 * (each in a fresh shell, each only if the ones before succeeded) and the
 * merged RUN must make the same calls, in the same order, and fail or succeed
 * alike, stage by stage. Generated RUNs cover cd, variables (loop and `read`
 * variables too), functions, traps, exit, subshells, compound commands,
 * background jobs and errexit, under dash and `bash -e`; each cleanup is
 * paired with what creates what it deletes, directly before it or with a RUN
 * between (a chain merge).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { fixSync } from "../src/codemod/fix.js";
import { fixtureCases } from "./helpers.js";

const STUBS = ["apt-get", "apk", "pip", "npm", "rm", "curl", "make", "tool", "find", "git"];
const HAS_DASH = spawnSync("dash", ["-c", "exit 0"]).status === 0;
const HAS_BASH = spawnSync("bash", ["-c", "exit 0"]).status === 0;
let dir = "";
let stubDir = "";
let work = "";

beforeAll(async () => {
  await initShell();
  dir = mkdtempSync(join(tmpdir(), "merge-behaviour-"));
  stubDir = join(dir, "bin");
  work = join(dir, "work");
  spawnSync("mkdir", ["-p", stubDir, work, join(work, "vendor")]);
  // What each call depends on: rm and find their paths (relative ones resolved), apt-get and apk
  // the environment, the others the environment and the working directory.
  const stub = [
    "#!/bin/sh",
    'read n < "$STUB_STATE/count"; n=$((n+1)); echo "$n" > "$STUB_STATE/count"',
    'name=${0##*/}; line=$name; paths=1',
    'case $name in',
    '  rm|find) for a in "$@"; do case $a in -*|"("|"!") line="$line $a"; [ "$name" = find ] && paths=0;; /*) line="$line $a";; *) if [ "$paths" = 1 ]; then line="$line $PWD/$a"; else line="$line $a"; fi;; esac; done',
    '    [ "$name" = find ] && line="$line | X=${X-unset}";;',
    '  apt-get|apk) line="$line $* | X=${X-unset}";;',
    '  *) line="$line $* | pwd=$PWD X=${X-unset}";;',
    "esac",
    'echo "$line" >> "$STUB_STATE/log"',
    '[ "$n" = "$FAIL_AT" ] && exit 1',
    "exit 0",
    "",
  ].join("\n");
  for (const name of STUBS) {
    writeFileSync(join(stubDir, name), stub);
    chmodSync(join(stubDir, name), 0o755);
  }
  // One process per case: runs the separate RUNs (b0, b1, ...) and the merged ones (a0, ...) with the
  // call numbered $f failing, for f = 0 .. (calls of a clean run) + 1, and prints the first f where they differ.
  writeFileSync(
    join(dir, "driver.sh"),
    [
      'S=$STUB_STATE; cd "$WORK"',
      // the scripts come as B0 B1 ... (separate RUNs, NB of them) and A0 ... (merged, NA)
      'run() { echo 0 > "$S/count"; : > "$S/log"; ok=1; i=0; while [ "$i" -lt "$2" ]; do eval "script=\\$$1$i"; $SHELL_CMD "$script" || { ok=0; break; }; i=$((i + 1)); done; }',
      'export FAIL_AT=0; run B "$NB"; read calls < "$S/count"',
      "f=0",
      'while [ "$f" -le $((calls + 1)) ]; do',
      "  export FAIL_AT=$f",
      '  run B "$NB"; okb=$ok; cp "$S/log" "$S/log.b"',
      '  run A "$NA"; oka=$ok',
      '  if [ "$okb" != "$oka" ] || ! cmp -s "$S/log" "$S/log.b"; then echo "$f"; exit 0; fi',
      "  f=$((f + 1))",
      "done",
      "echo ok",
      "",
    ].join("\n"),
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  log: string;
  ok: boolean;
  calls: number;
}

/** Runs shell texts one after another, each in a fresh shell, stopping at the first failure (as a build does). */
function build(shell: string[], scripts: string[], failAt: number): Run {
  writeFileSync(join(dir, "count"), "0");
  writeFileSync(join(dir, "log"), "");
  let ok = true;
  for (const script of scripts) {
    const r = spawnSync(shell[0]!, [...shell.slice(1), script], {
      cwd: work,
      encoding: "utf8",
      env: { PATH: `${stubDir}:/usr/bin:/bin`, STUB_STATE: dir, FAIL_AT: String(failAt), HOME: dir },
      timeout: 10_000,
    });
    if (r.status !== 0) {
      ok = false;
      break;
    }
  }
  return { log: readFileSync(join(dir, "log"), "utf8"), ok, calls: Number(readFileSync(join(dir, "count"), "utf8")) };
}

/** The RUN texts of each stage of a Dockerfile and the SHELL in effect for them. */
function runs(text: string): { shell: string[]; scripts: string[] }[] {
  const model = buildModel(text);
  return model.stages.map((stage) => {
    let shell = ["dash", "-c"];
    const scripts: string[] = [];
    for (const i of stage.instructions) {
      if (i.command.keyword === "SHELL" && i.command.json) shell = i.command.json.map((a, k) => (k === 0 ? a.replace(/^\/bin\//, "") : a));
      if (i.command.keyword === "RUN") scripts.push(i.command.args);
    }
    if (shell[0] === "sh") shell = ["dash", ...shell.slice(1)];
    return { shell, scripts };
  });
}

/** Same calls, same outcome, whichever call fails, in every stage. Returns the failing case, if any. */
function sameBehaviour(before: string, after: string): string | null {
  const stagesA = runs(before);
  const stagesB = runs(after);
  if (stagesA.length !== stagesB.length) return "the stages changed";
  for (let s = 0; s < stagesA.length; s++) {
    const problem = sameStageBehaviour(stagesA[s]!, stagesB[s]!);
    if (problem) return `stage ${s}: ${problem}`;
  }
  return null;
}

function sameStageBehaviour(a: { shell: string[]; scripts: string[] }, b: { shell: string[]; scripts: string[] }): string | null {
  if (a.shell.join(" ") !== b.shell.join(" ")) return "the SHELL changed";
  if (a.shell[0] !== "dash" && a.shell[0] !== "bash") return null; // not a shell this machine runs the same way
  const scripts: Record<string, string> = { NB: String(a.scripts.length), NA: String(b.scripts.length) };
  a.scripts.forEach((script, i) => (scripts[`B${i}`] = script));
  b.scripts.forEach((script, i) => (scripts[`A${i}`] = script));
  const r = spawnSync("sh", [join(dir, "driver.sh")], {
    encoding: "utf8",
    env: { PATH: `${stubDir}:/usr/bin:/bin`, STUB_STATE: dir, WORK: work, HOME: dir, SHELL_CMD: a.shell.join(" "), ...scripts },
    timeout: 60_000,
  });
  const verdict = r.stdout.trim();
  if (verdict === "ok") return null;
  if (!/^\d+$/.test(verdict)) return `driver failed: ${r.stderr}`;
  const failAt = Number(verdict);
  const x = build(a.shell, a.scripts, failAt);
  const y = build(b.shell, b.scripts, failAt);
  return `call ${failAt} fails:\n--- separate RUNs (${x.ok ? "ok" : "fail"})\n${x.log}--- merged (${y.ok ? "ok" : "fail"})\n${y.log}`;
}

/** What creates what a cleanup deletes, and that cleanup (the stubs log them; nothing is written). */
const CREATES: [string, string][] = [
  ["apt-get update", "rm -rf /var/lib/apt/lists/*"],
  ["apt-get install -y curl", "apt-get clean"],
  ["apk add git", "rm -rf /var/cache/apk/*"],
  ["pip install requests", "pip cache purge"],
  ["pip install requests", "find /tmp -name '*.pyc' -delete"],
  ["npm ci", "npm cache clean --force"],
  ["curl -o /tmp/f u", "rm -f /tmp/f"],
  ["curl -o f u", "rm -f f"],
  ["git clone u /tmp/src", "rm -rf /tmp/src/.git"],
];
const atom = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("tool a", "make", "curl -o /tmp/g u", "tool b | cat", "! tool d", "tool e || tool f") },
  { weight: 1, arbitrary: fc.constantFrom("cd /tmp", "cd vendor", "X=1", "export X=2", "X=3 tool g", "unset X", ": ${X:=4}") },
  { weight: 1, arbitrary: fc.constantFrom("for PATH in /nonexistent; do tool p; done", "read -r PATH < /dev/null", "for X in 5 6; do tool w; done", "getopts a PATH") },
  { weight: 1, arbitrary: fc.constantFrom("set -e", "set +e", "set -eux", "set -o errexit", "set -o pipefail", "set -f") },
  { weight: 1, arbitrary: fc.constantFrom("exit 0", "trap 'tool trapped' EXIT", "f() { tool h; tool i; }; f", "tool j &", "eval tool k", "coproc tool c") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "( tool l; tool m )",
      "{ tool n; tool o; }",
      "if tool p; then tool q; tool r; fi",
      "for v in 1 2; do tool s $v; done",
      "(set -e; tool t; tool u)",
      "echo $(tool v)",
    ),
  },
);
const separator = fc.constantFrom("; ", " && ", " || ");
const installScript = (inst: string) =>
  fc
    .tuple(fc.array(fc.tuple(atom, separator), { maxLength: 2 }), fc.array(fc.tuple(separator, atom), { maxLength: 1 }), fc.constantFrom("", ";"))
    .map(([before, after, end]) => before.map(([a, s]) => a + s).join("") + inst + after.map(([s, a]) => s + a).join("") + end);
const cleanupCommand = fc.constantFrom(...new Set([...CREATES.map(([, c]) => c), "true", "apt-get autoremove -y"]));
/** A cleanup RUN that deletes what the install creates, and maybe more. */
const cleanupScript = (first: string) =>
  fc.array(fc.tuple(separator, cleanupCommand), { maxLength: 2 }).map((rest) => first + rest.map(([s, c]) => s + c).join(""));
/** An install RUN and a cleanup RUN for one of the pairs. */
const pair = fc.integer({ min: 0, max: CREATES.length - 1 }).chain((k) => fc.tuple(installScript(CREATES[k]![0]), cleanupScript(CREATES[k]![1])));
/** A RUN between the install and the cleanup (a chain merge), or none. */
const between = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.tuple(atom, fc.array(fc.tuple(separator, atom), { maxLength: 1 })).map(([a, rest]) => a + rest.map(([s, b]) => s + b).join("")) },
);
const shellLine = fc.constantFrom("", "", 'SHELL ["/bin/bash", "-c"]\n', 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]\n', 'SHELL ["/bin/sh", "-ec"]\n');

describe.skipIf(!HAS_DASH || !HAS_BASH)("merge-cleanup-run keeps what the build does", () => {
  test("every merge fixture: same calls and outcome at every failure point, stage by stage", () => {
    let checked = 0;
    for (const c of fixtureCases("rules/merge-cleanup-run")) {
      if (c.input === c.output) continue;
      checked++;
      expect(sameBehaviour(c.input, c.output), c.name).toBeNull();
    }
    expect(checked).toBeGreaterThan(20);
  });

  test("coproc starts its command in the background, as & does (bash): a RUN with one is never merged", () => {
    const marker = join(dir, "coproc-marker");
    const r = spawnSync("bash", ["-c", `coproc { sleep 0.5; : > "${marker}"; }; [ -e "${marker}" ] && echo waited || echo background; wait`], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe("background");
    expect(existsSync(marker)).toBe(true); // it did run, after the shell went on
    const input = 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN apt-get update && apt-get install -y curl; coproc tail -f /dev/null\nRUN rm -rf /var/lib/apt/lists/*\n';
    expect(fixSync(input, { select: ["merge-cleanup-run"] }).changed).toBe(false);
  });

  test("a loop or read variable is assigned for what runs after it in the same shell, as NAME=value is", () => {
    for (const shell of ["dash", "bash"]) {
      for (const script of ["for PATH in /nonexistent; do :; done", "read -r PATH", "getopts a PATH"]) {
        const r = spawnSync(shell, ["-c", `${script}; rm --version >/dev/null 2>&1 && echo found || echo not-found`], { encoding: "utf8", input: "/nonexistent\n", env: { PATH: "/usr/bin:/bin" } });
        expect(r.stdout.trim(), `${shell}: ${script}`).toBe("not-found");
      }
    }
  });

  // MERGE_BEHAVIOUR_RUNS=2000 for a longer search, with a random seed
  const numRuns = Number(process.env.MERGE_BEHAVIOUR_RUNS ?? 100);
  const seed = process.env.MERGE_BEHAVIOUR_RUNS ? Date.now() : 20261122;
  test("generated install and cleanup RUNs: merged only when the build stays the same", () => {
    let merged = 0;
    let chains = 0;
    fc.assert(
      fc.property(shellLine, pair, between, (shell, [r1, r2], middle) => {
        const input = `FROM debian:12\n${shell}RUN ${r1}\n${middle === null ? "" : `RUN ${middle}\n`}RUN ${r2}\n`;
        const result = fixSync(input, { select: ["merge-cleanup-run"] });
        if (!result.changed) return true;
        merged++;
        if (middle !== null) chains++;
        const problem = sameBehaviour(input, result.output);
        if (problem) throw new Error(`${input}=>\n${result.output}\n${problem}`);
        return true;
      }),
      { numRuns, seed },
    );
    console.log(`merge behaviour: ${merged} of ${numRuns} generated installs and cleanups merged (${chains} through a RUN between), seed ${seed}, each run at every failure point`);
    expect(chains).toBeGreaterThan(numRuns / 20);
    expect(merged).toBeGreaterThan(numRuns / 4);
  }, process.env.MERGE_BEHAVIOUR_RUNS ? 3_600_000 : undefined);
});
if (!HAS_DASH || !HAS_BASH) test.skip("dash or bash is not installed: merge behaviour not run", () => {});
