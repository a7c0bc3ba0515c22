/**
 * merge-cleanup-run and consecutive-run judged by running the shells, as the
 * rulebook's facts were checked: stub programs log every call (name,
 * arguments, working directory, the variable X) and fail at the N-th call;
 * the scripts' PATH holds nothing but stubs (an installer stub puts a newer
 * stub earlier on PATH, so the shell's command hash shows), and as root they
 * run as nobody. The separate RUNs (each in a fresh shell, each only if the
 * ones before succeeded) and the joined RUN must make the same calls, in the
 * same order, and fail or succeed alike, stage by stage:
 * - every fixture of both rules, at every failure point;
 * - generated install and cleanup RUNs (cd, variables, functions, traps,
 *   exit, subshells, compound commands, background jobs, errexit), paired
 *   directly or through a RUN between (a chain merge);
 * - every join the codemod makes over ../shared/corpus (default rules, and
 *   --select consecutive-run), under dash and bash where the SHELL is sh;
 * - generated shell-state pairs (command hash, set, shopt, IFS, GLOBIGNORE,
 *   EXECIGNORE, PATH, CDPATH, HOME, cwd, umask, traps, aliases, functions):
 *   where the plain `R1 && R2` runs otherwise, the rule refused or kept R1
 *   apart, and what it wrote runs as the separate RUNs.
 * checkJoin (src/shell/join-check.ts) is tested on its own at the end.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { fixSync, joinsConfirmed } from "../src/codemod/fix.js";
import { shellsInEffect } from "../src/meaning/meaning.js";
import { ruleById } from "../src/rules/index.js";
import { checkJoin } from "../src/shell/join-check.js";
import { stateEffects } from "../src/shell/shell-state.js";
import { allCommands, literalWord, shellTree } from "../src/shell/tree.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles, fixtureCases } from "./helpers.js";

const STUBS = ["apt-get", "apk", "pip", "pip3", "npm", "gem", "rm", "curl", "make", "tool", "find", "git", "cat", "ls", "installer"];
/** Where each shell is (the scripts' PATH holds only stubs, so the shells are started by their full path). */
const shellPath = (name: string): string | null => {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8", env: { PATH: "/usr/local/bin:/usr/bin:/bin" } });
  return r.status === 0 && r.stdout.trim().startsWith("/") ? r.stdout.trim() : null;
};
const DASH = shellPath("dash");
const BASH = shellPath("bash");
const HAS_DASH = DASH !== null;
const HAS_BASH = BASH !== null;
/** Run as root, the scripts run as nobody (setpriv), so a redirect in a corpus RUN cannot write outside the scratch folder's reach. */
const AS_NOBODY = process.getuid?.() === 0 && spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "true"]).status === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
/** Names the shells run themselves: no stub may stand for them (dash's and bash's builtins and keywords). */
const SHELL_OWN = new Set([
  ".", ":", "[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs",
  "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset",
  "wait", "shopt", "declare", "typeset", "source", "builtin", "enable", "let", "mapfile", "readarray", "caller", "compgen", "complete", "dirs", "disown", "help",
  "history", "logout", "popd", "pushd", "suspend", "coproc",
]);
let dir = "";
let stubDir = "";
let earlyDir = "";
let work = "";

/**
 * A stub program: logs its name (and `(new)` for one an installer put
 * earlier on PATH), its arguments, the working directory and X, then fails
 * at the FAIL_AT-th call. An installer stub (`installer NAME`, `pip3 install
 * --upgrade pip`, `npm install -g npm@...`, `gem update --system`) writes a
 * new stub for the name into the folder earlier on PATH, as a real one
 * installs a newer program in /usr/local/bin: a shell that remembered the
 * old path (its command hash) still runs the old one. Only builtins and
 * one program by full path (/bin/chmod, for the new stub) run. A stub reads
 * all of its stdin before it logs, so the stubs of a pipeline log in order.
 */
function stubText(variant: string): string {
  return [
    "#!/bin/sh",
    // all of stdin first: in `a | b` the stub b logs after a ended, so calls keep one order and one count
    "while IFS= read -r _l; do :; done",
    // and what a process substitution gives it (`tool <(curl ...)`): that writer has then ended too
    'for _a in "$@"; do case $_a in /dev/fd/*) while IFS= read -r _l; do :; done < "$_a";; esac; done',
    'read n < "$STUB_STATE/count"; n=$((n+1)); echo "$n" > "$STUB_STATE/count"',
    `name=\${0##*/}; line="$name${variant}"; paths=1; new=""`,
    'case $name in',
    '  rm|find) for a in "$@"; do case $a in -*|"("|"!") line="$line $a"; [ "$name" = find ] && paths=0;; /*) line="$line $a";; *) if [ "$paths" = 1 ]; then line="$line $PWD/$a"; else line="$line $a"; fi;; esac; done',
    '    [ "$name" = find ] && line="$line | X=${X-unset}";;',
    '  apt-get|apk) line="$line $* | X=${X-unset}";;',
    '  *) line="$line $* | pwd=$PWD X=${X-unset}";;',
    "esac",
    'case "$name $*" in',
    '  "installer "*) new=$1;;',
    '  "pip3 install --upgrade pip"*|"pip install --upgrade pip"*|"pip3 install -U pip"*) new=$name;;',
    '  "npm install -g npm"*|"gem update --system"*) new=$name;;',
    "esac",
    'if [ -n "$new" ] && [ -n "$STUB_EARLY" ]; then',
    '  { echo "#!/bin/sh"; echo "STUB_VARIANT=\'(new)\' . \\"$STUB_STATE/stub-body\\""; } > "$STUB_EARLY/$new"; /bin/chmod 755 "$STUB_EARLY/$new"',
    "fi",
    'echo "$line" >> "$STUB_STATE/log"',
    '[ "$n" = "$FAIL_AT" ] && exit 1',
    "exit 0",
    "",
  ].join("\n");
}

/**
 * Whether every command a script runs is a stub: a literal name without a
 * slash (a path, or a name from an expansion, would start a real program).
 */
function runsOnlyStubs(script: string): boolean {
  for (const c of allCommands(shellTree(script))) {
    const w = c.words[0];
    if (!w) continue;
    const name = literalWord(w);
    if (name === null || name.includes("/")) return false;
    if (name === "eval" || name === "source" || name === "." || name === "exec" || name === "command" || name === "builtin") return false;
  }
  return true;
}

/** Stubs for every literal command name the scripts run (shell builtins aside), so PATH holds nothing else. */
function ensureStubs(scripts: string[]): void {
  for (const script of scripts) {
    for (const c of allCommands(shellTree(script))) {
      const w = c.words[0];
      const name = w ? literalWord(w) : null;
      if (name === null || name === "" || name.includes("/") || SHELL_OWN.has(name) || !/^[A-Za-z0-9._+-]+$/.test(name)) continue;
      const file = join(stubDir, name);
      if (existsSync(file)) continue;
      writeFileSync(file, "#!/bin/sh\n. \"$STUB_STATE/stub-body\"\n");
      chmodSync(file, 0o755);
    }
  }
}

beforeAll(async () => {
  await initShell();
  dir = mkdtempSync(join(tmpdir(), "merge-behaviour-"));
  stubDir = join(dir, "bin");
  earlyDir = join(dir, "early");
  work = join(dir, "work");
  for (const d of [stubDir, earlyDir, work, join(work, "vendor")]) mkdirSync(d, { recursive: true });
  // the stub's body, sourced by each stub (stubs are tiny: one per name the scripts run)
  writeFileSync(join(dir, "stub-body"), stubText("${STUB_VARIANT-}").replace("#!/bin/sh\n", ""));
  ensureStubs(STUBS);
  // One process per case: runs the separate RUNs (b0, b1, ...) and the merged ones (a0, ...) with the
  // call numbered $f failing, for f = 0 .. (calls of a clean run) + 1, and prints the first f where they differ.
  writeFileSync(join(dir, "driver.sh"), DRIVER);
  writeFileSync(join(dir, "batch.sh"), BATCH);
  for (const p of [dir, stubDir, earlyDir, work, join(work, "vendor")]) chmodSync(p, 0o777);
});

/**
 * Runs the scripts of one side (B or A), each in a fresh shell whose PATH
 * holds only the stubs (the installers' folder first), stopping at the
 * first failure as a build does. The folder the installers write is emptied
 * first: each side starts from the same files.
 */
const RUN_SIDE = [
  'run() { echo 0 > "$S/count"; : > "$S/log"; for _e in "$S/early/"*; do [ -e "$_e" ] && { /bin/rm -f "$S/early/"*; break; }; done; ok=1; i=0',
  '  while [ "$i" -lt "$2" ]; do eval "script=\\$$1$i"; PATH="$S/early:$S/bin" STUB_EARLY="$S/early" $SHELL_CMD "$script" </dev/null >/dev/null 2>&1 || { ok=0; break; }; i=$((i + 1)); done; }',
  /** The log as one string, read with builtins only. */
  'slurp() { out=""; while IFS= read -r l; do out="$out$l|"; done < "$1"; }',
].join("\n");

const DRIVER = [
  'S=$STUB_STATE; cd "$WORK"',
  RUN_SIDE,
  'export FAIL_AT=0; run B "$NB"; read calls < "$S/count"',
  "f=0",
  'while [ "$f" -le $((calls + 1)) ]; do',
  "  export FAIL_AT=$f",
  '  run B "$NB"; okb=$ok; slurp "$S/log"; logb=$out',
  '  run A "$NA"; oka=$ok; slurp "$S/log"',
  '  if [ "$okb" != "$oka" ] || [ "$out" != "$logb" ]; then echo "$f"; exit 0; fi',
  "  f=$((f + 1))",
  "done",
  "echo ok",
  "",
].join("\n");

/**
 * Many cases in one process: each case file sets SHELL_CMD, NB, B0..., NA,
 * A0... and MAXF; for f = 0 and the failure points up to MAXF (spread over
 * the calls of a clean run) it compares the two sides, and prints
 * `<case> ok` or `<case> <f>` (the first failure point where they differ).
 */
const BATCH = [
  'S=$STUB_STATE; cd "$WORK"',
  RUN_SIDE,
  'for c in "$@"; do',
  '  . "$c"',
  '  export FAIL_AT=0; run B "$NB"; read calls < "$S/count"; verdict=ok',
  '  k=0; while [ "$k" -le "$MAXF" ]; do',
  '    if [ "$k" = 0 ]; then f=0; else f=$(( calls * k / MAXF )); [ "$f" -lt 1 ] && f=1; fi',
  '    export FAIL_AT=$f',
  '    run B "$NB"; okb=$ok; slurp "$S/log"; logb=$out',
  '    run A "$NA"; oka=$ok; slurp "$S/log"',
  '    if [ "$okb" != "$oka" ] || [ "$out" != "$logb" ]; then verdict=$f; break; fi',
  "    k=$((k + 1))",
  "  done",
  '  echo "${c##*/} $verdict"',
  "done",
  "",
].join("\n");

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  log: string;
  ok: boolean;
  calls: number;
}

const ENV = () => ({ PATH: "/usr/bin:/bin", STUB_STATE: dir, WORK: work, HOME: dir });

/** Runs shell texts one after another, each in a fresh shell, stopping at the first failure (as a build does): the log, for a message. */
function build(shell: string[], scripts: string[], failAt: number): Run {
  const vars: Record<string, string> = { NB: String(scripts.length), NA: "0", SHELL_CMD: shell.join(" "), FAIL_AT: String(failAt) };
  scripts.forEach((script, i) => (vars[`B${i}`] = script));
  spawnSync(AS_NOBODY[0] ?? "sh", [...AS_NOBODY.slice(1), ...(AS_NOBODY.length ? ["sh"] : []), "-c", `S=$STUB_STATE; cd "$WORK"\n${RUN_SIDE}\nrun B "$NB"; echo $ok > "$S/ok"`], {
    encoding: "utf8",
    env: { ...ENV(), ...vars },
    timeout: 60_000,
  });
  return { log: readFileSync(join(dir, "log"), "utf8"), ok: readFileSync(join(dir, "ok"), "utf8").trim() === "1", calls: Number(readFileSync(join(dir, "count"), "utf8")) };
}

/** The shell a SHELL exec array names, started by its full path: sh is dash (bash is checked as sh too, by the callers that ask). */
function shellCommand(json: string[] | null): string[] {
  if (!json) return [DASH!, "-c"];
  const base = json[0]!.replace(/^.*\//, "");
  const path = base === "sh" || base === "dash" ? DASH : base === "bash" ? BASH : null;
  return path ? [path, ...json.slice(1)] : json;
}

/** The RUN texts of each stage of a Dockerfile and the SHELL in effect for them. */
function runs(text: string): { shell: string[]; scripts: string[] }[] {
  const model = buildModel(text);
  return model.stages.map((stage) => {
    let shell = shellCommand(null);
    const scripts: string[] = [];
    for (const i of stage.instructions) {
      if (i.command.keyword === "SHELL" && i.command.json) shell = shellCommand(i.command.json);
      if (i.command.keyword === "RUN" && !i.command.json) scripts.push(i.command.args);
    }
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
  if (a.shell[0] !== DASH && a.shell[0] !== BASH) return null; // not a shell this machine runs the same way
  if (![...a.scripts, ...b.scripts].every(runsOnlyStubs)) return null; // it would start a real program
  ensureStubs([...a.scripts, ...b.scripts]);
  const scripts: Record<string, string> = { NB: String(a.scripts.length), NA: String(b.scripts.length) };
  a.scripts.forEach((script, i) => (scripts[`B${i}`] = script));
  b.scripts.forEach((script, i) => (scripts[`A${i}`] = script));
  const r = spawnSync(AS_NOBODY[0] ?? "sh", [...AS_NOBODY.slice(1), ...(AS_NOBODY.length ? ["sh"] : []), join(dir, "driver.sh")], {
    encoding: "utf8",
    env: { ...ENV(), SHELL_CMD: a.shell.join(" "), ...scripts },
    timeout: 120_000,
  });
  const verdict = r.stdout.trim();
  if (verdict === "ok") return null;
  if (!/^\d+$/.test(verdict)) return `driver failed: ${r.stderr}`;
  const failAt = Number(verdict);
  const x = build(a.shell, a.scripts, failAt);
  const y = build(b.shell, b.scripts, failAt);
  return `call ${failAt} fails:\n--- separate RUNs (${x.ok ? "ok" : "fail"})\n${x.log}--- merged (${y.ok ? "ok" : "fail"})\n${y.log}`;
}

/** Failure points per batch case besides none (MERGE_FAILURE_POINTS=2 for more): each is one more run of both sides. */
const FAILURE_POINTS = Number(process.env.MERGE_FAILURE_POINTS ?? 0);

/** One case of a batch: the separate RUNs and the joined ones, under one shell. */
interface BatchCase {
  shell: string[];
  before: string[];
  after: string[];
  /** Failure points besides none, spread over the calls. */
  maxf: number;
}

/** Shell-quoted, for a case file the batch driver sources. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs cases in batches of one process each; the index of every case whose sides differ, with the failure point. */
function runBatch(cases: BatchCase[]): { index: number; failAt: number }[] {
  const out = runBatchCases(cases);
  runBatch.lastDifferent = out.length;
  return out;
}
runBatch.lastDifferent = 0;

function runBatchCases(cases: BatchCase[]): { index: number; failAt: number }[] {
  ensureStubs(cases.flatMap((c) => [...c.before, ...c.after]));
  const caseDir = mkdtempSync(join(dir, "cases-"));
  chmodSync(caseDir, 0o777);
  const files = cases.map((c, i) => {
    const lines = [`SHELL_CMD=${q(c.shell.join(" "))}`, `NB=${c.before.length}`, `NA=${c.after.length}`, `MAXF=${c.maxf}`];
    c.before.forEach((s, k) => lines.push(`B${k}=${q(s)}`));
    c.after.forEach((s, k) => lines.push(`A${k}=${q(s)}`));
    const file = join(caseDir, String(i));
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  });
  const out: { index: number; failAt: number }[] = [];
  for (let from = 0; from < files.length; from += 200) {
    const r = spawnSync(AS_NOBODY[0] ?? "sh", [...AS_NOBODY.slice(1), ...(AS_NOBODY.length ? ["sh"] : []), join(dir, "batch.sh"), ...files.slice(from, from + 200)], {
      encoding: "utf8",
      env: ENV(),
      timeout: 600_000,
    });
    const lines = r.stdout.trim().split("\n").filter(Boolean);
    if (lines.length !== Math.min(200, files.length - from)) throw new Error(`batch driver stopped: ${r.stderr}`);
    for (const l of lines) {
      const [name, verdict] = l.split(" ");
      if (verdict !== "ok") out.push({ index: Number(name), failAt: Number(verdict) });
    }
  }
  rmSync(caseDir, { recursive: true, force: true });
  return out;
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
  test("every merge-cleanup-run and consecutive-run fixture: same calls and outcome at every failure point, stage by stage", () => {
    let checked = 0;
    for (const c of [...fixtureCases("rules/merge-cleanup-run"), ...fixtureCases("rules/consecutive-run")]) {
      if (c.input === c.output) continue;
      checked++;
      expect(sameBehaviour(c.input, c.output), c.name).toBeNull();
    }
    expect(checked).toBeGreaterThan(20);
  });

  test("coproc starts its command in the background, as & does (bash): a RUN with one is never merged", () => {
    const marker = join(dir, "coproc-marker");
    // the coproc waits for a line the shell writes only after it looked: no timing involved
    const r = spawnSync(BASH!, ["-c", `coproc { read -r x; : > "${marker}"; }; [ -e "${marker}" ] && echo waited || echo background; echo go >&"\${COPROC[1]}"; wait`], { encoding: "utf8", env: { PATH: stubDir } });
    expect(r.stdout.trim()).toBe("background");
    expect(existsSync(marker)).toBe(true); // it did run, after the shell went on
    const input = 'FROM debian:12\nSHELL ["/bin/bash", "-c"]\nRUN apt-get update && apt-get install -y curl; coproc tail -f /dev/null\nRUN rm -rf /var/lib/apt/lists/*\n';
    expect(fixSync(input, { select: ["merge-cleanup-run"] }).changed).toBe(false);
  });

  test("a loop or read variable is assigned for what runs after it in the same shell, as NAME=value is", () => {
    for (const shell of ["dash", "bash"]) {
      for (const script of ["for PATH in /nonexistent; do :; done", "read -r PATH", "getopts a PATH"]) {
        const r = spawnSync(shell === "dash" ? DASH! : BASH!, ["-c", `${script}; rm --version >/dev/null 2>&1 && echo found || echo not-found`], { encoding: "utf8", input: "/nonexistent\n", env: { PATH: stubDir, STUB_STATE: dir } });
        expect(r.stdout.trim(), `${shell}: ${script}`).toBe("not-found");
      }
    }
  });

  // MERGE_BEHAVIOUR_RUNS=2000 for a longer search, with a random seed
  const numRuns = Number(process.env.MERGE_BEHAVIOUR_RUNS ?? 40);
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

/** Per stage, the RUN texts with the shell each runs under (the SHELL before it). */
function stageRuns(text: string): { shell: string[]; script: string }[][] {
  const model = buildModel(text);
  return model.stages.map((stage) => {
    let shell = shellCommand(null);
    const out: { shell: string[]; script: string }[] = [];
    for (const i of stage.instructions) {
      if (i.command.keyword === "SHELL" && i.command.json) shell = shellCommand(i.command.json);
      if (i.command.keyword === "RUN") out.push({ shell, script: i.command.json ? `#exec ${JSON.stringify(i.command.json)}` : i.command.args });
    }
    return out;
  });
}

/**
 * The cases a fixed file gives: in each stage whose RUNs changed, the RUNs
 * from the first that differs to the last that differs, before and after
 * (the RUNs around them run the same either way), under each shell the
 * stage's SHELL may be (/bin/sh: dash and bash). Null when a stage cannot
 * be run here (another shell, exec form inside the changed span, a command
 * that is not a stub: a path, a name from an expansion, eval, exec; a
 * background job, whose calls have no one order).
 */
function joinCases(before: string, after: string, maxf: number): BatchCase[] | null {
  const b = stageRuns(before);
  const a = stageRuns(after);
  if (a.length !== b.length) return null;
  const cases: BatchCase[] = [];
  for (let s = 0; s < b.length; s++) {
    const x = b[s]!;
    const y = a[s]!;
    let p = 0;
    while (p < x.length && p < y.length && x[p]!.script === y[p]!.script) p++;
    if (p === x.length && p === y.length) continue;
    let e = 0;
    while (e < x.length - p && e < y.length - p && x[x.length - 1 - e]!.script === y[y.length - 1 - e]!.script) e++;
    const bs = x.slice(p, x.length - e);
    const as = y.slice(p, y.length - e);
    const shells = new Set([...bs, ...as].map((r) => r.shell.join(" ")));
    if (shells.size !== 1 || [...bs, ...as].some((r) => r.script.startsWith("#exec ") || !runsOnlyStubs(r.script))) return null;
    // a background job (`&`, and `&>` under dash) may still log while the next RUN runs: no one order to compare
    if ([...bs, ...as].some((r) => stateEffects(shellTree(r.script)).background)) return null;
    const shell = bs[0]!.shell;
    const variants = shell[0] === DASH ? [shell, [BASH!, ...shell.slice(1)]] : shell[0] === BASH ? [shell] : [];
    if (variants.length === 0) return null;
    for (const v of variants) cases.push({ shell: v, before: bs.map((r) => r.script), after: as.map((r) => r.script), maxf });
  }
  return cases;
}

/** Runs the cases and says, for the first few that differ, what each side called. */
function differences(cases: BatchCase[]): string[] {
  return runBatch(cases)
    .slice(0, 3)
    .map(({ index, failAt }) => {
      const c = cases[index]!;
      const x = build(c.shell, c.before, failAt);
      const y = build(c.shell, c.after, failAt);
      return `${c.shell.join(" ")}, call ${failAt} fails:\n${c.before.map((t) => `RUN ${t}`).join("\n")}\n=>\n${c.after.map((t) => `RUN ${t}`).join("\n")}\n--- separate (${x.ok ? "ok" : "fail"})\n${x.log}--- joined (${y.ok ? "ok" : "fail"})\n${y.log}`;
    });
}

describe.skipIf(!HAS_DASH || !HAS_BASH || !HAS_CORPUS)("every join the codemod makes over the corpus runs as the separate RUNs did", () => {
  for (const [label, rule, options] of [
    ["default rules (merge-cleanup-run)", "merge-cleanup-run", {}],
    ["--select consecutive-run", "consecutive-run", { select: ["consecutive-run"] }],
  ] as const) {
    test(label, () => {
      let joins = 0;
      let files = 0;
      let skipped = 0;
      const cases: BatchCase[] = [];
      const seen = new Set<string>();
      // consecutive-run is off by default and joins almost every pair of RUNs: a sixth of the corpus by default
      // (every file with CORPUS_JOINS=all); the default rules' joins are all run
      const every = rule === "consecutive-run" && process.env.CORPUS_JOINS !== "all" ? 8 : 1;
      for (const [k, f] of corpusFiles().entries()) {
        if (k % every !== 0) continue;
        let text: string;
        try {
          text = readFileSync(join(CORPUS, f), "utf8");
          buildModel(text);
        } catch {
          continue; // not a file the model reads (its own tests say which)
        }
        const result = fixSync(text, options);
        const n = result.fixes.filter((x) => x.rule === rule).length;
        if (n === 0) continue;
        const fileCases = joinCases(text, result.output, FAILURE_POINTS);
        if (fileCases === null) {
          skipped += n;
          continue;
        }
        joins += n;
        files++;
        for (const c of fileCases) {
          // the corpus holds many variants of one file: each distinct case runs once
          const key = JSON.stringify(c);
          if (!seen.has(key)) cases.push(c);
          seen.add(key);
        }
      }
      // the written joins (their layout included) re-read by checkJoin, where one round made them
      let rechecked = 0;
      const refusedByCheck: string[] = [];
      for (const c of cases) {
        if (c.after.length !== 1 || (rule === "consecutive-run" && c.before.length !== 2) || c.shell[0] !== DASH) continue;
        rechecked++;
        const errexitFromOutside = c.shell.slice(1).some((a) => /^-[a-z]*e[a-z]*$/.test(a) || a === "errexit");
        const why = checkJoin(c.before, c.after[0]!, { errexitFromOutside, lastIsCleanup: rule === "merge-cleanup-run" });
        if (why !== null) refusedByCheck.push(`${why}:\n${c.before.join("\n")}\n=>\n${c.after[0]}`);
      }
      const diffs = differences(cases);
      const failing = FAILURE_POINTS === 0 ? "each run once, no call failing" : `also with a call failing at ${FAILURE_POINTS} points`;
      console.log(`${rule} over the corpus${every > 1 ? ` (every ${every}th file; CORPUS_JOINS=all for all)` : ""}: ${joins} joins in ${files} files executed as ${cases.length} distinct cases (dash and bash for /bin/sh; ${failing}), ${runBatch.lastDifferent} that differ; ${skipped} joins not run here (another shell, exec form, a background job or a command that is not a stub in the span)`);
      console.log(`${rule} over the corpus: ${rechecked} joined RUNs as written re-read by checkJoin, ${refusedByCheck.length} refused`);
      expect(diffs).toEqual([]);
      expect(refusedByCheck).toEqual([]);
      expect(joins).toBeGreaterThan(0);
    }, 900_000);
  }
});
if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});

/**
 * Generated pairs of RUNs where the first changes shell state and the
 * second depends on it: the command hash (an installer stub puts a new
 * program earlier on PATH after the name was looked up), `set` options,
 * bash's shopt, the variables that change later commands (IFS, GLOBIGNORE,
 * EXECIGNORE, PATH, CDPATH, HOME, POSIXLY_CORRECT, ...), cwd, umask, traps,
 * aliases and functions. Each pair is run three ways under dash and bash:
 * separately, joined plainly (`R1 && R2`: where that differs, the state
 * reached R2), and as the rule left it; the rule's result must always run
 * as the separate RUNs did, so it refuses (or keeps apart in a subshell)
 * every pair whose plain join differs.
 */
const STATE_CHANGES = [
  "pip3 install --upgrade pip", "npm install -g npm@latest", "gem update --system", "tool z; installer tool", "installer tool", "pip3 --version",
  "set -u", "set +u", "set -o pipefail", "set -e", "set +e", "set -f", "set -x", "set -a",
  "IFS=:", "GLOBIGNORE='v*'", "EXECIGNORE='*/tool'", "PATH=/nonexistent", "CDPATH=/", "HOME=/tmp", "X=1", "export X=2", "POSIXLY_CORRECT=1", "unset X",
  "shopt -s nullglob", "shopt -s failglob", "shopt -s expand_aliases; alias tool=pip3", "alias tool=pip3", "tool() { pip3 fn; }", "cd vendor", "umask 077",
  "trap 'tool trapped' EXIT", "for X in 5; do tool w; done", "read -r X < /dev/null", "(set -u; tool sub)", "tool a | tool b",
];
const DEPENDENTS = [
  "pip3 --version", "npm --version", "gem --version", "tool z", "tool \"$UNSET_Y\" $UNSET_Y", "false | tool p", "tool a; false; tool b", "V=a:b; tool $V",
  "tool v*", "tool nomatch*", "cd vendor && tool c", "tool ~", "tool \"$X\"", "tool \"$(umask)\"", "tool \"$PWD\"", "echo $V | tool e",
];
/** A cleanup that depends on state, and what creates what it deletes (put after the state change). */
const CLEANUPS: [string, string][] = [
  ["apt-get update", "rm -rf /var/lib/apt/lists/*"],
  ["pip3 install requests", "pip3 cache purge"],
  ["npm ci", "npm cache clean --force"],
  ["apt-get install -y curl", "apt-get clean"],
];
const stateShell = fc.constantFrom("", 'SHELL ["/bin/bash", "-c"]\n');
const consecutivePair = fc.tuple(
  stateShell,
  fc.constantFrom("", "tool a && ", "pip3 --version; "),
  fc.constantFrom(...STATE_CHANGES),
  fc.constantFrom("", " && tool y", "; tool y"),
  fc.constantFrom(...DEPENDENTS),
);
const cleanupPair = fc.tuple(stateShell, fc.constantFrom(...STATE_CHANGES), fc.integer({ min: 0, max: CLEANUPS.length - 1 }));

/** The runs of one generated Dockerfile: plainly joined and as the rule left it, under each shell its SHELL may be. */
function stateCases(input: string, rule: string): { plain: BatchCase[]; fixed: BatchCase[]; joined: boolean; wrapped: boolean } | null {
  const result = fixSync(input, { select: [rule] });
  const [stage] = runs(input);
  const scripts = stage!.scripts;
  if (!scripts.every(runsOnlyStubs)) return null;
  const shells = stage!.shell[0] === DASH ? [stage!.shell, [BASH!, ...stage!.shell.slice(1)]] : [stage!.shell];
  const plainText = `${scripts[0]} && ${scripts[1]}`;
  const after = runs(result.output)[0]!.scripts;
  const plain = shells.map((shell) => ({ shell, before: scripts, after: [plainText], maxf: 0 }));
  const fixed = result.changed && !(after.length === 1 && after[0] === plainText) ? shells.map((shell) => ({ shell, before: scripts, after, maxf: FAILURE_POINTS })) : [];
  return { plain, fixed, joined: result.changed, wrapped: result.changed && after[0] !== plainText };
}

describe.skipIf(!HAS_DASH || !HAS_BASH)("generated shell-state pairs: a join only where the second RUN cannot see the first's state", () => {
  // each pair is a dozen processes or more: 40 by default keeps the file within the suite's time on a quiet machine; STATE_PAIRS=3000 for a longer search, with a random seed
  const count = Number(process.env.STATE_PAIRS ?? 40);
  const seed = process.env.STATE_PAIRS ? Date.now() : 20261206;
  for (const rule of ["consecutive-run", "merge-cleanup-run"] as const) {
    test(`${rule}: every pair whose plain join runs otherwise is refused or kept apart, and every join made runs as the separate RUNs`, () => {
      const inputs =
        rule === "consecutive-run"
          ? fc.sample(consecutivePair, { numRuns: count, seed }).map(([sh, before, change, after, dep]) => `FROM debian:12\n${sh}RUN ${before}${change}${after}\nRUN ${dep}\n`)
          : fc.sample(cleanupPair, { numRuns: Math.round(count / 2), seed }).map(([sh, change, k]) => `FROM debian:12\n${sh}RUN ${change} && ${CLEANUPS[k]![0]}\nRUN ${CLEANUPS[k]![1]}\n`);
      const unique = [...new Set(inputs)];
      const all: { input: string; plain: BatchCase[]; fixed: BatchCase[]; joined: boolean; wrapped: boolean }[] = [];
      for (const input of unique) {
        const c = stateCases(input, rule);
        if (c) all.push({ input, ...c });
      }
      const plainCases = all.flatMap((c) => c.plain);
      const plainOwner = all.flatMap((c) => c.plain.map(() => c));
      const plainDiffer = new Set(runBatch(plainCases).map((d) => plainOwner[d.index]!));
      const fixedCases = all.flatMap((c) => c.fixed);
      const fixedOwner = all.flatMap((c) => c.fixed.map(() => c));
      const fixedDiffs = runBatch(fixedCases);
      // a plain join the rule made is one of the plain cases: it must not differ
      const plainJoinedThatDiffer = [...plainDiffer].filter((c) => c.joined && !c.wrapped);
      const refused = [...plainDiffer].filter((c) => !c.joined).length;
      const keptApart = [...plainDiffer].filter((c) => c.wrapped).length;
      console.log(
        `${rule}: ${inputs.length} generated pairs (${unique.length} distinct, ${all.length} run under dash and bash as their SHELL allows), seed ${seed}; ` +
          `the plain join runs otherwise in ${plainDiffer.size}: the rule refused ${refused}, kept ${keptApart} apart in a subshell, joined ${plainJoinedThatDiffer.length} plainly; ` +
          `${all.filter((c) => c.joined).length} joined in all, ${fixedCases.length} wrapped joins run, ${fixedDiffs.length} that differ`,
      );
      expect(plainJoinedThatDiffer.map((c) => c.input)).toEqual([]);
      expect(fixedDiffs.map((d) => `${fixedOwner[d.index]!.input}(call ${d.failAt} fails)`)).toEqual([]);
      expect(plainDiffer.size).toBeGreaterThan(0);
    }, 900_000);
  }
});

describe("checkJoin: the joined text judged without the plan that made it", () => {
  const cleanup = { errexitFromOutside: false, lastIsCleanup: true };
  const any = { errexitFromOutside: false, lastIsCleanup: false };
  test.each([
    // a part's state reaching a later part, joined plainly
    [["pip3 install --upgrade pip", "pip3 install requests"], "pip3 install --upgrade pip && pip3 install requests", any, /command hash/],
    [["npm install -g npm@latest", "npm cache clean --force"], "npm install -g npm@latest && npm cache clean --force", cleanup, /command hash/],
    [["set -u; make", "echo $X"], "set -u; make && echo $X", any, /set/],
    [["IFS=:; make", "tool $PATH"], "IFS=:; make && tool $PATH", any, /variables/],
    [["shopt -s nullglob; make", "ls *.o"], "shopt -s nullglob; make && ls *.o", any, /shopt/],
    [["alias ls=true; make", "ls"], "alias ls=true; make && ls", any, /aliases/],
    [["umask 077; make", "mkdir d"], "umask 077; make && mkdir d", any, /umask/],
    [["trap 'x' EXIT; make", "y"], "trap 'x' EXIT; make && y", any, /trap/],
    [["cd /src; make", "tool install"], "cd /src; make && tool install", any, /directory/],
    // the text is not the parts as written
    [["a", "b; c"], "a && b; c", any, /not the parts/],
    [["a", "b"], "a && b && c", any, /not the parts/],
    [["a", "b"], "a || b", any, /not the parts/],
    [["a", "b"], "( a ) && ( c )", any, /not the parts/],
    // errexit: a subshell left of && would not stop
    [["set -e; a; b", "c"], "( set -e; a; b ) && c", any, /errexit/],
    [["a &", "b"], "a & && b", any, /./],
    // tree-sitter reads $'\'' as bash does, so ` x   y ` lies between words to it; dash reads `'\'` then a quote that
    // holds ` x   y `: the trees agree, the quote scan in dash's dialect does not (issue 17, item 13)
    [["echo $'\\'' x   y '\\'", "true"], "echo $'\\'' x y '\\' && true", any, /quote scan \(posix\)/],
  ] as const)("%j joined as %j is refused", (parts, joined, context, why) => {
    expect(checkJoin([...parts], joined, context)).toMatch(why);
  });
  test.each([
    [["pip3 install --upgrade pip", "pip3 install requests"], "( pip3 install --upgrade pip ) && pip3 install requests", any],
    [["apt-get update", "apt-get install -y curl"], "apt-get update && apt-get install -y curl", any],
    [["apt-get install -y python3-pip", "pip3 install requests"], "apt-get install -y python3-pip && pip3 install requests", any],
    [["set -u; make", "echo $X"], "( set -u; make ) && echo $X", any],
    [["make", "make test; make install"], "( make ) && ( make test; make install )", any],
    [["IFS=:; apt-get update", "rm -rf /var/lib/apt/lists/*"], "( IFS=:; apt-get update ) && rm -rf /var/lib/apt/lists/*", cleanup],
    [["DEBIAN_FRONTEND=noninteractive; apt-get update", "rm -rf /var/lib/apt/lists/*"], "DEBIAN_FRONTEND=noninteractive; apt-get update && rm -rf /var/lib/apt/lists/*", cleanup],
  ] as const)("%j joined as %j is accepted", (parts, joined, context) => {
    expect(checkJoin([...parts], joined, context)).toBeNull();
  });
});

describe("the engine re-reads every declared join in the result (joinsConfirmed), whatever the rule planned", () => {
  const input = "FROM debian:12\nRUN pip3 install --upgrade pip\nRUN pip3 install requests\nCMD x\n";
  const declares = (context = { errexitFromOutside: false, lastIsCleanup: false }) => ({ removed: [2], replaced: new Map<number, string>(), joins: [{ into: 1, parts: [1, 2], context }] });
  test("a join that keeps the first RUN's command hash apart is confirmed", () => {
    expect(joinsConfirmed(buildModel(input), buildModel("FROM debian:12\nRUN ( pip3 install --upgrade pip ) && pip3 install requests\nCMD x\n"), declares())).toBe(true);
  });
  test("a plain join, where the hash reaches the second part, is refused", () => {
    expect(joinsConfirmed(buildModel(input), buildModel("FROM debian:12\nRUN pip3 install --upgrade pip && pip3 install requests\nCMD x\n"), declares())).toBe(false);
  });
  test("a result that is not the parts joined is refused", () => {
    expect(joinsConfirmed(buildModel(input), buildModel("FROM debian:12\nRUN ( pip3 install --upgrade pip ) && pip3 install other\nCMD x\n"), declares())).toBe(false);
    expect(joinsConfirmed(buildModel(input), buildModel("FROM debian:12\nRUN ( pip3 install --upgrade pip ); pip3 install requests\nCMD x\n"), declares())).toBe(false);
  });
  test("both joining rules declare their joins, so the engine re-reads them", () => {
    const input = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n";
    const model = buildModel(input);
    const ctx = { model, shells: shellsInEffect(model) };
    for (const rule of [ruleById("merge-cleanup-run")!, ruleById("consecutive-run")!]) {
      const [finding] = rule.check(ctx);
      expect(finding?.fix?.declares.joins, rule.id).toEqual([{ into: 1, parts: [1, 2], context: expect.any(Object) }]);
    }
  });
});
