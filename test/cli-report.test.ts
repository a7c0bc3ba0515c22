/**
 * The built command's output formats and configuration, run as users run it:
 * JSON (versioned, the same bytes run to run), GitHub workflow commands,
 * SARIF 2.1.0 validated against the official schema, --statistics, --quiet,
 * colours; the configuration file (package.json key, rc file, the nearest
 * wins, flags override) and --show-config.
 *
 * The cases call the command's main() in this process (test/cli-run.ts), with
 * the environment a process would get; the GitHub output runs through the
 * built bin, as users run it (the other formats' bin runs are in
 * test/cli.test.ts and test/cli-output.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { runBin, runMain, type CliCall } from "./cli-run.js";

const FIXABLE = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\nCMD node server.js\n";
/** A finding the codemod cannot fix safely: a shell-form CMD after an ENTRYPOINT. */
const UNSAFE = 'FROM python:3.12\nENTRYPOINT ["python", "-m", "worker"]\nCMD serve --port 80\n';
const CLEAN = 'FROM alpine\nCMD ["./serve"]\n';

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dockerfile-codemod-report-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function call(env: NodeJS.ProcessEnv, cwd: string): CliCall {
  // the test runner's own colour settings are not the command's
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...rest } = process.env;
  return { cwd, env: { ...rest, ...env } };
}
/** The command's main(), in this process. */
const run = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) => runMain(args, call(env, cwd));
/** The built bin, in its own process. */
const bin = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) => runBin(args, call(env, cwd));
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const read = (rel: string) => readFileSync(join(dir, rel), "utf8");

describe("output formats", () => {
  test("json: a schema version, 1-based start and end, rule, safety, message, fix edits and whether applied; the same bytes on a second run", async () => {
    write("Dockerfile", FIXABLE);
    write("svc/Dockerfile", UNSAFE);
    write("clean/Dockerfile", CLEAN);
    const a = await run(["--output-format", "json"]);
    const b = await run(["--json"]);
    expect(a.code).toBe(1);
    expect(b.stdout).toBe(a.stdout);
    const report = JSON.parse(a.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.summary.seconds).toBeUndefined();
    expect(report.files.map((f: { path: string }) => f.path)).toEqual(["Dockerfile", "svc/Dockerfile"]);
    const merge = report.files[0].findings[0];
    // from the cleanup RUN's command text to its end; fixable: --fix applies it
    expect(merge).toMatchObject({ rule: "merge-cleanup-run", safety: "safe", fixable: true, fixed: true, applied: false, reason: null, start: { line: 3, column: 5 }, end: { line: 3, column: 32 } });
    expect(merge.fix.dependsOn).toEqual([]);
    expect(merge.fix.edits.length).toBeGreaterThan(0);
    for (const e of merge.fix.edits) {
      expect(e.start.line).toBeGreaterThan(0);
      expect(typeof e.text).toBe("string");
    }
    const unsafe = report.files[1].findings.find((f: { rule: string }) => f.rule === "cmd-exec-form");
    expect(unsafe).toMatchObject({ fixable: false, fixed: false, reason: "unsafe", safety: "unsafe", start: { line: 3, column: 5 }, end: { line: 3, column: 20 } });
    // with --write the applied fixes say so
    const w = JSON.parse((await run(["--write", "--json"])).stdout);
    expect(w.files[0].findings[0]).toMatchObject({ fixed: true, applied: true });
    // --show-all-files lists the clean file too; --timing adds the time
    const all = JSON.parse((await run(["--json", "--show-all-files", "--timing"])).stdout);
    expect(all.files.map((f: { path: string }) => f.path)).toContain("clean/Dockerfile");
    expect(typeof all.summary.seconds).toBe("number");
  });

  test("github: one workflow command per finding, with escaped properties and data", async () => {
    write("my,dir/Dockerfile", UNSAFE);
    write("Dockerfile", FIXABLE);
    const r = bin(["--output-format", "github"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines.every((l) => /^::warning file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+::/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith("::warning file=my%2Cdir/Dockerfile,line=3,col=5,endLine=3,endColumn=20,"))).toBe(true);
    expect(lines.some((l) => l.includes("title=dockerfile-codemod merge-cleanup-run (fixable)"))).toBe(true);
    // a file that cannot be parsed is an ::error
    write("bad/Dockerfile", "FROM a\nRUN <<EOF\nx\n");
    const bad = await run(["--output-format", "github", "bad"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/^::error file=bad\/Dockerfile,line=2,col=5,title=dockerfile-codemod::unterminated heredoc/m);
  });

  test("sarif: valid SARIF 2.1.0 (the official schema, with a JSON-schema validator), rules, results with regions and fixes", async () => {
    write("Dockerfile", FIXABLE);
    write("svc/Dockerfile", UNSAFE);
    write("bad/Dockerfile", "FROM a\nRUN <<EOF\nx\n");
    const r = await run(["--output-format", "sarif"]);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout);
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    // unicodeRegExp: false: the schema has a pattern that is invalid with the u flag
    // CommonJS modules: their default export is the module object's `default`
    const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as typeof import("ajv-draft-04").default;
    const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as typeof import("ajv-formats").default;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    // the uri, uri-reference and date-time formats checked too
    addFormats(ajv as never);
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const sarifRun = log.runs[0];
    expect(sarifRun.tool.driver.name).toBe("dockerfile-codemod");
    expect(sarifRun.tool.driver.rules.map((x: { id: string }) => x.id)).toContain("merge-cleanup-run");
    expect(sarifRun.columnKind).toBe("utf16CodeUnits");
    const merge = sarifRun.results.find((x: { ruleId: string }) => x.ruleId === "merge-cleanup-run");
    expect(merge.locations[0].physicalLocation.artifactLocation.uri).toBe("Dockerfile");
    expect(merge.locations[0].physicalLocation.region.startLine).toBe(3);
    expect(merge.fixes[0].artifactChanges[0].replacements.length).toBeGreaterThan(0);
    expect(sarifRun.invocations[0].executionSuccessful).toBe(false);
    expect(sarifRun.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/unterminated heredoc/);
  });

  test("--statistics: a count per rule, [*] where every finding is fixable", async () => {
    write("a/Dockerfile", FIXABLE);
    write("b/Dockerfile", FIXABLE);
    write("c/Dockerfile", UNSAFE);
    const r = await run(["--statistics"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\s*2 {2}\[\*\] merge-cleanup-run {2}/m);
    expect(r.stdout).toMatch(/^\s*3 {2}\[-\] cmd-exec-form {2}/m);
  });

  test("--quiet: only findings and errors (no summary, no warnings)", async () => {
    write("Dockerfile", FIXABLE);
    write("README.md", "# x\n");
    const r = await run(["--quiet", "Dockerfile", "README.md"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^Dockerfile:3:5: merge-cleanup-run \[\*\] /m);
    expect(r.stderr).toBe("");
  });

  test("colours: never without a terminal, with FORCE_COLOR or --color=always; never with NO_COLOR or --color=never", async () => {
    write("Dockerfile", FIXABLE);
    const esc = "\u001b[";
    expect((await run([])).stdout).not.toContain(esc);
    expect((await run([], { FORCE_COLOR: "1" })).stdout).toContain(esc);
    expect((await run(["--color=always"])).stdout).toContain(esc);
    expect((await run(["--color=never"], { FORCE_COLOR: "1" })).stdout).not.toContain(esc);
    expect((await run([], { FORCE_COLOR: "1", NO_COLOR: "1" })).stdout).not.toContain(esc);
    expect((await run(["--color=sometimes"])).code).toBe(2);
    // a parse error is coloured like a finding
    write("bad/Dockerfile", "FROM a\nRUN <<EOF\nx\n");
    expect((await run(["bad"], { FORCE_COLOR: "1" })).stderr).toMatch(/\u001b\[1mbad\/Dockerfile\u001b\[0m:2:5: \u001b\[1;31munterminated heredoc/);
  });

  test("--fix is --write; --reformat formats too", async () => {
    write("Dockerfile", FIXABLE);
    expect((await run(["--fix"])).code).toBe(0);
    expect(read("Dockerfile")).toContain('CMD ["node", "server.js"]');
    write("Dockerfile", "from alpine\nrun   echo hi\n");
    expect((await run(["--fix", "--reformat"])).code).toBe(0);
    expect(read("Dockerfile")).toBe("FROM alpine\nRUN echo hi\n");
  });

  test("--list-rules --output-format json prints the rules as JSON", async () => {
    const rules = JSON.parse((await run(["--list-rules", "--output-format", "json"])).stdout) as { id: string; fixSafety: string }[];
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(["merge-cleanup-run", "cmd-exec-form", "no-shadowed-cmd"]));
  });
});

describe("the text report (ruff's conventions)", () => {
  test("path:line:col: rule [*] message at the token's column, read by a `%f:%l:%c: %m` problem matcher; ruff's closing lines; --fix says what it fixed", async () => {
    // stage-name-case at the stage name (1:21), legacy-key-value-format at the key, expose-host-port at the port, maintainer-deprecated at the keyword
    write("Dockerfile", "FROM golang:1.23 AS Builder\nENV GOFLAGS -mod=vendor\nEXPOSE 8080:80\nMAINTAINER me\n");
    const args = ["--extend-select", "maintainer-deprecated", "--color=never"];
    const r = await run(args);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      'Dockerfile:1:21: stage-name-case [*] stage name "Builder" is not lower case: BuildKit stores it as "builder"; write it so',
      'Dockerfile:2:5: legacy-key-value-format [*] legacy "ENV key value" form: BuildKit reads the whole rest of the line as the value; write ENV GOFLAGS=-mod=vendor',
      "Dockerfile:3:8: expose-host-port [*] EXPOSE with an IP address or host port (8080:80 as 80): BuildKit keeps only the container port",
      expect.stringMatching(/^Dockerfile:4:1: maintainer-deprecated MAINTAINER is deprecated: .* \(apply with --unsafe-fixes\)$/),
    ]);
    // GitHub's problem matchers, and editors' `%f:%l:%c: %m`, read file, line, column and message from each line
    const matcher = /^(.+):(\d+):(\d+): (.+)$/;
    expect(lines.map((l) => matcher.exec(l)!.slice(1, 4))).toEqual([
      ["Dockerfile", "1", "21"],
      ["Dockerfile", "2", "5"],
      ["Dockerfile", "3", "8"],
      ["Dockerfile", "4", "1"],
    ]);
    expect(r.stderr).toContain("Found 4 findings.\n[*] 3 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n");
    const fixed = await run(["--fix", ...args]);
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toMatch(/^Dockerfile\nDockerfile:4:1: maintainer-deprecated /);
    expect(fixed.stderr).toContain("Found 4 findings (3 fixed, 1 remaining).\n(1 hidden fix can be enabled with the `--unsafe-fixes` option.)\n");
  });

  test("JSON and SARIF: the token's start and end; a fix whose edits need an earlier fix names it (dependsOn)", async () => {
    write("Dockerfile", "FROM golang:1.23 AS Builder\nRUN a\nRUN b\nRUN c\n");
    const report = JSON.parse((await run(["--json", "--extend-select", "consecutive-run"])).stdout);
    const findings = report.files[0].findings;
    expect(findings.map((f: { rule: string; start: unknown; end: unknown; fix: { dependsOn: number[] } }) => [f.rule, f.start, f.end, f.fix.dependsOn])).toEqual([
      ["stage-name-case", { line: 1, column: 21 }, { line: 1, column: 28 }, []],
      ["consecutive-run", { line: 3, column: 1 }, { line: 3, column: 4 }, []],
      // joined onto the RUN the join above made: its edits alone would join RUN c onto RUN a
      ["consecutive-run", { line: 4, column: 1 }, { line: 4, column: 4 }, [1]],
    ]);
    const sarif = JSON.parse((await run(["--output-format", "sarif", "--extend-select", "consecutive-run"])).stdout);
    const results = sarif.runs[0].results;
    expect(results[0].locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 21, endLine: 1, endColumn: 28 });
    expect(results[2].fixes[0].properties).toEqual({ dependsOn: [1] });
    expect(results[1].fixes[0].properties).toBeUndefined();
  });
});

describe("the configuration file", () => {
  test('a "dockerfile-codemod" key in package.json; an rc file nearer to a file wins for it; flags override', async () => {
    write("package.json", JSON.stringify({ name: "app", "dockerfile-codemod": { ignore: ["cmd-exec-form"] } }));
    write("Dockerfile", FIXABLE);
    write("svc/.dockerfile-codemodrc.json", JSON.stringify({ select: ["cmd-exec-form"] }));
    write("svc/Dockerfile", FIXABLE);
    const report = JSON.parse((await run(["--json"])).stdout);
    const rules = (path: string) => report.files.find((f: { path: string }) => f.path === path).findings.map((f: { rule: string }) => f.rule);
    expect(rules("Dockerfile")).toEqual(["merge-cleanup-run"]);
    expect(rules("svc/Dockerfile")).toEqual(["cmd-exec-form"]);
    // --select replaces the files' selection
    const flagged = JSON.parse((await run(["--json", "--select", "merge-cleanup-run"])).stdout);
    for (const f of flagged.files) expect(f.findings.map((x: { rule: string }) => x.rule)).toEqual(["merge-cleanup-run"]);
    // --no-config: the defaults
    const none = JSON.parse((await run(["--json", "--no-config", "Dockerfile"])).stdout);
    expect(none.files[0].findings.map((x: { rule: string }) => x.rule)).toEqual(["merge-cleanup-run", "cmd-exec-form"]);
  });

  test("unsafeFixes, perFileIgnores and exclude; --show-config says what is in effect and where it comes from", async () => {
    write(
      ".dockerfile-codemodrc",
      JSON.stringify({ unsafeFixes: true, perFileIgnores: { "legacy/**": ["merge-cleanup-run"] }, exclude: ["vendor/**"] }),
    );
    write("Dockerfile", UNSAFE);
    write("legacy/Dockerfile", FIXABLE);
    write("vendor/Dockerfile", FIXABLE);
    const report = JSON.parse((await run(["--json"])).stdout);
    expect(report.files.map((f: { path: string }) => f.path)).toEqual(["Dockerfile", "legacy/Dockerfile"]);
    expect(report.files[0].findings[0]).toMatchObject({ rule: "cmd-exec-form", fixed: true });
    expect(report.files[1].findings.map((f: { rule: string }) => f.rule)).toEqual(["cmd-exec-form"]);
    // named explicitly, an excluded file is read
    expect(JSON.parse((await run(["--json", "vendor/Dockerfile"])).stdout).files.length).toBe(1);
    // --no-unsafe-fixes beats the file
    expect(JSON.parse((await run(["--json", "--no-unsafe-fixes", "Dockerfile"])).stdout).files[0].findings[0].fixed).toBe(false);
    const shown = await run(["--show-config", "legacy/Dockerfile"]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(join(dir, ".dockerfile-codemodrc"));
    expect(shown.stdout).toMatch(/per-file ignore "legacy\/\*\*": merge-cleanup-run/);
    expect(shown.stdout).toMatch(/unsafe fixes: applied/);
    const json = JSON.parse((await run(["--show-config", "vendor/Dockerfile", "--output-format", "json"])).stdout);
    expect(json.excluded).toBe("vendor/**");
  });

  test("a bad configuration is an error naming the file, exit 2", async () => {
    write(".dockerfile-codemodrc.json", JSON.stringify({ selct: ["cmd-exec-form"] }));
    write("Dockerfile", FIXABLE);
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, ".dockerfile-codemodrc.json")}:1:2: unknown key "selct"`);
    write(".dockerfile-codemodrc.json", JSON.stringify({ select: ["no-such-rule"] }));
    expect((await run([])).stderr).toMatch(/unknown rule "no-such-rule"/);
  });

  test("--config FILE is used for every file; the search stops at the repository root", async () => {
    write("outer/.dockerfile-codemodrc.json", JSON.stringify({ select: ["cmd-exec-form"] }));
    write("outer/repo/.git/HEAD", "ref: refs/heads/main\n");
    write("outer/repo/Dockerfile", FIXABLE);
    const inRepo = JSON.parse((await run(["--json"], {}, join(dir, "outer/repo"))).stdout);
    // the rc file above the repository is not read
    expect(inRepo.files[0].findings.map((f: { rule: string }) => f.rule)).toEqual(["merge-cleanup-run", "cmd-exec-form"]);
    write("my-settings.json", JSON.stringify({ select: ["merge-cleanup-run"] }));
    const explicit = JSON.parse((await run(["--json", "--config", join(dir, "my-settings.json")], {}, join(dir, "outer/repo"))).stdout);
    expect(explicit.files[0].findings.map((f: { rule: string }) => f.rule)).toEqual(["merge-cleanup-run"]);
  });
});

describe("rule selection and suppressions on the command line", () => {
  test("the default set; --extend-select adds, --select replaces, --ignore wins; ALL", async () => {
    write("Dockerfile", "FROM alpine\nMAINTAINER me\nRUN a\nRUN b\nCMD x\n");
    const rules = async (args: string[]) =>
      (JSON.parse((await run(["--json", ...args])).stdout).files[0]?.findings ?? []).map((f: { rule: string }) => f.rule).sort();
    // maintainer-deprecated's fix is unsafe: it reports by default, as every rule but consecutive-run does
    expect(await rules([])).toEqual(["cmd-exec-form", "maintainer-deprecated"]);
    expect(await rules(["--extend-select", "consecutive-run"])).toEqual(["cmd-exec-form", "consecutive-run", "maintainer-deprecated"]);
    expect(await rules(["--ignore", "maintainer-deprecated"])).toEqual(["cmd-exec-form"]);
    expect(await rules(["--select", "consecutive-run"])).toEqual(["consecutive-run"]);
    expect(await rules(["--select", "ALL", "--ignore", "consecutive-run,cmd-exec-form,run-starts-server"])).toEqual(["maintainer-deprecated"]);
    expect((await run(["--extend-select", "no-such-rule"])).code).toBe(2);
  });

  test("hadolint's and BuildKit's suppressions turn our rules off; unknown names warn with their line", async () => {
    write(
      "Dockerfile",
      "# check=skip=MultipleInstructionsDisallowed\nFROM alpine\nCMD [\"a\"]\n# hadolint ignore=DL3025\nCMD b\n# dockerfile-codemod ignore=cmd-exec-frm\nLABEL a=b\n",
    );
    const r = await run(["--json"]);
    const report = JSON.parse(r.stdout);
    expect(report.files[0].findings).toEqual([]);
    expect(report.files[0].warnings).toEqual([{ line: 6, message: 'dockerfile-codemod ignore: unknown rule "cmd-exec-frm"' }]);
    expect((await run([])).stderr).toContain('Dockerfile:6:1: warning: dockerfile-codemod ignore: unknown rule "cmd-exec-frm"');
    // and in report mode nothing is left to fix
    expect((await run(["--check"])).code).toBe(0);
  });

  test("--explain says whether a rule is on by default and what it answers", async () => {
    const r = await run(["--explain", "maintainer-deprecated"]);
    expect(r.stdout).toContain("On by default: yes");
    expect(r.stdout).toContain("Answers: BuildKit check MaintainerDeprecated; hadolint DL4000");
    expect((await run(["--explain", "consecutive-run"])).stdout).toContain("On by default: no");
  });
});
