/**
 * The real pre-commit in a temporary git repository: committing a fixable
 * Dockerfile fails and leaves the fix in the work tree; committing it again
 * passes. The hook is declared as `repo: local` pointing at the built command
 * (a hook from this repository would need pre-commit to download node
 * packages); the manifest users reference, .pre-commit-hooks.yaml, is
 * checked with `pre-commit validate-manifest` and supplies the hook's files
 * pattern and arguments. With PRE_COMMIT_TRY_REPO=1 (and the npm registry
 * reachable) `pre-commit try-repo` also installs the manifest's node hook from
 * a clone of this repository and runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "./helpers.js";

const which = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
const HAS_PRE_COMMIT = which.status === 0;
const MANIFEST = readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8");
let dir = "";

function sh(cmd: string, args: string[]) {
  return spawnSync(cmd, args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, PRE_COMMIT_HOME: join(dir, ".pre-commit-home"), GIT_CONFIG_NOSYSTEM: "1", HOME: dir, NO_COLOR: "1" },
  });
}

beforeAll(() => {
  if (!HAS_PRE_COMMIT) return;
  dir = mkdtempSync(join(tmpdir(), "precommit-"));
  sh("git", ["init", "-q", "-b", "main"]);
  sh("git", ["config", "user.email", "dev@example.com"]);
  sh("git", ["config", "user.name", "Dev"]);
  // the first hook of the manifest, run from this checkout
  const files = /^\s+files: '(.+)'$/m.exec(MANIFEST)![1]!;
  const args = /^\s+entry: dockerfile-codemod (.+)$/m.exec(MANIFEST)![1]!;
  writeFileSync(
    join(dir, ".pre-commit-config.yaml"),
    [
      "repos:",
      "  - repo: local",
      "    hooks:",
      "      - id: dockerfile-codemod",
      "        name: dockerfile-codemod",
      `        entry: ${process.execPath} ${join(ROOT, "dist/src/cli/bin.js")} ${args}`,
      "        language: system",
      `        files: '${files}'`,
      "        types: [text]",
      "",
    ].join("\n"),
  );
  sh("git", ["add", ".pre-commit-config.yaml"]);
  sh("git", ["commit", "-q", "-m", "config", "--no-verify"]);
  const install = sh("pre-commit", ["install"]);
  if (install.status !== 0) throw new Error(install.stderr + install.stdout);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("pre-commit", () => {
  test.skipIf(!HAS_PRE_COMMIT)("the manifest is valid", () => {
    const r = spawnSync("pre-commit", ["validate-manifest", join(ROOT, ".pre-commit-hooks.yaml")], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  test.skipIf(!HAS_PRE_COMMIT)("a fixable Dockerfile fails the commit, the fix stays in the work tree, the next commit passes", () => {
    const fixable = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n";
    writeFileSync(join(dir, "Dockerfile"), fixable);
    sh("git", ["add", "Dockerfile"]);
    const first = sh("git", ["commit", "-m", "add Dockerfile"]);
    expect(first.status, first.stdout + first.stderr).not.toBe(0);
    expect(first.stdout + first.stderr).toMatch(/files were modified by this hook/);
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe(
      "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n",
    );
    sh("git", ["add", "Dockerfile"]);
    const second = sh("git", ["commit", "-m", "add Dockerfile"]);
    expect(second.status, second.stdout + second.stderr).toBe(0);
  });

  test.skipIf(!HAS_PRE_COMMIT)("the hook's files pattern takes api.Dockerfile and docker/dev.Dockerfile, leaves Dockerfile.template and Dockerfile.dockerignore alone, and its output names the files changed", () => {
    const fixable = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n";
    const files: Record<string, string> = { "Dockerfile.template": fixable, "Dockerfile.dockerignore": "node_modules\nrun  x\n", "api.Dockerfile": fixable, "docker/dev.Dockerfile": fixable };
    mkdirSync(join(dir, "docker"), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    sh("git", ["add", ...Object.keys(files)]);
    const first = sh("git", ["commit", "-m", "more"]);
    expect(first.status, first.stdout + first.stderr).not.toBe(0);
    const output = first.stdout + first.stderr;
    expect(output).toMatch(/^api\.Dockerfile$/m);
    expect(output).toMatch(/^docker\/dev\.Dockerfile$/m);
    expect(readFileSync(join(dir, "Dockerfile.template"), "utf8")).toBe(fixable);
    expect(readFileSync(join(dir, "Dockerfile.dockerignore"), "utf8")).toBe(files["Dockerfile.dockerignore"]);
    expect(readFileSync(join(dir, "api.Dockerfile"), "utf8")).not.toBe(fixable);
    sh("git", ["add", ...Object.keys(files)]);
    const second = sh("git", ["commit", "-m", "more"]);
    expect(second.status, second.stdout + second.stderr).toBe(0);
  });

  test.skipIf(!HAS_PRE_COMMIT)("the hook's --force-exclude: files the configuration's exclude names are left alone though pre-commit names them", () => {
    const fixable = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n";
    // a bare directory name, as in a .gitignore: every vendor directory
    writeFileSync(join(dir, ".dockerfile-codemodrc.yaml"), "exclude:\n  - vendor\n");
    mkdirSync(join(dir, "vendor"), { recursive: true });
    mkdirSync(join(dir, "third_party/vendor/lib"), { recursive: true });
    writeFileSync(join(dir, "vendor/Dockerfile"), fixable);
    writeFileSync(join(dir, "third_party/vendor/lib/Dockerfile"), fixable);
    sh("git", ["add", ".dockerfile-codemodrc.yaml", "vendor/Dockerfile", "third_party/vendor/lib/Dockerfile"]);
    const commit = sh("git", ["commit", "-m", "vendored"]);
    expect(commit.status, commit.stdout + commit.stderr).toBe(0);
    expect(readFileSync(join(dir, "vendor/Dockerfile"), "utf8")).toBe(fixable);
    expect(readFileSync(join(dir, "third_party/vendor/lib/Dockerfile"), "utf8")).toBe(fixable);
  });

  // The hook as users get it: pre-commit clones this repository (its last commit), installs it with
  // npm (language: node; that needs the npm registry, so the test is opt-in) and runs it.
  const TRY_REPO = process.env.PRE_COMMIT_TRY_REPO === "1";
  test.skipIf(!HAS_PRE_COMMIT || !TRY_REPO)("the manifest's hook installed by pre-commit try-repo fixes a Dockerfile (PRE_COMMIT_TRY_REPO=1)", () => {
    const clone = join(dir, "hook-source");
    expect(sh("git", ["clone", "-q", ROOT, clone]).status).toBe(0);
    const work = join(dir, "try");
    expect(sh("git", ["init", "-q", "-b", "main", work]).status).toBe(0);
    const fixable = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n";
    writeFileSync(join(work, "Dockerfile"), fixable);
    const git = (args: string[]) => spawnSync("git", args, { cwd: work, encoding: "utf8" });
    expect(git(["add", "Dockerfile"]).status).toBe(0);
    const r = spawnSync("pre-commit", ["try-repo", clone, "dockerfile-codemod", "--files", "Dockerfile"], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, PRE_COMMIT_HOME: join(dir, ".pre-commit-home-try"), NO_COLOR: "1" },
    });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/files were modified by this hook/);
    expect(readFileSync(join(work, "Dockerfile"), "utf8")).toBe("FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n");
  }, 900_000);

  if (!HAS_PRE_COMMIT) test.skip("pre-commit is not installed (Debian package pre-commit; .ci/run installs it): skipped", () => {});
});
