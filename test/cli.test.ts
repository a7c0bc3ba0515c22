/**
 * The command, as users run it. Most cases call its main() in this process
 * (test/cli-run.ts); the built bin (`npm test` builds dist/ first) runs where
 * the process is what is tested: the text and JSON reports once each, stdin
 * through a real pipe, the version read from the dist layout, the exit code of
 * an interrupted --write.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ROOT, fixtureCases } from "./helpers.js";
import { BIN, runBin, runMain } from "./cli-run.js";
import { fix } from "../src/codemod/index.js";

const FIXABLE = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\nCMD node server.js\n";
const FIXED = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\nCMD [\"node\", \"server.js\"]\n";
const CLEAN = 'FROM alpine\nCMD ["./serve"]\n';
/** FIXABLE after --write --reformat with Prettier's defaults. */
// the formatter keeps the merged RUN's one command per line (the user's breaks), with its 4-space default
const FORMATTED = FIXED;

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dockerfile-codemod-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The command's main(), in this process. */
const run = (args: string[], input?: string | Buffer) => runMain(args, { cwd: dir, input, env: { ...process.env, NO_COLOR: "1" } });
/** The built bin, in its own process. */
const bin = (args: string[], input?: string | Buffer) => runBin(args, { cwd: dir, input, env: { ...process.env, NO_COLOR: "1" } });
const write = (rel: string, text: string | Buffer) => {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const read = (rel: string) => readFileSync(join(dir, rel), "utf8");

describe("dockerfile-codemod", () => {
  test("report mode: one line per finding, path:line:col: rule [*] message (the column of the token), ruff's summary, exit 1", () => {
    write("Dockerfile", FIXABLE);
    const r = bin([]);
    expect(r.code).toBe(1);
    // the cleanup RUN's command text, and the CMD's
    expect(r.stdout).toMatch(/^Dockerfile:3:5: merge-cleanup-run \[\*\] this RUN only deletes the apt package lists, which the RUN on line 2 created/m);
    expect(r.stdout).toMatch(/^Dockerfile:4:5: cmd-exec-form \[\*\] shell-form CMD/m);
    expect(r.stderr).toContain("Found 2 findings.\n[*] 2 fixable with the `--fix` option.\n");
    expect(r.stderr).toMatch(/1 file scanned, 1 would change; fixes: merge-cleanup-run 1, cmd-exec-form 1; 0 errors; [\d.]+s/);
    expect(read("Dockerfile")).toBe(FIXABLE);
  });

  test("--check changes nothing and exits 1; --write applies; --check then exits 0", async () => {
    write("Dockerfile", FIXABLE);
    expect((await run(["--check"])).code).toBe(1);
    expect(read("Dockerfile")).toBe(FIXABLE);
    const w = await run(["--write"]);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe("Dockerfile\n"); // the files changed, one per line, as prettier --write names them
    expect(w.stderr).toContain("Found 2 findings (2 fixed, 0 remaining).\n");
    expect(read("Dockerfile")).toBe(FIXED);
    const again = await run(["--write"]);
    expect([again.code, again.stdout]).toEqual([0, ""]);
    expect(again.stderr).toContain("All checks passed!\n");
    expect((await run(["--check"])).code).toBe(0);
    expect((await run([])).code).toBe(0);
  });

  test("--diff prints a unified diff", async () => {
    write("svc/api.dockerfile", FIXABLE);
    const r = await run(["--diff", "svc"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("--- a/svc/api.dockerfile\n+++ b/svc/api.dockerfile\n");
    expect(r.stdout).toContain("-RUN rm -rf /var/lib/apt/lists/*\n");
    expect(r.stdout).toContain('+CMD ["node", "server.js"]\n');
  });

  test("--json: the files with something to report, their findings and a summary", () => {
    write("Dockerfile", FIXABLE);
    write("Containerfile", CLEAN);
    const r = bin(["--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      schemaVersion: number;
      files: { path: string; changed: boolean; findings: { rule: string; start: { line: number }; safety: string; fixed: boolean }[] }[];
      summary: { scanned: number; changed: number; errors: number; fixesPerRule: Record<string, number> };
    };
    expect(report.schemaVersion).toBe(1);
    expect(report.summary).toMatchObject({ scanned: 2, changed: 1, errors: 0, fixesPerRule: { "merge-cleanup-run": 1, "cmd-exec-form": 1 } });
    // the clean Containerfile has nothing to report
    expect(report.files.map((f) => f.path)).toEqual(["Dockerfile"]);
    expect(report.files[0]!.changed).toBe(true);
    expect(report.files[0]!.findings.map((f) => [f.rule, f.start.line, f.safety, f.fixed])).toEqual([
      ["merge-cleanup-run", 3, "safe", true],
      ["cmd-exec-form", 4, "safe", true],
    ]);
  });

  test("finds Dockerfile names in any case, skips .git, node_modules and .gitignore'd paths", async () => {
    for (const name of ["Dockerfile", "a/Containerfile", "b/api.Dockerfile", "c/Dockerfile.prod", "d/DOCKERFILE", "e/x.containerfile", ".devcontainer/Dockerfile"]) {
      write(name, FIXABLE);
    }
    write("node_modules/pkg/Dockerfile", FIXABLE);
    write(".git/Dockerfile", FIXABLE);
    write("build/Dockerfile", FIXABLE);
    write("notes/Dockerfile-notes.md", "x");
    write(".gitignore", "build/\n");
    mkdirSync(join(dir, ".git"), { recursive: true });
    const r = await run(["--json"]);
    const paths = (JSON.parse(r.stdout) as { files: { path: string }[] }).files.map((f) => f.path).sort();
    expect(paths).toEqual([
      ".devcontainer/Dockerfile",
      "Dockerfile",
      "a/Containerfile",
      "b/api.Dockerfile",
      "c/Dockerfile.prod",
      "d/DOCKERFILE",
      "e/x.containerfile",
    ]);
  });

  test("a file named that is not a Dockerfile name is skipped with one warning and exit 2, as prettier does; -u skips it silently; --assume-dockerfile reads it", async () => {
    write("build/weird-name.txt", FIXABLE);
    write("Dockerfile", FIXABLE);
    write(".gitignore", "build/\n");
    const r = await run(["--write", "build/weird-name.txt", "Dockerfile"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter((l) => l.includes("weird-name"))).toEqual([
      "warning: build/weird-name.txt: not a Dockerfile name: skipped (--assume-dockerfile reads it as one, -u skips it silently)",
    ]);
    expect(read("build/weird-name.txt")).toBe(FIXABLE);
    expect(read("Dockerfile")).toBe(FIXED); // the other files of the run are still processed
    write("Dockerfile", FIXABLE);
    for (const u of ["-u", "--ignore-unknown"]) {
      const quiet = await run(["--check", u, "build/weird-name.txt", "Dockerfile"]);
      expect(quiet.code).toBe(1); // Dockerfile would change; the .txt file is not counted
      expect(quiet.stderr).not.toContain("weird-name");
    }
    // a gitignored file named explicitly is read
    const assumed = await run(["--assume-dockerfile", "build/weird-name.txt"]);
    expect(assumed.code).toBe(1);
    expect(assumed.stdout).toContain("build/weird-name.txt:3:5: merge-cleanup-run [*]");
  });

  test("writes keep CRLF, the byte-order mark and the file mode", async () => {
    write("Dockerfile", `\uFEFF${FIXABLE.replace(/\n/g, "\r\n")}`);
    chmodSync(join(dir, "Dockerfile"), 0o751);
    expect((await run(["--write"])).code).toBe(0);
    expect(read("Dockerfile")).toBe(`\uFEFF${FIXED.replace(/\n/g, "\r\n")}`);
    expect(statSync(join(dir, "Dockerfile")).mode & 0o777).toBe(0o751);
  });

  test("a bad file is reported with path:line:col and exit 2; the other files are still written", async () => {
    write("a/Dockerfile", "FROM alpine\nRUN <<EOF\necho hi\n");
    write("b/Dockerfile", FIXABLE);
    const r = await run(["--write"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a/Dockerfile:2:5: unterminated heredoc");
    expect(read("a/Dockerfile")).toBe("FROM alpine\nRUN <<EOF\necho hi\n");
    expect(read("b/Dockerfile")).toBe(FIXED);
  });

  test("files that are not text are reported and skipped", async () => {
    write("Dockerfile.cache", Buffer.from([0x1f, 0x8b, 0x00, 0x01]));
    write("x/Dockerfile", Buffer.from([0x46, 0x52, 0xff, 0xfe, 0x0a]));
    write("Dockerfile", CLEAN);
    const searched = await run([]);
    expect(searched.code).toBe(0);
    expect(searched.stderr).toContain("Dockerfile.cache: not a text file (it contains NUL bytes): skipped");
    expect(searched.stderr).toContain("x/Dockerfile: not a text file (invalid UTF-8): skipped");
    const named = await run(["Dockerfile.cache"]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain("Dockerfile.cache:1:1: not a text file (it contains NUL bytes)");
  });

  test("symbolic links: not followed in directory search; a named link is written through only inside the paths given", async () => {
    write("real/Dockerfile", FIXABLE);
    write("outside/Dockerfile", FIXABLE);
    mkdirSync(join(dir, "links"));
    symlinkSync(join(dir, "real/Dockerfile"), join(dir, "links/Dockerfile"));
    // directory search over links/ finds nothing (the link is not followed)
    const searched = await run(["--json", "links"]);
    expect((JSON.parse(searched.stdout) as { files: unknown[] }).files).toEqual([]);
    // named link whose target lies inside the paths given: written through, the link stays a link
    const inside = await run(["--write", "links/Dockerfile", "real"]);
    expect(inside.code).toBe(0);
    expect(lstatSync(join(dir, "links/Dockerfile")).isSymbolicLink()).toBe(true);
    expect(read("real/Dockerfile")).toBe(FIXED);
    // named link whose target is outside: never written
    symlinkSync(join(dir, "outside/Dockerfile"), join(dir, "links/Other.dockerfile"));
    const outside = await run(["--write", "links/Other.dockerfile"]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("outside the paths given: not written");
    expect(read("outside/Dockerfile")).toBe(FIXABLE);
    expect(lstatSync(join(dir, "links/Other.dockerfile")).isSymbolicLink()).toBe(true);
  });

  test("symbolic links: a file whose real path is outside the paths given is never written, however it was reached", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "dockerfile-codemod-elsewhere-"));
    try {
      mkdirSync(join(elsewhere, "nested"));
      writeFileSync(join(elsewhere, "Dockerfile"), FIXABLE);
      writeFileSync(join(elsewhere, "nested/Dockerfile"), FIXABLE);
      symlinkSync(elsewhere, join(dir, "sub"));
      write("Dockerfile", FIXABLE);
      // through the linked directory: by name, by glob (as the shell would pass it, unexpanded or expanded), by searching a directory inside it
      for (const args of [["sub/Dockerfile"], ["sub/*"], ["sub/nested"], ["sub/Dockerfile", "Dockerfile"]]) {
        const r = await run(["--write", ...args]);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/sub\/(nested\/)?Dockerfile:1:1: sub\/(nested\/)?Dockerfile is reached through a symbolic link: its real path .* is outside the paths given: not written/);
        expect(readFileSync(join(elsewhere, "Dockerfile"), "utf8")).toBe(FIXABLE);
        expect(readFileSync(join(elsewhere, "nested/Dockerfile"), "utf8")).toBe(FIXABLE);
      }
      // the file named beside it is written
      expect(read("Dockerfile")).toBe(FIXED);
      // reading is not writing: report mode and --check read them
      expect((await run(["--check", "sub/Dockerfile"])).code).toBe(1);
      // the named link to the same file: refused the same way
      symlinkSync(join(elsewhere, "Dockerfile"), join(dir, "Linked.dockerfile"));
      expect((await run(["--write", "Linked.dockerfile"])).stderr).toContain("is a symbolic link to");
      // inside a path given, the same files are written
      const given = await run(["--write", "sub/Dockerfile", elsewhere]);
      expect(given.code).toBe(0);
      expect(readFileSync(join(elsewhere, "Dockerfile"), "utf8")).toBe(FIXED);
      expect(lstatSync(join(dir, "sub")).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test("--stdin-filepath reads stdin and writes the result to stdout", async () => {
    // through the bin: stdin is a real pipe
    const r = bin(["--stdin-filepath", "svc/Dockerfile"], FIXABLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(FIXED);
    expect(r.stderr).toContain("svc/Dockerfile:3:5: merge-cleanup-run [*]");
    const bad = await run(["--stdin-filepath", "Dockerfile"], "FROM a\nRUN --mount echo\n");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Dockerfile:2:5: missing a value on flag: --mount");
  });

  test("--select, --ignore and --unsafe-fixes", async () => {
    write("Dockerfile", FIXABLE);
    expect((await run(["--check", "--select", "no-shadowed-cmd"])).code).toBe(0);
    expect((await run(["--check", "--ignore", "merge-cleanup-run,cmd-exec-form"])).code).toBe(0);
    expect((await run(["--check", "--select", "bogus"])).code).toBe(2);
    write("Dockerfile", 'FROM alpine\nENTRYPOINT ["/e.sh"]\nCMD serve --port 80\n');
    const safe = await run([]);
    expect(safe.code).toBe(1); // a finding left unfixed is reported and fails, as in ruff
    expect(safe.stdout).toContain("(apply with --unsafe-fixes)");
    expect((await run(["--write", "--unsafe-fixes"])).code).toBe(0);
    expect(read("Dockerfile")).toBe('FROM alpine\nENTRYPOINT ["/e.sh"]\nCMD ["serve", "--port", "80"]\n');
  });

  test("--reformat also formats what it writes", async () => {
    write("Dockerfile", "from debian:12\nrun apt-get update && apt-get install -y curl\nrun rm -rf /var/lib/apt/lists/*\n");
    expect((await run(["--write", "--reformat"])).code).toBe(0);
    expect(read("Dockerfile")).toBe("FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n");
  });

  test("usage errors exit 2 with a clean message", async () => {
    const unknown = await run(["--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "dockerfile-codemod: unknown option --bogus\nRun 'dockerfile-codemod --help' for the options; a path that starts with '-' goes after '--', as in: dockerfile-codemod -- --bogus\n",
    );
    expect((await run(["--selct", "x"])).stderr).toMatch(/^dockerfile-codemod: unknown option --selct \(did you mean --select\?\)\n/);
    const noValue = await run(["--select"]);
    expect([noValue.code, noValue.stderr.split("\n")[0]]).toEqual([2, "dockerfile-codemod: option --select needs a value"]);
    const withValue = await run(["--write=yes"]);
    expect([withValue.code, withValue.stderr.split("\n")[0]]).toEqual([2, "dockerfile-codemod: option --write takes no value"]);
    expect((await run(["--write", "--check"])).code).toBe(2);
    expect((await run(["no/such/path"])).code).toBe(2);
    expect((await run(["--explain", "nope"])).code).toBe(2);
    write("Dockerfile", CLEAN);
    const both = await run(["--stdin-filepath", "Dockerfile", "Dockerfile"], CLEAN);
    expect(both.code).toBe(2);
    expect(both.stdout).toBe("");
    expect(both.stderr).toContain("no paths may be given beside it");
  });

  test("-v and --version print the version; --help names every option and exit code", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(bin(["-v"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(bin(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    const help = (await run(["--help"])).stdout;
    for (const flag of ["--diff", "--check", "--write", "--json", "--stdin-filepath", "--select", "--ignore ", "--unsafe-fixes", "--reformat", "--format FMT", "-f FMT", "-o, --output-file", "--exit-zero", "-u, --ignore-unknown", "--assume-dockerfile", "--list-rules", "--explain", "-h, --help", "-V, -v, --version", "--force-exclude"]) {
      expect(help).toContain(flag);
    }
    for (const code of ["0  ", "1  ", "2  ", "130", "143"]) expect(help).toContain(code);
  });

  test("--list-rules and --explain print the rules' own docs", async () => {
    const list = await run(["--list-rules"]);
    expect(list.code).toBe(0);
    for (const id of ["merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd"]) expect(list.stdout).toContain(`\`${id}\``);
    const explain = await run(["--explain", "cmd-exec-form"]);
    expect(explain.code).toBe(0);
    for (const heading of ["## What it does", "## Why is this bad?", "## Example", "## Fix safety", "## Facts it relies on"]) {
      expect(explain.stdout).toContain(heading);
    }
  });
});

/** A repository with Dockerfiles and the files beside them that are not Dockerfiles. */
const NOT_DOCKERFILES: Record<string, string> = {
  "README.md": "# App\n\nRun it with `docker compose up`.\n",
  "package.json": '{ "name": "app", "version": "1.0.0" }\n',
  "docker-compose.yml": "services:\n  app:\n    build: .\n",
  // BuildKit's ignore file for Dockerfile, and docker-library's jq template: fixable text if read as Dockerfiles
  "Dockerfile.dockerignore": "node_modules\nrun  *.log\n",
  "Dockerfile.template": FIXABLE,
  "docker/Dockerfile.j2": FIXABLE,
  "ci/build.sh": "#!/bin/sh\ndocker build -f Dockerfile .\n",
};
const DOCKERFILES = ["Containerfile", "Dockerfile", "Dockerfile.prod", "api.Dockerfile", "docker/dev.Dockerfile"];

describe("only Dockerfiles are read as Dockerfiles", () => {
  const setup = () => {
    for (const [name, text] of Object.entries(NOT_DOCKERFILES)) write(name, text);
    for (const name of DOCKERFILES) write(name, FIXABLE);
  };
  const untouched = () => {
    for (const [name, text] of Object.entries(NOT_DOCKERFILES)) expect(read(name), name).toBe(text);
  };
  const jsonPaths = (stdout: string) => (JSON.parse(stdout) as { files: { path: string }[] }).files.map((f) => f.path).sort();

  test("directory search finds exactly the Dockerfiles", async () => {
    setup();
    const r = await run(["--json"]);
    expect(jsonPaths(r.stdout)).toEqual(DOCKERFILES);
    expect(r.stderr).toBe("");
  });

  test.each([["*"], ["**/*"]])("--write --reformat with the glob '%s': the Dockerfiles are written, every other file is left byte for byte, one warning each, exit 2", async (glob) => {
    setup();
    const r = await run(["--write", "--reformat", glob]);
    expect(r.code, r.stderr).toBe(2);
    untouched();
    const expected = glob === "*" ? DOCKERFILES.filter((n) => !n.includes("/")) : DOCKERFILES;
    for (const name of expected) expect(read(name), name).not.toBe(FIXABLE);
    expect(r.stdout.trim().split("\n").sort()).toEqual(expected);
    const warned = r.stderr.split("\n").filter((l) => l.startsWith("warning: "));
    const others = Object.keys(NOT_DOCKERFILES).filter((n) => glob !== "*" || !n.includes("/"));
    expect(warned.map((l) => /^warning: (.+?): not a Dockerfile name: skipped/.exec(l)?.[1]).sort()).toEqual(others.sort());
  });

  test("with -u the same run skips them silently and exits 0", async () => {
    setup();
    const r = await run(["--write", "--reformat", "-u", "**/*"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("warning");
    untouched();
  });

  test("named explicitly: skipped with a warning, the Dockerfiles named with them are written", async () => {
    setup();
    const r = await run(["--write", ...Object.keys(NOT_DOCKERFILES), ...DOCKERFILES]);
    expect(r.code).toBe(2);
    untouched();
    for (const name of DOCKERFILES) expect(read(name), name).toBe(FIXED);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("warning: ")).length).toBe(Object.keys(NOT_DOCKERFILES).length);
  });

  test("--assume-dockerfile and --stdin-filepath read a file of any name as a Dockerfile", async () => {
    setup();
    const r = await run(["--write", "--assume-dockerfile", "Dockerfile.template"]);
    expect(r.code).toBe(0);
    expect(read("Dockerfile.template")).toBe(FIXED);
    const stdin = await run(["--stdin-filepath", "Dockerfile.template"], FIXABLE);
    expect([stdin.code, stdin.stdout]).toEqual([0, FIXED]);
  });
});

const UNSAFE_ONLY = 'FROM alpine\nENTRYPOINT ["/e.sh"]\nCMD serve --port 80\n';

describe("exit codes (ruff's model)", () => {
  test("a finding left unfixed fails report mode, --check, --json and --write; --exit-zero opts out", async () => {
    write("Dockerfile", UNSAFE_ONLY);
    expect((await run([])).code).toBe(1);
    expect((await run(["--check"])).code).toBe(1);
    expect((await run(["--json"])).code).toBe(1);
    expect((await run(["--diff"])).code).toBe(0); // nothing would change
    const w = await run(["--write"]);
    expect(w.code).toBe(1);
    // an unsafe fix not asked for: no mark, and the summary counts it hidden, as ruff does
    expect(w.stdout).toMatch(/^Dockerfile:3:5: cmd-exec-form shell-form CMD .*\(apply with --unsafe-fixes\)$/m);
    expect(w.stderr).toContain("Found 1 finding (0 fixed, 1 remaining).\n(1 hidden fix can be enabled with the `--unsafe-fixes` option.)\n");
    expect(w.stderr).toMatch(/1 finding not fixed/);
    expect((await run([])).stderr).toContain("Found 1 finding.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n");
    expect(read("Dockerfile")).toBe(UNSAFE_ONLY);
    for (const args of [[], ["--check"], ["--json"], ["--write"]]) expect((await run([...args, "--exit-zero"])).code, args.join(" ")).toBe(0);
  });

  test("--write writes the fixable files and exits 1 when a finding is left; --exit-zero does not hide errors", async () => {
    write("a/Dockerfile", FIXABLE);
    write("b/Dockerfile", UNSAFE_ONLY);
    const w = await run(["--write"]);
    expect(w.code).toBe(1);
    expect(w.stdout.split("\n")[0]).toBe("a/Dockerfile");
    expect(read("a/Dockerfile")).toBe(FIXED);
    write("c/Dockerfile", "FROM alpine\nRUN <<EOF\n");
    expect((await run(["--check", "--exit-zero"])).code).toBe(2);
  });

  // fixtures/engine/<case>.in.dockerfile: the default rules, through the bin, write <case>.out.dockerfile; --check then passes
  // the engine's fixtures (fixtures/engine: a file that needs more than 64 rounds of fixes is fixed to the end) run
  // through the packed bin in test/package.test.ts, with every rule fixture: --write, then nothing left to change

  test("rounds of fixes: when the bound is reached, what is still fixable is reported (round-limit), never dropped", async () => {
    const text = `FROM debian:12\nRUN apt-get update && apt-get install -y curl\n${"RUN rm -rf /var/lib/apt/lists/*\n".repeat(4)}`;
    const r = await fix(text, { select: ["merge-cleanup-run"], maxRounds: 2 });
    expect(r.fixes.map((f) => f.line)).toEqual([3, 4]);
    expect(r.remaining.map((f) => [f.line, f.reason])).toEqual([
      [5, "round-limit"],
      [6, "round-limit"],
    ]);
    expect(r.remaining[0]!.message).toMatch(/\(not fixed: still fixable after 2 rounds of fixes; run again\)$/);
    // a finding left makes --write fail (exit 1): the same path as any other finding left
    const again = await fix(r.output, { select: ["merge-cleanup-run"] });
    expect([again.fixes.length, again.remaining]).toEqual([2, []]);
  });

  test("--stdin-filepath: exit 1 for a change with --diff or --check, for a finding left otherwise", async () => {
    const diff = await run(["--stdin-filepath", "Dockerfile", "--diff"], FIXABLE);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("+++ b/Dockerfile");
    expect(await run(["--stdin-filepath", "Dockerfile", "--diff"], CLEAN)).toMatchObject({ code: 0, stdout: "" });
    expect((await run(["--stdin-filepath", "Dockerfile", "--diff", "--exit-zero"], FIXABLE)).code).toBe(0);
    expect((await run(["--stdin-filepath", "Dockerfile", "--check"], FIXABLE)).code).toBe(1);
    expect((await run(["--stdin-filepath", "Dockerfile"], FIXABLE)).code).toBe(0); // all fixed, the result on stdout
    const left = await run(["--stdin-filepath", "Dockerfile"], UNSAFE_ONLY);
    expect([left.code, left.stdout]).toEqual([1, UNSAFE_ONLY]);
    expect((await run(["--stdin-filepath", "Dockerfile", "--exit-zero"], UNSAFE_ONLY)).code).toBe(0);
  });

  test("stdin that is not valid UTF-8 or holds NUL bytes is refused with exit 2, nothing on stdout", async () => {
    const nul = await run(["--stdin-filepath", "svc/Dockerfile"], Buffer.from("FROM alpine\0\n"));
    expect(nul).toEqual({ code: 2, stdout: "", stderr: "svc/Dockerfile:1:1: not a text file (it contains NUL bytes): refused\n" });
    const latin1 = await run(["--stdin-filepath", "Dockerfile"], Buffer.from([...Buffer.from("FROM alpine\nLABEL a=caf"), 0xe9, 0x0a]));
    expect(latin1).toEqual({ code: 2, stdout: "", stderr: "Dockerfile:1:1: not a text file (invalid UTF-8): refused\n" });
  });

  test("a read-only file is reported (path:1:1: cannot write) and left alone, not replaced by rename; the others are written", async () => {
    write("a/Dockerfile", FIXABLE);
    write("b/Dockerfile", FIXABLE);
    chmodSync(join(dir, "a/Dockerfile"), 0o444);
    const ino = statSync(join(dir, "a/Dockerfile")).ino;
    const r = await run(["--write"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a/Dockerfile:1:1: cannot write: permission denied (the file is read-only)");
    expect(read("a/Dockerfile")).toBe(FIXABLE);
    expect(statSync(join(dir, "a/Dockerfile")).ino).toBe(ino);
    expect(statSync(join(dir, "a/Dockerfile")).mode & 0o777).toBe(0o444);
    expect(read("b/Dockerfile")).toBe(FIXED);
    expect(readdirSync(join(dir, "a"))).toEqual(["Dockerfile"]);
  });
});

/** Runs the command until it pauses before the rename of its temporary file, then sends `signal`. */
async function interrupt(signal: NodeJS.Signals): Promise<{ code: number | null; tmp: string; tmpExisted: boolean }> {
  const child = spawn(process.execPath, [BIN, "--write"], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", DOCKERFILE_CODEMOD_TEST_PAUSE_WRITE: "60000" },
  });
  let stderr = "";
  const tmp = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /paused before rename: (.+)\n/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on("exit", () => reject(new Error(`exited before the pause: ${stderr}`)));
  });
  const tmpExisted = existsSync(tmp);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill(signal);
  return { code: await exited, tmp, tmpExisted };
}

describe("an interrupted --write", () => {
  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s: the temporary file is removed, the file is untouched, exit %i", async (signal, code) => {
    write("Dockerfile", FIXABLE);
    const r = await interrupt(signal);
    expect(r.tmpExisted).toBe(true);
    expect(r.code).toBe(code);
    expect(existsSync(r.tmp)).toBe(false);
    expect(readdirSync(dir)).toEqual(["Dockerfile"]);
    expect(read("Dockerfile")).toBe(FIXABLE);
  });
});

const HAS_GIT = spawnSync("git", ["--version"]).status === 0;

describe("ignored files, as git sees them", () => {
  const layout = () => {
    write(".gitignore", "Dockerfile\nbuild/\n");
    write("sub/.gitignore", "!Dockerfile\n");
    write("Dockerfile", FIXABLE);
    write("sub/Dockerfile", FIXABLE);
    write("sub/deeper/Dockerfile", FIXABLE);
    write("build/Dockerfile", FIXABLE);
    write("other/Dockerfile", FIXABLE);
  };
  const found = async () => (JSON.parse((await run(["--json"])).stdout) as { files: { path: string }[] }).files.map((f) => f.path).sort();

  test.skipIf(!HAS_GIT)("a deeper .gitignore's !Dockerfile re-includes files in a git work tree (git ls-files); tracked files are never ignored", async () => {
    const git = (...args: string[]) => spawnSync("git", args, { cwd: dir, encoding: "utf8" });
    expect(git("init", "-q").status).toBe(0);
    layout();
    expect(await found()).toEqual(["sub/Dockerfile", "sub/deeper/Dockerfile"]);
    expect(git("add", "-f", "other/Dockerfile").status).toBe(0);
    expect(await found()).toEqual(["other/Dockerfile", "sub/Dockerfile", "sub/deeper/Dockerfile"]);
    // searched from a subdirectory too
    expect((JSON.parse((await run(["--json", "sub"])).stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(["sub/Dockerfile", "sub/deeper/Dockerfile"]);
  });
  test.skipIf(!HAS_GIT)("in a git work tree, Dockerfiles of submodules and of repositories inside it are searched with their own rules", async () => {
    const git = (cwd: string, ...args: string[]) =>
      spawnSync("git", ["-c", "user.email=dev@example.com", "-c", "user.name=Dev", "-c", "protocol.file.allow=always", ...args], { cwd, encoding: "utf8" });
    expect(git(dir, "init", "-q").status).toBe(0);
    write("lib/Dockerfile", FIXABLE);
    write("lib/.gitignore", "skip/\n");
    write("lib/skip/Dockerfile", FIXABLE);
    expect(git(join(dir, "lib"), "init", "-q").status).toBe(0);
    expect(git(join(dir, "lib"), "add", ".").status).toBe(0);
    expect(git(join(dir, "lib"), "commit", "-qm", "lib").status).toBe(0);
    const added = git(dir, "submodule", "add", "-q", "./lib", "vendor/lib");
    expect(added.status, added.stderr).toBe(0);
    write("Dockerfile", FIXABLE);
    expect(await found()).toEqual(["Dockerfile", "lib/Dockerfile", "vendor/lib/Dockerfile"]);
  });
  if (!HAS_GIT) test.skip("git is not installed: the git work tree cases are skipped", () => {});

  test("outside git, the .gitignore files are read the same way", async () => {
    layout();
    expect(await found()).toEqual(["sub/Dockerfile", "sub/deeper/Dockerfile"]);
  });
});

describe("--reformat formats as prettier does", () => {
  const PRETTIER = join(ROOT, "node_modules/prettier/bin/prettier.cjs");
  const LONG = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git && rm -rf /var/lib/apt/lists/*\n";
  test("with the project's .prettierrc, overrides and .editorconfig; nothing .prettierignore excludes; then prettier --check passes", async () => {
    // tabWidth 2 and .editorconfig's indent_style are written for the project's other files: they do not reach Dockerfiles;
    // the plugin's own options, in overrides, do
    write(
      ".prettierrc",
      JSON.stringify({
        plugins: [join(ROOT, "dist/plugin/index.js")],
        tabWidth: 2,
        overrides: [
          { files: "two/**", options: { dockerfileIndent: "2", dockerfileOperatorPosition: "end" } },
          { files: "legacy/**", options: { dockerfileIndent: "tab", dockerfileOperatorPosition: "end" } },
        ],
      }),
    );
    write(".editorconfig", "root = true\n\n[*]\nindent_style = tab\n");
    write(".prettierignore", "vendor/\n");
    for (const name of ["Dockerfile", "two/Dockerfile", "legacy/Dockerfile", "vendor/Dockerfile"]) write(name, LONG);
    const r = await run(["--write", "--reformat"]);
    expect(r.code, r.stderr).toBe(0);
    expect(read("Dockerfile")).toMatch(/^RUN apt-get update \\\n {4}&& apt-get install/m);
    expect(read("two/Dockerfile")).toMatch(/^RUN apt-get update && \\\n {2}apt-get install/m);
    expect(read("legacy/Dockerfile")).toMatch(/^RUN apt-get update && \\\n\tapt-get install/m);
    expect(read("vendor/Dockerfile")).toBe(LONG); // .prettierignore: not formatted (and it had nothing to fix)
    const check = spawnSync(process.execPath, [PRETTIER, "--check", "Dockerfile", "two/Dockerfile", "legacy/Dockerfile"], { cwd: dir, encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  test("line endings follow Prettier's endOfLine (default lf); a byte-order mark is kept; without --reformat CRLF is kept", async () => {
    write(".prettierrc", JSON.stringify({ plugins: [join(ROOT, "dist/plugin/index.js")] }));
    const crlf = `\uFEFF${FIXABLE.replace(/\n/g, "\r\n")}`;
    write("Dockerfile", crlf);
    expect((await run(["--write", "--reformat"])).code).toBe(0);
    expect(read("Dockerfile")).toBe(`\uFEFF${FORMATTED}`);
    write(".prettierrc", JSON.stringify({ plugins: [join(ROOT, "dist/plugin/index.js")], endOfLine: "auto" }));
    write("Dockerfile", crlf);
    expect((await run(["--write", "--reformat"])).code).toBe(0);
    expect(read("Dockerfile")).toBe(`\uFEFF${FORMATTED.replace(/\n/g, "\r\n")}`);
    write("Dockerfile", crlf);
    expect((await run(["--write"])).code).toBe(0);
    expect(read("Dockerfile")).toBe(`\uFEFF${FIXED.replace(/\n/g, "\r\n")}`);
  });

  test("the plugin's own options from the configuration (dockerfileShellLayout), for the files its overrides name", async () => {
    write(".prettierrc", JSON.stringify({ dockerfileOperatorPosition: "end", overrides: [{ files: "keep/**", options: { dockerfileShellLayout: "preserve" } }] }));
    const text = "FROM alpine\nRUN apk add curl && apk add git \\\n\t&& echo done\n";
    write("keep/Dockerfile", text);
    write("Dockerfile", text);
    expect((await run(["--write", "--reformat"])).code).toBe(0);
    expect(read("keep/Dockerfile")).toBe(text);
    expect(read("Dockerfile")).toBe("FROM alpine\nRUN apk add curl && apk add git && \\\n\techo done\n");
  });

  test("--stdin-filepath --reformat uses the configuration of the path named", async () => {
    write(".prettierrc", JSON.stringify({ dockerfileOperatorPosition: "end" }));
    const r = await run(["--stdin-filepath", "Dockerfile", "--reformat"], LONG);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^RUN apt-get update && \\\n {4}apt-get install/m);
  });
});
