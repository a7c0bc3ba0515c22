/** The built command, run as users run it. `npm test` builds dist/ first. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const BIN = join(ROOT, "dist/src/cli/bin.js");
const FIXABLE = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\nCMD node server.js\n";
const FIXED = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\nCMD [\"node\", \"server.js\"]\n";
const CLEAN = 'FROM alpine\nCMD ["./serve"]\n';

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dockerfile-codemod-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const write = (rel: string, text: string | Buffer) => {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const read = (rel: string) => readFileSync(join(dir, rel), "utf8");

describe("dockerfile-codemod", () => {
  test("report mode: one line per finding, path:line:col  rule  message, exit 1", () => {
    write("Dockerfile", FIXABLE);
    const r = run([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Dockerfile:3:1 {2}merge-cleanup-run {2}this RUN only deletes the apt package lists, which the RUN on line 2 created/m);
    expect(r.stdout).toMatch(/^Dockerfile:4:1 {2}cmd-exec-form {2}shell-form CMD/m);
    expect(r.stderr).toMatch(/1 file scanned, 1 would change; fixes: merge-cleanup-run 1, cmd-exec-form 1; 0 errors; [\d.]+s/);
    expect(read("Dockerfile")).toBe(FIXABLE);
  });

  test("--check changes nothing and exits 1; --write applies; --check then exits 0", () => {
    write("Dockerfile", FIXABLE);
    expect(run(["--check"]).code).toBe(1);
    expect(read("Dockerfile")).toBe(FIXABLE);
    const w = run(["--write"]);
    expect(w.code).toBe(0);
    expect(read("Dockerfile")).toBe(FIXED);
    expect(run(["--check"]).code).toBe(0);
    expect(run([]).code).toBe(0);
  });

  test("--diff prints a unified diff", () => {
    write("svc/api.dockerfile", FIXABLE);
    const r = run(["--diff", "svc"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("--- a/svc/api.dockerfile\n+++ b/svc/api.dockerfile\n");
    expect(r.stdout).toContain("-RUN rm -rf /var/lib/apt/lists/*\n");
    expect(r.stdout).toContain('+CMD ["node", "server.js"]\n');
  });

  test("--json: files with their fixes and a summary", () => {
    write("Dockerfile", FIXABLE);
    write("Containerfile", CLEAN);
    const r = run(["--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      files: { path: string; changed: boolean; fixes: { rule: string; line: number; safety: string }[] }[];
      summary: { scanned: number; changed: number; errors: number; fixesPerRule: Record<string, number> };
    };
    expect(report.summary).toMatchObject({ scanned: 2, changed: 1, errors: 0, fixesPerRule: { "merge-cleanup-run": 1, "cmd-exec-form": 1 } });
    const df = report.files.find((f) => f.path === "Dockerfile")!;
    expect(df.changed).toBe(true);
    expect(df.fixes.map((f) => [f.rule, f.line, f.safety])).toEqual([
      ["merge-cleanup-run", 3, "safe"],
      ["cmd-exec-form", 4, "safe"],
    ]);
  });

  test("finds Dockerfile names in any case, skips .git, node_modules and .gitignore'd paths", () => {
    for (const name of ["Dockerfile", "a/Containerfile", "b/api.Dockerfile", "c/Dockerfile.prod", "d/DOCKERFILE", "e/x.containerfile", ".devcontainer/Dockerfile"]) {
      write(name, FIXABLE);
    }
    write("node_modules/pkg/Dockerfile", FIXABLE);
    write(".git/Dockerfile", FIXABLE);
    write("build/Dockerfile", FIXABLE);
    write("notes/Dockerfile-notes.md", "x");
    write(".gitignore", "build/\n");
    mkdirSync(join(dir, ".git"), { recursive: true });
    const r = run(["--json"]);
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

  test("a file named explicitly is always read, whatever its name", () => {
    write("build/weird-name.txt", FIXABLE);
    write(".gitignore", "build/\n");
    const r = run(["build/weird-name.txt"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("build/weird-name.txt:3:1  merge-cleanup-run");
  });

  test("writes keep CRLF, the byte-order mark and the file mode", () => {
    write("Dockerfile", `\uFEFF${FIXABLE.replace(/\n/g, "\r\n")}`);
    chmodSync(join(dir, "Dockerfile"), 0o751);
    expect(run(["--write"]).code).toBe(0);
    expect(read("Dockerfile")).toBe(`\uFEFF${FIXED.replace(/\n/g, "\r\n")}`);
    expect(statSync(join(dir, "Dockerfile")).mode & 0o777).toBe(0o751);
  });

  test("a bad file is reported with path:line:col and exit 2; the other files are still written", () => {
    write("a/Dockerfile", "FROM alpine\nRUN <<EOF\necho hi\n");
    write("b/Dockerfile", FIXABLE);
    const r = run(["--write"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a/Dockerfile:2:5: unterminated heredoc");
    expect(read("a/Dockerfile")).toBe("FROM alpine\nRUN <<EOF\necho hi\n");
    expect(read("b/Dockerfile")).toBe(FIXED);
  });

  test("files that are not text are reported and skipped", () => {
    write("Dockerfile.tar", Buffer.from([0x1f, 0x8b, 0x00, 0x01]));
    write("x/Dockerfile", Buffer.from([0x46, 0x52, 0xff, 0xfe, 0x0a]));
    write("Dockerfile", CLEAN);
    const searched = run([]);
    expect(searched.code).toBe(0);
    expect(searched.stderr).toContain("Dockerfile.tar: not a text file (it contains NUL bytes): skipped");
    expect(searched.stderr).toContain("x/Dockerfile: not a text file (invalid UTF-8): skipped");
    const named = run(["Dockerfile.tar"]);
    expect(named.code).toBe(2);
  });

  test("symbolic links: not followed in directory search; a named link is written through only inside the paths given", () => {
    write("real/Dockerfile", FIXABLE);
    write("outside/Dockerfile", FIXABLE);
    mkdirSync(join(dir, "links"));
    symlinkSync(join(dir, "real/Dockerfile"), join(dir, "links/Dockerfile"));
    // directory search over links/ finds nothing (the link is not followed)
    const searched = run(["--json", "links"]);
    expect((JSON.parse(searched.stdout) as { files: unknown[] }).files).toEqual([]);
    // named link whose target lies inside the paths given: written through, the link stays a link
    const inside = run(["--write", "links/Dockerfile", "real"]);
    expect(inside.code).toBe(0);
    expect(lstatSync(join(dir, "links/Dockerfile")).isSymbolicLink()).toBe(true);
    expect(read("real/Dockerfile")).toBe(FIXED);
    // named link whose target is outside: never written
    symlinkSync(join(dir, "outside/Dockerfile"), join(dir, "links/Other.dockerfile"));
    const outside = run(["--write", "links/Other.dockerfile"]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("outside the paths given: not written");
    expect(read("outside/Dockerfile")).toBe(FIXABLE);
    expect(lstatSync(join(dir, "links/Other.dockerfile")).isSymbolicLink()).toBe(true);
  });

  test("--stdin-filepath reads stdin and writes the result to stdout", () => {
    const r = run(["--stdin-filepath", "svc/Dockerfile"], FIXABLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(FIXED);
    expect(r.stderr).toContain("svc/Dockerfile:3:1  merge-cleanup-run");
    const bad = run(["--stdin-filepath", "Dockerfile"], "FROM a\nRUN --mount echo\n");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Dockerfile:2:5: missing a value on flag: --mount");
  });

  test("--select, --ignore and --unsafe-fixes", () => {
    write("Dockerfile", FIXABLE);
    expect(run(["--check", "--select", "no-shadowed-cmd"]).code).toBe(0);
    expect(run(["--check", "--ignore", "merge-cleanup-run,cmd-exec-form"]).code).toBe(0);
    expect(run(["--check", "--select", "bogus"]).code).toBe(2);
    write("Dockerfile", 'FROM alpine\nENTRYPOINT ["/e.sh"]\nCMD serve --port 80\n');
    const safe = run([]);
    expect(safe.code).toBe(0);
    expect(safe.stdout).toContain("(apply with --unsafe-fixes)");
    expect(run(["--write", "--unsafe-fixes"]).code).toBe(0);
    expect(read("Dockerfile")).toBe('FROM alpine\nENTRYPOINT ["/e.sh"]\nCMD ["serve", "--port", "80"]\n');
  });

  test("--format also formats what it writes", () => {
    write("Dockerfile", "from debian:12\nrun apt-get update && apt-get install -y curl\nrun rm -rf /var/lib/apt/lists/*\n");
    expect(run(["--write", "--format"]).code).toBe(0);
    expect(read("Dockerfile")).toBe("FROM debian:12\nRUN apt-get update && \\\n  apt-get install -y curl && \\\n  rm -rf /var/lib/apt/lists/*\n");
  });

  test("usage errors exit 2", () => {
    expect(run(["--bogus"]).code).toBe(2);
    expect(run(["--write", "--check"]).code).toBe(2);
    expect(run(["no/such/path"]).code).toBe(2);
    expect(run(["--explain", "nope"]).code).toBe(2);
  });

  test("--list-rules and --explain print the rules' own docs", () => {
    const list = run(["--list-rules"]);
    expect(list.code).toBe(0);
    for (const id of ["merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd"]) expect(list.stdout).toContain(`\`${id}\``);
    const explain = run(["--explain", "cmd-exec-form"]);
    expect(explain.code).toBe(0);
    for (const heading of ["## What it does", "## Why is this bad?", "## Example", "## Fix safety", "## Facts it relies on"]) {
      expect(explain.stdout).toContain(heading);
    }
  });
});
