/**
 * The built command with the names and the configuration users already
 * have (issue 19, points 4, 5, 6, 15): hadolint codes and BuildKit check
 * names wherever a rule is named, "did you mean" for a typo; YAML rc files,
 * kebab-case keys, a .hadolint.yaml's `ignored`; configuration errors once,
 * with line and column; `exclude` as .gitignore reads its lines, and
 * --force-exclude for the files pre-commit and lint-staged name; -V.
 *
 * Most cases call the command's main() in this process (a process per call
 * cost ~0.5 s each here, ~50 calls); the version flags and a pre-commit-like
 * --force-exclude run go through the built bin, as users run it
 * (test/precommit.test.ts runs the real pre-commit with the manifest's
 * --force-exclude).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";
import { runBin, runMain } from "./cli-run.js";

/** cmd-exec-form and entrypoint-exec-form (DL3025, JSONArgsRecommended) and maintainer-deprecated (DL4000) have something to say. */
// the CMD is in a stage of its own: under a shell-form ENTRYPOINT it would be dead (cmd-ignored-by-shell-entrypoint)
const EXEC = "FROM alpine AS base\nMAINTAINER me\nENTRYPOINT ./entry.sh\nFROM alpine\nCMD serve --port 80\n";
/** cmd-exec-form alone: a safe fix. */
const CMD = "FROM alpine\nCMD serve --port 80\n";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dockerfile-codemod-config-"));
  // the configuration search stops at the repository root
  mkdirSync(join(dir, ".git"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The built command, in its own process. */
const bin = (args: string[], input?: string) => runBin(args, { cwd: dir, input, env: { ...process.env, NO_COLOR: "1" } });
/** The command's main(), in this process. */
const run = (args: string[], input?: string) => runMain(args, { cwd: dir, input, env: { ...process.env, NO_COLOR: "1" } });
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
/** The rules with findings, per file, from --json. */
async function rules(args: string[]): Promise<Record<string, string[]>> {
  const r = await run(["--json", ...args]);
  expect(r.code, r.stderr).not.toBe(2);
  const report = JSON.parse(r.stdout) as { files: { path: string; findings: { rule: string }[] }[] };
  return Object.fromEntries(report.files.map((f) => [f.path, [...new Set(f.findings.map((x) => x.rule))].sort()]));
}

describe("rules by the names users know", () => {
  test("--select, --extend-select and --ignore take hadolint codes and BuildKit check names, in any case, for every rule that answers them", async () => {
    write("Dockerfile", EXEC);
    expect(await rules(["--select", "DL3025"])).toEqual({ Dockerfile: ["cmd-exec-form", "entrypoint-exec-form"] });
    expect(await rules(["--select", "jsonargsrecommended"])).toEqual({ Dockerfile: ["cmd-exec-form", "entrypoint-exec-form"] });
    expect(await rules(["--select", "ALL", "--ignore", "JSONArgsRecommended,consecutive-run"])).toEqual({ Dockerfile: ["maintainer-deprecated"] });
    expect(await rules(["--extend-select", "DL4000,MaintainerDeprecated"])).toEqual({ Dockerfile: ["cmd-exec-form", "entrypoint-exec-form", "maintainer-deprecated"] });
    // a code no rule answers: nothing to ignore, and no error (a hadolint user's list names many)
    expect(await rules(["--ignore", "DL3008,SC2086"])).toEqual({ Dockerfile: ["cmd-exec-form", "entrypoint-exec-form", "maintainer-deprecated"] });
  });

  test("a typo is an error, exit 2, with the closest rule id, code or check; a code no rule answers cannot be selected", async () => {
    write("Dockerfile", CMD);
    const typo = await run(["--select", "merge-clenup-run"]);
    expect([typo.code, typo.stderr.split("\n")[0]]).toEqual([2, 'dockerfile-codemod: unknown rule "merge-clenup-run" (did you mean merge-cleanup-run?)']);
    expect((await run(["--ignore", "JSONArgsRecomended"])).stderr).toContain("(did you mean JSONArgsRecommended?)");
    expect((await run(["--extend-select", "DL40003"])).stderr).toContain("(did you mean DL4003?)");
    const explain = await run(["--explain", "no-shadowed-cmds"]);
    expect([explain.code, explain.stdout]).toEqual([2, ""]);
    expect(explain.stderr).toContain("(did you mean no-shadowed-cmd?)");
    const none = await run(["--select", "DL3008"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no rule answers "DL3008"');
    expect((await run(["--select", "bogus"])).stderr).toContain("--list-rules");
  });

  test("--explain takes a code or check: each rule that answers it, with its facts as text", async () => {
    const one = await run(["--explain", "DL4003"]);
    expect(one.code).toBe(0);
    expect(one.stdout.match(/^# .*$/gm)).toEqual(["# no-shadowed-cmd"]);
    const two = await run(["--explain", "JSONArgsRecommended"]);
    expect(two.stdout.match(/^# .*$/gm)).toEqual(["# cmd-exec-form", "# entrypoint-exec-form", "# exec-form-single-quotes"]);
    // the facts are printed; no file users do not have is cited
    expect(one.stdout).toMatch(/## Facts it relies on[^\n]*\n- \S/);
    expect(one.stdout).not.toMatch(/rulebook|shared\/docs/);
  });

  test("-V prints the version, as -v and --version do (after --, -V is a path)", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(bin(["-V"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    // -v and --version: test/cli.test.ts (through the bin: the version read from package.json in dist/'s layout)
    expect((await run(["--", "-V"])).stderr).toContain("-V: no such file");
  });
});

describe("the configuration users already have", () => {
  test("YAML rc files with ruff's kebab-case keys; .dockerfile-codemodrc in YAML or JSON", async () => {
    write("Dockerfile", EXEC);
    write(".dockerfile-codemodrc.yaml", "# the team's settings\nextend-select: [DL4000]\nignore:\n  - entrypoint-exec-form\nunsafe-fixes: true\nper-file-ignores:\n  legacy/**: [JSONArgsRecommended]\n");
    write("legacy/Dockerfile", EXEC);
    expect(await rules([])).toEqual({ Dockerfile: ["cmd-exec-form", "maintainer-deprecated"], "legacy/Dockerfile": ["maintainer-deprecated"] });
    const shown = JSON.parse((await run(["--show-config", "Dockerfile", "--output-format", "json"])).stdout);
    expect(shown).toMatchObject({ configuration: join(dir, ".dockerfile-codemodrc.yaml"), unsafeFixes: true });
    rmSync(join(dir, ".dockerfile-codemodrc.yaml"));
    write(".dockerfile-codemodrc", "select:\n  - DL4000\n");
    expect(await rules([])).toEqual({ Dockerfile: ["maintainer-deprecated"], "legacy/Dockerfile": ["maintainer-deprecated"] });
    write(".dockerfile-codemodrc", '{\n\t"select": ["cmd-exec-form"]\n}\n');
    expect(await rules([])).toEqual({ Dockerfile: ["cmd-exec-form"], "legacy/Dockerfile": ["cmd-exec-form"] });
  });

  test(".hadolint.yaml: its ignored codes turn off the rules that answer them; the keys not read are named once; --no-config skips it", async () => {
    for (const f of ["Dockerfile", "a/Dockerfile", "b/Dockerfile"]) write(f, EXEC);
    write(".hadolint.yaml", "failure-threshold: warning\nignored:\n  - DL3025\n  - DL3008\noverride:\n  error: [DL3001]\ntrustedRegistries: [docker.io]\n");
    const r = await run(["--json", "--extend-select", "maintainer-deprecated,entrypoint-exec-form"]);
    const report = JSON.parse(r.stdout) as { files: { findings: { rule: string }[] }[] };
    expect(report.files.map((f) => f.findings.map((x) => x.rule))).toEqual([["maintainer-deprecated"], ["maintainer-deprecated"], ["maintainer-deprecated"]]);
    expect(r.stderr).toBe(`warning: ${join(dir, ".hadolint.yaml")}: hadolint settings not read by dockerfile-codemod: failure-threshold, override, trustedRegistries (it reads "ignored" only)\n`);
    expect((await run(["--quiet"])).stderr).toBe("");
    const shown = (await run(["--show-config", "a/Dockerfile"])).stdout;
    expect(shown).toContain(`hadolint configuration: ${join(dir, ".hadolint.yaml")}`);
    expect(shown).toMatch(/ignored: DL3025, DL3008/);
    expect((await rules(["--no-config"]))["Dockerfile"]).toEqual(["cmd-exec-form", "entrypoint-exec-form", "maintainer-deprecated"]);
    // beside the codemod's own file, both are read; named with --config, it is read alone
    write(".dockerfile-codemodrc.yml", "extend-select: [DL4000]\n");
    expect((await rules([]))["Dockerfile"]).toEqual(["maintainer-deprecated"]);
    write("ci/.hadolint.yml", "ignored: [DL4000]\n");
    expect((await rules(["--config", "ci/.hadolint.yml", "--select", "ALL", "--ignore", "consecutive-run"]))["Dockerfile"]).toEqual(["cmd-exec-form", "entrypoint-exec-form"]);
  });

  test("a bad configuration is printed once, however many files it covers, with its path, line and column; exit 2", async () => {
    for (const f of ["Dockerfile", "a/Dockerfile", "b/Dockerfile"]) write(f, CMD);
    write(".dockerfile-codemodrc.yaml", "select:\n  - cmd-exec-form\n  - merge-clenup-run\n");
    const typo = await run([]);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe("");
    const errors = typo.stderr.split("\n").filter((l) => l.includes("merge-clenup-run"));
    expect(errors).toEqual([`error: ${join(dir, ".dockerfile-codemodrc.yaml")}:3:5: "select": unknown rule "merge-clenup-run" (did you mean merge-cleanup-run?)`]);
    expect(typo.stderr).toMatch(/; 1 error; /);
    write(".dockerfile-codemodrc.yaml", "select: [cmd-exec-form\nignore: []\n");
    expect((await run([])).stderr).toMatch(new RegExp(`^error: ${join(dir, ".dockerfile-codemodrc.yaml")}:\\d+:\\d+: not valid YAML: `));
    rmSync(join(dir, ".dockerfile-codemodrc.yaml"));
    write(".dockerfile-codemodrc.json", '{\n  "select": ["cmd-exec-form"\n}\n');
    expect((await run([])).stderr.split("\n")[0]).toMatch(new RegExp(`^error: ${join(dir, ".dockerfile-codemodrc.json")}:3:1: not valid JSON: `));
    write(".dockerfile-codemodrc.json", '{\n  "extend-selct": ["DL4000"]\n}\n');
    expect((await run([])).stderr.split("\n")[0]).toBe(`error: ${join(dir, ".dockerfile-codemodrc.json")}:2:3: unknown key "extend-selct" (did you mean extend-select?)`);
    write(".dockerfile-codemodrc.json", '{\n  "extendSelect": [],\n  "extend-select": ["DL4000"]\n}\n');
    expect((await run([])).stderr.split("\n")[0]).toBe(`error: ${join(dir, ".dockerfile-codemodrc.json")}:3:3: "extend-select" and "extendSelect" are the same key: write one`);
    rmSync(join(dir, ".dockerfile-codemodrc.json"));
    write("package.json", '{\n  "name": "app",\n  "dockerfile-codemod": {\n    "ignore": ["JSONArgs"]\n  }\n}\n');
    expect((await run([])).stderr.split("\n")[0]).toBe(`error: ${join(dir, "package.json")}:4:16: "ignore": unknown rule "JSONArgs" (did you mean JSONArgsRecommended?)`);
  });
});

describe("exclusion that hooks respect", () => {
  test('exclude: ["vendor"] excludes every vendor directory, as a .gitignore line does; a file named is read unless --force-exclude', async () => {
    for (const f of ["Dockerfile", "vendor/Dockerfile", "src/vendor/lib/Dockerfile", "vendored/Dockerfile"]) write(f, CMD);
    write(".dockerfile-codemodrc.yaml", "exclude:\n  - vendor\n");
    expect(Object.keys(await rules([]))).toEqual(["Dockerfile", "vendored/Dockerfile"]);
    expect(Object.keys(await rules(["vendor/Dockerfile", "src/vendor/lib/Dockerfile"]))).toEqual(["vendor/Dockerfile", "src/vendor/lib/Dockerfile"]);
    // as pre-commit calls it: every file named, the excluded ones skipped
    const hook = bin(["--write", "--force-exclude", "Dockerfile", "vendor/Dockerfile", "src/vendor/lib/Dockerfile"]);
    expect([hook.code, hook.stdout]).toEqual([0, "Dockerfile\n"]);
    expect(readFileSync(join(dir, "vendor/Dockerfile"), "utf8")).toBe(CMD);
    expect(readFileSync(join(dir, "src/vendor/lib/Dockerfile"), "utf8")).toBe(CMD);
    expect((await run(["--show-config", "src/vendor/lib/Dockerfile"])).stdout).toContain('excluded: yes, by "vendor"');
    // stdin named as an excluded file comes back unchanged with --force-exclude
    expect(await run(["--force-exclude", "--stdin-filepath", "vendor/Dockerfile"], CMD)).toEqual({ code: 0, stdout: CMD, stderr: "" });
    expect((await run(["--stdin-filepath", "vendor/Dockerfile"], CMD)).stdout).toBe('FROM alpine\nCMD ["serve", "--port", "80"]\n');
  });

  test("extend-exclude (ruff's key) adds its patterns to exclude's", async () => {
    for (const f of ["Dockerfile", "vendor/Dockerfile", "third_party/x/Dockerfile"]) write(f, CMD);
    write(".dockerfile-codemodrc.yaml", "exclude: [vendor]\nextend-exclude: [third_party]\n");
    expect(Object.keys(await rules([]))).toEqual(["Dockerfile"]);
    write(".dockerfile-codemodrc.yaml", "extendExclude: [third_party]\n");
    expect(Object.keys(await rules([]))).toEqual(["Dockerfile", "vendor/Dockerfile"]);
    expect((await run(["--show-config", "third_party/x/Dockerfile"])).stdout).toContain('excluded: yes, by "third_party"');
  });
});
