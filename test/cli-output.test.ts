/**
 * The built command's outputs other than the text report, run as users run
 * them (node dist/src/cli/bin.js; `npm test` builds dist/ first): SARIF with
 * real file names holding blanks, `%` and `:` against the official schema,
 * each rule's help page and each finding's level; GitLab's code quality
 * report against the shape GitLab documents (test/gitlab-code-quality.schema.json);
 * `-` for stdin; -o; --format and -f as the output format's aliases; and the
 * README's recipes, each command line taken from the README and run on a
 * scratch folder for the exit code it gives when the work is done.
 *
 * The README's recipes run the built bin (`npm test` builds dist/ first), as
 * users run them (its SARIF and GitLab runs are those formats' runs through
 * the bin); the other cases call the command's main() in this process
 * (test/cli-run.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";
import { gitlabValidator, sarifValidator } from "./report-schemas.js";
import { runBin, runMain } from "./cli-run.js";
import { explain } from "../src/cli/main.js";
import { ruleHelpUri } from "../src/cli/report.js";
import { RULES } from "../src/rules/index.js";

const FIXABLE = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\nCMD node server.js\n";
/** A finding left by the default rules: a shell-form CMD after an ENTRYPOINT (an unsafe fix). */
const UNSAFE = 'FROM python:3.12\nENTRYPOINT ["python", "-m", "worker"]\nCMD serve --port 80\n';
/** A finding of a report-only rule (with run-starts-server selected). */
// a server started by a RUN in a stage with its own CMD (without one, app-run-at-build-time takes that RUN)
const REPORT_ONLY = "FROM python:3.12\nRUN python -m http.server 8000\nCMD [\"python\", \"app.py\"]\n";
const CLEAN = 'FROM alpine\nCMD ["./serve"]\n';
const BAD = "FROM a\nRUN <<EOF\nx\n";
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; homepage: string };

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dockerfile-codemod-output-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The command's main(), in this process. */
const run = (args: string[], input?: string) => runMain(args, { cwd: dir, input, env: { ...process.env, NO_COLOR: "1" } });
/** The built bin, in its own process. */
const bin = (args: string[], input?: string) => runBin(args, { cwd: dir, input, env: { ...process.env, NO_COLOR: "1" } });
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const read = (rel: string) => readFileSync(join(dir, rel), "utf8");

interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } } }[];
}

describe("sarif", () => {
  test("file names with blanks, % and : are percent-encoded URI references that pass the official schema and resolve to the files", async () => {
    write("2. Docker/Dockerfile", FIXABLE);
    write("100% ok/a:b #1.dockerfile", UNSAFE);
    const r = await run(["--output-format", "sarif"]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const sarifRun = log.runs[0];
    const uris = (sarifRun.results as SarifResult[]).map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri);
    expect([...new Set(uris)].sort()).toEqual(["100%25%20ok/a%3Ab%20%231.dockerfile", "2.%20Docker/Dockerfile"]);
    // against SRCROOT (the working directory), each URI names the file
    const base = sarifRun.originalUriBaseIds.SRCROOT.uri as string;
    for (const uri of uris) expect(existsSync(fileURLToPath(new URL(uri, base)))).toBe(true);
    expect(sarifRun.artifacts.map((a: { location: { uri: string } }) => a.location.uri).sort()).toEqual([...new Set(uris)].sort());
    // the schema does reject the path itself (what was written before): the check has teeth
    log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = "2. Docker/Dockerfile";
    expect(validate(log)).toBe(false);
  });

  test("each rule has a helpUri to its page at the release's tag, a page in the repository with its --explain text; levels follow fix safety", async () => {
    write("Dockerfile", FIXABLE);
    write("svc/Dockerfile", UNSAFE);
    write("web/Dockerfile", REPORT_ONLY);
    const log = JSON.parse((await run(["--output-format", "sarif", "--extend-select", "run-starts-server"])).stdout);
    const rules = log.runs[0].tool.driver.rules as { id: string; helpUri: string; defaultConfiguration: { level: string } }[];
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const base = PKG.homepage.replace(/#.*$/, "");
    for (const rule of RULES) {
      const descriptor = rules.find((r) => r.id === rule.id)!;
      expect(descriptor.helpUri).toBe(`${base}/blob/v${PKG.version}/docs/rules/${rule.id}.md`);
      expect(descriptor.helpUri).toBe(ruleHelpUri(base, PKG.version, rule.id));
      // the page the link names, in step with the rule (npm run rule-docs writes them)
      const page = join(ROOT, "docs/rules", `${rule.id}.md`);
      expect(existsSync(page), `${page}: run npm run rule-docs`).toBe(true);
      expect(readFileSync(page, "utf8"), `${page} is out of date: run npm run rule-docs`).toBe(explain(rule));
      expect(descriptor.defaultConfiguration.level).toBe(rule.safety === "safe" ? "note" : "warning");
    }
    const level = (path: string, ruleId: string) =>
      (log.runs[0].results as SarifResult[]).find((x) => x.ruleId === ruleId && x.locations[0]!.physicalLocation.artifactLocation.uri === path)!.level;
    expect(level("Dockerfile", "merge-cleanup-run")).toBe("note"); // a safe fix: --fix makes it
    expect(level("svc/Dockerfile", "cmd-exec-form")).toBe("warning"); // an unsafe fix: a person decides
    expect(level("web/Dockerfile", "run-starts-server")).toBe("warning"); // no fix
  });
});

describe("gitlab", () => {
  test("GitLab's documented code quality shape; severities; a parse error is an issue; fingerprints unique and stable when lines above move", async () => {
    write("2. Docker/Dockerfile", FIXABLE);
    write("svc/Dockerfile", UNSAFE);
    write("ports/Dockerfile", "FROM alpine\nEXPOSE 80/TCP\nEXPOSE 80/TCP\n"); // two findings alike but for their line
    write("bad/Dockerfile", BAD);
    const r = await run(["--format", "gitlab"]);
    expect(r.code).toBe(2);
    const issues = JSON.parse(r.stdout) as { check_name: string; fingerprint: string; severity: string; description: string; location: { path: string; lines: { begin: number } } }[];
    const validate = gitlabValidator();
    expect(validate(issues), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const at = (path: string, line: number) => issues.find((i) => i.location.path === path && i.location.lines.begin === line)!;
    expect(at("2. Docker/Dockerfile", 3)).toMatchObject({ check_name: "merge-cleanup-run", severity: "minor" });
    expect(at("2. Docker/Dockerfile", 3).description).toMatch(/\(merge-cleanup-run: fixable\)$/);
    expect(at("svc/Dockerfile", 3)).toMatchObject({ check_name: "cmd-exec-form", severity: "major" });
    expect(at("bad/Dockerfile", 2)).toMatchObject({ check_name: "dockerfile-codemod/error", severity: "critical" });
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    // lines added above the findings: the same fingerprints, the new lines
    write("2. Docker/Dockerfile", `# syntax=docker/dockerfile:1\n\n${FIXABLE}`);
    const moved = JSON.parse((await run(["-f", "gitlab"])).stdout) as typeof issues;
    expect(moved.map((i) => i.fingerprint).sort()).toEqual(issues.map((i) => i.fingerprint).sort());
    expect(moved.find((i) => i.fingerprint === at("2. Docker/Dockerfile", 3).fingerprint)!.location.lines.begin).toBe(5);
    // nothing to report: an empty array, which GitLab reads as no issue
    rmSync(join(dir, "bad"), { recursive: true });
    rmSync(join(dir, "svc"), { recursive: true });
    expect(await run(["--write", "--format", "gitlab"])).toMatchObject({ code: 0, stdout: "[]\n" });
    expect(read("ports/Dockerfile")).toBe("FROM alpine\nEXPOSE 80/tcp\nEXPOSE 80/tcp\n");
  });
});

describe("standard input and -o", () => {
  test("- reads stdin as a file: its report on stdout; --fix - prints the fixed text; --stdin-filepath names it; no other path beside it", async () => {
    const report = await run(["-"], FIXABLE);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/^-:3:5: merge-cleanup-run \[\*\] /m);
    expect(report.stdout).toMatch(/^-:4:5: cmd-exec-form \[\*\] /m);
    const fixed = await run(["--fix", "-"], FIXABLE);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toBe('FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\nCMD ["node", "server.js"]\n');
    const named = await run(["--stdin-filepath", "svc/Dockerfile", "--format", "json", "-"], UNSAFE);
    expect(named.code).toBe(1);
    expect(JSON.parse(named.stdout).files[0]).toMatchObject({ path: "svc/Dockerfile", findings: [{ rule: "cmd-exec-form", reason: "unsafe" }] });
    write("Dockerfile", CLEAN);
    const both = await run(["-", "Dockerfile"], CLEAN);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("'-' reads one Dockerfile from stdin: no other paths may be given beside it");
  });

  test("-o FILE writes what would go to stdout to FILE (creating its directory), with the run's exit code; no file on a usage error; -o - is stdout", async () => {
    write("Dockerfile", FIXABLE);
    const r = await run(["-f", "sarif", "-o", "reports/codemod.sarif"]);
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(JSON.parse(read("reports/codemod.sarif")).runs[0].results.length).toBe(2);
    const text = await run(["--output-file=report.txt"]);
    expect([text.code, text.stdout]).toEqual([1, ""]);
    expect(read("report.txt")).toMatch(/^Dockerfile:3:5: merge-cleanup-run \[\*\] /);
    expect(text.stderr).toMatch(/1 file scanned/); // the summary stays on stderr
    expect((await run(["-o", "usage.txt", "--color", "sometimes"])).code).toBe(2);
    expect(existsSync(join(dir, "usage.txt"))).toBe(false);
    expect(JSON.parse((await run(["-o", "-", "--json"])).stdout).schemaVersion).toBe(1);
  });
});

describe("--format and -f", () => {
  test("are the output format, as in hadolint (--output-format's bytes); they must agree with --output-format and --json", async () => {
    write("Dockerfile", FIXABLE);
    const json = await run(["--format", "json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).schemaVersion).toBe(1);
    expect((await run(["-f", "json"])).stdout).toBe(json.stdout);
    const clash = await run(["--json", "-f", "sarif"]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain("-f sarif and --json name different output formats");
  });

  test("the old use (--format to reformat) fails naming --reformat, changing nothing", async () => {
    write("Dockerfile", FIXABLE);
    for (const args of [["--write", "--format"], ["--format", "--write"], ["--write", "--format", "."]]) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain("to format the files, use --reformat");
      expect(read("Dockerfile")).toBe(FIXABLE);
    }
  });
});

describe("exit codes", () => {
  test("--exit-non-zero-on-fix (ruff's): --write exits 1 when it changed a file, though nothing is left; with --exit-zero, 1 exactly when a file changed", async () => {
    write("Dockerfile", FIXABLE);
    expect((await run(["--write", "--exit-non-zero-on-fix"])).code).toBe(1);
    expect(read("Dockerfile")).toContain('CMD ["node", "server.js"]');
    expect((await run(["--write", "--exit-non-zero-on-fix"])).code).toBe(0); // nothing more to change
    write("Dockerfile", FIXABLE);
    write("svc/Dockerfile", UNSAFE);
    expect((await run(["--write", "--exit-zero", "--exit-non-zero-on-fix"])).code).toBe(1);
    expect((await run(["--write", "--exit-zero", "--exit-non-zero-on-fix"])).code).toBe(0); // a finding left, no change
  });
});

describe("the README's recipes, as the README writes them", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  /** The arguments after `dockerfile-codemod` in the README's command line (the recipes quote nothing). */
  const recipe = (pattern: RegExp): string[] => {
    const line = pattern.exec(readme)?.[1];
    expect(line, String(pattern)).toBeDefined();
    expect(line).not.toMatch(/["'`\\]/);
    return line!.trim().split(/ +/);
  };
  /** A repository: a fixable file, a file with a finding no safe fix removes, a clean file. */
  const repository = () => {
    write("Dockerfile", FIXABLE);
    write("svc/Dockerfile", UNSAFE);
    write("clean/Dockerfile", CLEAN);
  };

  test("multi-gitter: --write --exit-zero exits 0 once it has written the fixes, though a finding is left (multi-gitter opens the pull request); 2 on a file it cannot parse", () => {
    const args = recipe(/multi-gitter run "npx [^"]*?dockerfile-codemod ([^"]+)"/);
    expect(args).toEqual(["--write", "--exit-zero", "."]);
    repository();
    const r = bin(args);
    expect(r.code, r.stderr).toBe(0);
    expect(read("Dockerfile")).toContain('CMD ["node", "server.js"]');
    expect(read("svc/Dockerfile")).toBe(UNSAFE);
    // without --exit-zero the same work exits 1: multi-gitter would open no pull request
    write("Dockerfile", FIXABLE);
    expect(bin(args.filter((a) => a !== "--exit-zero")).code).toBe(1);
    write("bad/Dockerfile", BAD);
    expect(bin(args).code).toBe(2);
  });

  test("GitHub code scanning and GitLab: the report is written and the step exits 0 with findings; GitHub Actions' --check fails while a finding is left", () => {
    repository();
    const sarif = bin(recipe(/^ +- run: npx dockerfile-codemod (--output-format sarif[^\n]*)$/m));
    expect(sarif.code, sarif.stderr).toBe(0);
    expect(sarifValidator()(JSON.parse(read("codemod.sarif")))).toBe(true);
    const gitlab = bin(recipe(/^ +- npx dockerfile-codemod (--output-format gitlab[^\n]*)$/m));
    expect(gitlab.code, gitlab.stderr).toBe(0);
    const issues = JSON.parse(read("gl-code-quality-report.json"));
    expect(gitlabValidator()(issues)).toBe(true);
    expect(issues.length).toBe(3);
    expect(bin(recipe(/^ +- run: npx dockerfile-codemod (--check[^\n]*)$/m)).code).toBe(1);
  });

  test("pre-commit and lint-staged (given the staged files): 0 when every finding is fixed (the hook's change fails the commit), 1 while one is left", () => {
    const hooks = readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8");
    const preCommit = /entry: dockerfile-codemod ([^\n]*)/.exec(hooks)![1]!.trim().split(/ +/);
    const lintStaged = recipe(/"dockerfile-codemod (--write[^"]*)"/);
    repository();
    expect(bin([...preCommit, "Dockerfile", "clean/Dockerfile"]).code).toBe(0);
    expect(read("Dockerfile")).toContain('CMD ["node", "server.js"]');
    expect(bin([...lintStaged, "svc/Dockerfile", "clean/Dockerfile"]).code).toBe(1);
  });
});
