/**
 * The package as users get it: `npm pack`, installed beside a real prettier in
 * a temporary directory, then the real `prettier --check` / `--write` and the
 * API call editors make (`resolveConfig` + `format` with a filepath).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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

function run(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
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
