/**
 * The package as users get it: `npm pack`, installed beside a real prettier in
 * a temporary directory, then the real `prettier --check` / `--write` and the
 * API call editors make (`resolveConfig` + `format` with a filepath).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as prettier from "prettier";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { dockerfileGlob } from "../src/names.js";
import { ROOT } from "./helpers.js";

const prettierVersion = (JSON.parse(readFileSync(join(ROOT, "node_modules/prettier/package.json"), "utf8")) as { version: string }).version;
let dir = "";

const UNFORMATTED: Record<string, string> = {
  Dockerfile: "from alpine as build\nrun   apk add  curl\n",
  Containerfile: "from fedora\ncmd [\"bash\",\"-l\"]\n",
  "api.dockerfile": "FROM node:22\nworkdir /app\n",
  "Dockerfile.prod": "FROM nginx\ncopy   ./dist   /usr/share/nginx/html\n",
  "README.md": "# App\n\n```dockerfile\nfrom alpine\nrun  echo hi\n```\n",
};
const FORMATTED: Record<string, string> = {
  Dockerfile: "FROM alpine AS build\nRUN apk add curl\n",
  Containerfile: 'FROM fedora\nCMD ["bash", "-l"]\n',
  "api.dockerfile": "FROM node:22\nWORKDIR /app\n",
  "Dockerfile.prod": "FROM nginx\nCOPY ./dist /usr/share/nginx/html\n",
  "README.md": "# App\n\n```dockerfile\nFROM alpine\nRUN echo hi\n```\n",
};

function run(cmd: string, args: string[], cwd = dir) {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "prettier-plugin-dockerfile-pack-"));
  // dist/ is built by `npm test` before vitest runs; skip the prepare script here.
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const tarball = (JSON.parse(packed) as { filename: string }[])[0]!.filename;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const install = run("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    join(dir, tarball),
    `prettier@${prettierVersion}`,
  ]);
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`);
  writeFileSync(join(dir, ".prettierrc"), JSON.stringify({ plugins: ["prettier-plugin-dockerfile"] }));
  mkdirSync(join(dir, "src"));
  for (const [name, text] of Object.entries(UNFORMATTED)) writeFileSync(join(dir, "src", name), text);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the packed package with a real prettier", () => {
  test("ships only what it needs", () => {
    expect(existsSync(join(dir, "node_modules/prettier-plugin-dockerfile/dist/plugin/index.js"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/prettier-plugin-dockerfile/src"))).toBe(false);
  });

  test("prettier --check lists every unformatted Dockerfile and exits 1", () => {
    const r = run("npx", ["prettier", "--check", "src"]);
    expect(r.status).toBe(1);
    for (const name of Object.keys(UNFORMATTED)) expect(r.stderr + r.stdout).toContain(name);
  });

  test("prettier --write formats them, then --check passes", () => {
    const w = run("npx", ["prettier", "--write", "src"]);
    expect(w.status, w.stderr).toBe(0);
    for (const [name, text] of Object.entries(FORMATTED)) {
      expect(readFileSync(join(dir, "src", name), "utf8"), name).toBe(text);
    }
    const c = run("npx", ["prettier", "--check", "src"]);
    expect(c.status, c.stdout + c.stderr).toBe(0);
  });

  test("an invalid Dockerfile is reported with line and column, and other files still pass", () => {
    writeFileSync(join(dir, "src", "Dockerfile.bad"), "FROM a\nRUN <<EOF\necho\n");
    const r = run("npx", ["prettier", "--check", "src"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Dockerfile\.bad.*unterminated heredoc.*\(2:5\)/s);
    expect(readFileSync(join(dir, "src", "Dockerfile.bad"), "utf8")).toBe("FROM a\nRUN <<EOF\necho\n");
    rmSync(join(dir, "src", "Dockerfile.bad"));
  });

  test("editors: resolveConfig + format with a filepath", () => {
    const script = `
      import * as prettier from "prettier";
      const out = {};
      for (const name of ["Dockerfile", "Containerfile", "api.dockerfile", "Dockerfile.prod"]) {
        const filepath = ${JSON.stringify(join(dir, "src"))} + "/" + name;
        const options = await prettier.resolveConfig(filepath);
        out[name] = await prettier.format("from x\\nrun  y\\n", { ...options, filepath });
      }
      console.log(JSON.stringify(out));
    `;
    writeFileSync(join(dir, "editor.mjs"), script);
    const r = run("node", ["editor.mjs"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    for (const v of Object.values(out)) expect(v).toBe("FROM x\nRUN y\n");
  });
});

/** A repository as users have one: Dockerfiles beside files that are not Dockerfiles but have such names. */
describe("a repository with Dockerfiles and other files", () => {
  let repo = "";
  const DOCKERFILES: Record<string, string> = {
    // findings to fix, and formatting
    Dockerfile:
      "from debian:12\nrun apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git\nrun rm -rf /var/lib/apt/lists/*\ncmd node server.js\n",
    "api.Dockerfile": "FROM node:22\nworkdir /app\nrun npm ci && npm run build && npm prune --omit=dev && rm -rf /root/.npm /tmp/*\n",
    // formatting only
    "docker/dev.Dockerfile": "from node:22\nrun npm ci && npm run build && npm prune --omit=dev && rm -rf /root/.npm /tmp/*\n",
    Containerfile: "from fedora\nrun dnf install -y git make gcc && dnf clean all && rm -rf /var/cache/dnf\n",
    "Dockerfile.prod": "FROM nginx\ncopy   ./dist   /usr/share/nginx/html\n",
  };
  /** Not Dockerfiles; the ones Prettier has a parser for are written as Prettier formats them. */
  const OTHERS: Record<string, string> = {
    "README.md": "# App\n\nBuild it with `docker compose build`.\n\n```dockerfile\nFROM alpine\nRUN echo hi\n```\n",
    "package.json": JSON.stringify({ name: "app", version: "1.0.0", private: true, scripts: { build: "docker build ." } }, null, 2) + "\n",
    "docker-compose.yml": "services:\n  app:\n    build:\n      context: .\n      dockerfile: docker/dev.Dockerfile\n",
    // BuildKit's ignore file for Dockerfile, docker-library's template: they would change if formatted as Dockerfiles
    "Dockerfile.dockerignore": "node_modules\n*.log\n",
    "Dockerfile.template": "from {{ env.base }}\nrun   apt-get update\n",
    "docker/Dockerfile.j2": "from {{ base }}\nrun   echo {{ x }}\n",
    ".prettierrc.json": JSON.stringify(
      { plugins: ["prettier-plugin-dockerfile"], tabWidth: 4, overrides: [{ files: "docker/**", options: { useTabs: true } }] },
      null,
      2,
    ),
    ".editorconfig": "root = true\n\n[*]\nmax_line_length = 60\n",
  };
  const readRepo = (name: string) => readFileSync(join(repo, name), "utf8");
  const writeAll = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, name)), { recursive: true });
      writeFileSync(join(repo, name), text);
    }
  };
  const untouched = () => {
    for (const [name, text] of Object.entries(OTHERS)) expect(readRepo(name), name).toBe(text);
  };

  beforeAll(async () => {
    repo = join(dir, "repo");
    mkdirSync(repo);
    writeAll(OTHERS);
    // the other files as this Prettier writes them under this configuration (without the plugin, which they do not need)
    for (const name of Object.keys(OTHERS)) {
      const file = join(repo, name);
      const { inferredParser } = await prettier.getFileInfo(file);
      if (!inferredParser) continue;
      const { plugins: _, ...config } = (await prettier.resolveConfig(file, { editorconfig: true })) ?? {};
      OTHERS[name] = await prettier.format(OTHERS[name]!, { ...config, filepath: file });
    }
    writeAll(OTHERS);
    writeAll(DOCKERFILES);
  });

  test("the README's GitHub Actions command lists exactly the Dockerfiles (any case, in subdirectories), not the files named like them", () => {
    const r = run("npx", ["prettier", "--list-different", "--ignore-unknown", dockerfileGlob()], repo);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout.trim().split("\n").sort()).toEqual(Object.keys(DOCKERFILES).sort());
  });

  test("dockerfile-codemod --write --format uses .prettierrc (tabWidth 4), its overrides (useTabs) and .editorconfig (max_line_length); then the real prettier --check passes", () => {
    const w = run("npx", ["dockerfile-codemod", "--write", "--format"], repo);
    expect(w.status, w.stdout + w.stderr).toBe(0);
    expect(w.stdout.trim().split("\n").sort()).toEqual(Object.keys(DOCKERFILES).sort());
    untouched();
    expect(readRepo("Dockerfile")).toMatch(/^ {4}apt-get install/m);
    expect(readRepo("docker/dev.Dockerfile")).toMatch(/^\tnpm run build/m);
    expect(readRepo("Dockerfile.prod")).toBe("FROM nginx\nCOPY ./dist /usr/share/nginx/html\n");
    for (const line of readRepo("Containerfile").split("\n")) expect(line.length).toBeLessThanOrEqual(60);
    const check = run("npx", ["prettier", "--check", ...Object.keys(DOCKERFILES)], repo);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const all = run("npx", ["prettier", "--check", "."], repo);
    expect(all.status, all.stdout + all.stderr).toBe(0);
  });

  test("where no finding is fixed, dockerfile-codemod --format writes what prettier --write writes", () => {
    const formatOnly = ["docker/dev.Dockerfile", "Containerfile", "Dockerfile.prod"];
    const byCodemod = Object.fromEntries(formatOnly.map((n) => [n, readRepo(n)]));
    writeAll(Object.fromEntries(formatOnly.map((n) => [n, DOCKERFILES[n]!])));
    const w = run("npx", ["prettier", "--write", ...formatOnly], repo);
    expect(w.status, w.stderr).toBe(0);
    for (const n of formatOnly) expect(readRepo(n), n).toBe(byCodemod[n]);
  });

  test("the glob '**/*' given to the codemod: only Dockerfiles are read, one warning per other file and exit 2; with -u, silently", () => {
    writeAll(DOCKERFILES);
    const w = run("npx", ["dockerfile-codemod", "--write", "--format", "**/*"], repo);
    expect(w.status, w.stderr).toBe(2);
    untouched();
    const warned = w.stderr.split("\n").filter((l) => l.startsWith("warning: ")).map((l) => l.split(":")[1]!.trim());
    expect(warned.sort()).toEqual(Object.keys(OTHERS).sort());
    writeAll(DOCKERFILES);
    const quiet = run("npx", ["dockerfile-codemod", "--write", "--format", "-u", "**/*"], repo);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain("warning");
    untouched();
  });

  test("the plugin through the real prettier --write . formats the Dockerfiles and leaves every other file byte for byte", () => {
    writeAll(DOCKERFILES);
    const w = run("npx", ["prettier", "--write", "."], repo);
    expect(w.status, w.stdout + w.stderr).toBe(0);
    untouched();
    for (const [name, text] of Object.entries(DOCKERFILES)) expect(readRepo(name), name).not.toBe(text);
    // files with no parser are not even named
    expect(w.stdout).not.toMatch(/Dockerfile\.(template|dockerignore)|\.j2/);
  });

  test("without prettier beside it, --format warns once and uses the built-in formatter", () => {
    // the installed package, copied into a project whose node_modules has everything but prettier
    // (outside the test's directory, or node would find its prettier further up)
    const bare = mkdtempSync(join(tmpdir(), "prettier-plugin-dockerfile-no-prettier-"));
    onTestFinished(() => rmSync(bare, { recursive: true, force: true }));
    mkdirSync(join(bare, "node_modules"), { recursive: true });
    for (const entry of readdirSync(join(dir, "node_modules"))) {
      if (entry === "prettier" || entry === ".bin") continue;
      if (entry === "prettier-plugin-dockerfile") cpSync(join(dir, "node_modules", entry), join(bare, "node_modules", entry), { recursive: true });
      else symlinkSync(join(dir, "node_modules", entry), join(bare, "node_modules", entry));
    }
    writeFileSync(join(bare, ".prettierrc"), JSON.stringify({ tabWidth: 8 }));
    writeFileSync(join(bare, "Dockerfile"), DOCKERFILES.Dockerfile!);
    const r = run(process.execPath, [join(bare, "node_modules/prettier-plugin-dockerfile/dist/src/cli/bin.js"), "--write", "--format"], bare);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.includes("prettier could not be loaded")).length).toBe(1);
    // the built-in defaults (two spaces), not the .prettierrc it cannot read
    expect(readFileSync(join(bare, "Dockerfile"), "utf8")).toMatch(/^FROM debian:12\nRUN apt-get update && \\\n {2}apt-get install/);
  });
});
