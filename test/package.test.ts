/**
 * The package as users get it: `npm pack`, installed beside a real prettier
 * into two empty directories, once with `--ignore-scripts` and once with
 * install scripts allowed. Checked there: that no install script runs and no
 * installed package has one, what the package ships and what the install
 * weighs; the real `prettier --check` / `--write`, the API call editors make
 * (`resolveConfig` + `format` with a filepath) and the `dockerfile-codemod`
 * bin; that every fixture gives its expected output through the installed
 * packages (the rule fixtures through the bin, the format fixtures through
 * the plugin and `prettier.format`); and that a TypeScript consumer compiles
 * against the published declarations with `skipLibCheck: false`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import * as prettier from "prettier";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { dockerfileGlob } from "../src/names.js";
import { FIXTURES, ROOT, fixtureCases, refusalCases } from "./helpers.js";
import { gitlabValidator, sarifValidator } from "./report-schemas.js";
import { RULES } from "../src/rules/index.js";

const prettierVersion = (JSON.parse(readFileSync(join(ROOT, "node_modules/prettier/package.json"), "utf8")) as { version: string }).version;
const PKG = "node_modules/prettier-plugin-dockerfile";
/** A dependency whose postinstall leaves a file: proof that the "scripts allowed" install runs install scripts. */
const CANARY = "install-script-canary";

let work = "";
/** Installed with `--ignore-scripts`. */
let ignored = "";
/** Installed with install scripts allowed (and the canary beside the package). */
let allowed = "";
let ignoredLog = "";
let allowedLog = "";

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

function run(cwd: string, cmd: string, args: string[]) {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

/** An installed bin, through the link npm made in node_modules/.bin (what `npx <bin>` runs, without npx's registry fallback). */
function bin(cwd: string, name: string, args: string[]) {
  return run(cwd, join(cwd, "node_modules", ".bin", name), args);
}

function install(cwd: string, args: string[]): string {
  mkdirSync(cwd);
  writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  // --foreground-scripts: npm prints a "> name@version event" banner for every script it runs
  const r = run(cwd, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts", ...args]);
  if (r.status !== 0) throw new Error(`npm install failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

/** The lifecycle scripts npm ran, from their banners. */
function scriptsRun(log: string): string[] {
  return [...log.matchAll(/^> (\S+@\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** Every installed package (nested ones too), as its directory relative to the project. */
function installedPackages(cwd: string): string[] {
  const out: string[] = [];
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith(".")) continue;
      const p = join(modules, entry);
      if (entry.startsWith("@")) {
        for (const sub of readdirSync(p)) visit(join(p, sub));
      } else visit(p);
    }
  };
  const visit = (p: string): void => {
    if (lstatSync(p).isSymbolicLink() || !existsSync(join(p, "package.json"))) return;
    out.push(relative(cwd, p));
    walk(join(p, "node_modules"));
  };
  walk(join(cwd, "node_modules"));
  return out.sort();
}

/** The install-time scripts a package has: preinstall, install, postinstall, or npm's implicit `node-gyp rebuild` for a binding.gyp. */
function installScripts(dir: string): string[] {
  const { scripts = {} } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const found = ["preinstall", "install", "postinstall"].filter((s) => scripts[s]);
  if (existsSync(join(dir, "binding.gyp"))) found.push("binding.gyp");
  return found;
}

/** Disk usage in bytes (allocated blocks, as `du` counts), symbolic links not followed. */
function diskUsage(p: string): number {
  const st = lstatSync(p);
  let total = st.blocks * 512;
  if (st.isDirectory()) for (const entry of readdirSync(p)) total += diskUsage(join(p, entry));
  return total;
}

const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function writeCanary(): string {
  const dir = join(work, "canary", "package");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: CANARY, version: "1.0.0", scripts: { postinstall: "node postinstall.js" } }),
  );
  writeFileSync(join(dir, "postinstall.js"), 'require("fs").writeFileSync(require("path").join(process.env.INIT_CWD, "canary-ran"), "");\n');
  const tarball = join(work, `${CANARY}-1.0.0.tgz`);
  execFileSync("tar", ["-czf", tarball, "-C", join(work, "canary"), "package"]);
  return tarball;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "prettier-plugin-dockerfile-pack-"));
  // dist/ is built by `npm test` before vitest runs; skip the prepack script (the build) here.
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8" });
  const tarball = join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
  const canary = writeCanary();
  // npm versions with an allowScripts policy need this flag to run a dependency's install scripts; older ones run them anyway
  const hasPolicy = execFileSync("npm", ["config", "get", "dangerously-allow-all-scripts"], { encoding: "utf8" }).trim() !== "undefined";

  ignored = join(work, "ignore-scripts");
  allowed = join(work, "scripts-allowed");
  ignoredLog = install(ignored, ["--ignore-scripts", tarball, `prettier@${prettierVersion}`]);
  allowedLog = install(allowed, [...(hasPolicy ? ["--dangerously-allow-all-scripts"] : []), tarball, `prettier@${prettierVersion}`, canary]);

  for (const cwd of [ignored, allowed]) {
    writeFileSync(join(cwd, ".prettierrc"), JSON.stringify({ plugins: ["prettier-plugin-dockerfile"] }));
    mkdirSync(join(cwd, "src"));
    for (const [name, text] of Object.entries(UNFORMATTED)) writeFileSync(join(cwd, "src", name), text);
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("installing the packed package", () => {
  test("no install script runs: only the canary's, where scripts are allowed", () => {
    expect(existsSync(join(allowed, "canary-ran")), allowedLog).toBe(true);
    expect(scriptsRun(allowedLog)).toEqual([`${CANARY}@1.0.0 postinstall`]);
    expect(existsSync(join(ignored, "canary-ran"))).toBe(false);
    expect(scriptsRun(ignoredLog)).toEqual([]);
  });

  test("the packed package.json has no script npm runs at install, and no dependency", () => {
    const installed = JSON.parse(readFileSync(join(ignored, PKG, "package.json"), "utf8")) as { scripts?: Record<string, string>; dependencies?: object; optionalDependencies?: object };
    // npm 11 warns about each of these when the tarball is installed (`install-scripts ... (prepare: ...)`); the build runs at prepack
    const atInstall = ["preinstall", "install", "postinstall", "prepare"].filter((s) => installed.scripts?.[s]);
    expect(atInstall).toEqual([]);
    expect(installed.scripts?.prepack).toBe("npm run build");
    // what runs is in dist/ (dist/vendor/, dist/wasm/), but for dockerfile-ast: the core's declarations name its types (model.ast)
    expect(Object.keys(installed.dependencies ?? {})).toEqual(["dockerfile-ast"]);
    expect(installed.optionalDependencies ?? {}).toEqual({});
    expect(ignoredLog + allowedLog).not.toMatch(/install-scripts.*prettier-plugin-dockerfile/);
  });

  test("no installed package has an install script", () => {
    const packages = installedPackages(ignored);
    // the package and prettier beside it, and dockerfile-ast with its two language-server packages
    expect(packages).toEqual([
      "node_modules/dockerfile-ast",
      "node_modules/prettier",
      PKG,
      "node_modules/vscode-languageserver-textdocument",
      "node_modules/vscode-languageserver-types",
    ]);
    const withScripts = packages.map((p) => [p, ...installScripts(join(ignored, p))]).filter((p) => p.length > 1);
    expect(withScripts).toEqual([]);
  });

  test("the package ships the built code, its declarations, the bash grammar and its notices, nothing else", () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const entry of readdirSync(d)) {
        const p = join(d, entry);
        if (lstatSync(p).isDirectory()) walk(p);
        else files.push(relative(join(ignored, PKG), p));
      }
    };
    walk(join(ignored, PKG));
    const unexpected = files.filter(
      (f) => !/^dist\/(src|plugin)\/.+\.(js|d\.ts)$/.test(f) && !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f),
    );
    expect(unexpected.sort()).toEqual([
      // the third-party JavaScript the package runs (scripts/bundle.mjs), each with its packages' licences
      "dist/vendor/diff.js",
      "dist/vendor/diff.js.LICENSE",
      "dist/vendor/web-tree-sitter.js",
      "dist/vendor/web-tree-sitter.js.LICENSE",
      // the grammar and web-tree-sitter's runtime (scripts/copy-wasm.mjs)
      "dist/wasm/tree-sitter-bash.LICENSE",
      "dist/wasm/tree-sitter-bash.wasm",
      "dist/wasm/web-tree-sitter.LICENSE",
      "dist/wasm/web-tree-sitter.wasm",
    ]);
    for (const f of unexpected.filter((f) => f.endsWith(".LICENSE"))) expect(readFileSync(join(ignored, PKG, f), "utf8"), f).toMatch(/MIT|BSD/);
    expect(files).toContain("LICENSE");
    expect(files).toContain("CHANGELOG.md");
    expect(files).toContain("dist/plugin/index.js");
  });

  test("the bin, the plugin and the core are the bundles (scripts/bundle.mjs): one file each, what `npm run build` wrote", () => {
    const installed = join(ignored, PKG);
    const { bin: bins, main, exports } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      main: string;
      exports: Record<string, { default?: string }>;
    };
    const core = exports["./core"]!.default!;
    for (const file of [bins["dockerfile-codemod"]!, main, core]) {
      const text = readFileSync(join(installed, file), "utf8");
      expect(text, file).toBe(readFileSync(join(ROOT, file), "utf8"));
      // static imports: node's own modules, the user's prettier (the plugin), and web-tree-sitter's JavaScript in dist/vendor/
      const imports = [...text.matchAll(/^import .*? from "([^"]+)";$/gm)].map((m) => m[1]!);
      const vendored = (s: string) => join(dirname(join(installed, file)), s) === join(installed, "dist/vendor/web-tree-sitter.js");
      expect(imports.filter((s) => !s.startsWith("node:") && !vendored(s) && !(file === main && s === "prettier")), file).toEqual([]);
      expect(imports.filter(vendored), file).toHaveLength(1);
      // the project's modules and its CommonJS dependencies are inside: nothing else is imported by path or by package name
      const dynamic = [...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
      expect(dynamic.filter((s) => !s.startsWith("node:") && !s.includes("/vendor/") && !(file === bins["dockerfile-codemod"] && s.endsWith("/plugin/index.js")) && s !== "prettier"), file).toEqual([]);
    }
    // the core bundle finds dockerfile-ast (a dependency, loaded on the first read of model.ast) and web-tree-sitter's runtime
    const r0 = run(ignored, process.execPath, [
      "--input-type=module",
      "-e",
      `import { initShell, buildModel } from "prettier-plugin-dockerfile/core"; await initShell(); console.log(buildModel("FROM a\\nRUN b\\n").ast.getInstructions().length);`,
    ]);
    expect(r0.stdout.trim(), r0.stderr).toBe("2");
    // the command's own modules are in its bundle, and not shipped beside it; no source maps
    expect(readdirSync(join(installed, "dist/src/cli"))).toEqual(["bin.js"]);
    const r = run(ignored, process.execPath, [join(installed, bins["dockerfile-codemod"]!), "--version"]);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
  });

  test("what the install weighs", () => {
    const total = diskUsage(join(ignored, "node_modules"));
    const prettier = diskUsage(join(ignored, "node_modules/prettier"));
    const largest = installedPackages(ignored)
      .filter((p) => p !== "node_modules/prettier")
      .map((p) => [p.replace(/^node_modules\//, ""), diskUsage(join(ignored, p))] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([p, size]) => `${p} ${MB(size)}`);
    console.log(
      `installed size: node_modules ${MB(total)}, of which prettier ${MB(prettier)}; ` +
        `prettier-plugin-dockerfile with its dependencies adds ${MB(total - prettier)} (largest: ${largest.join(", ")})`,
    );
    // tree-sitter-bash as a dependency alone added 20 MB; web-tree-sitter, diff and dockerfile-ast as dependencies 6.1 MB
    expect(total - prettier).toBeLessThanOrEqual(6 * 1024 * 1024);
  });
});

describe("the packed package with a real prettier", () => {
  test("prettier --check lists every unformatted Dockerfile and exits 1", () => {
    const r = bin(allowed, "prettier", ["--check", "src"]);
    expect(r.status).toBe(1);
    for (const name of Object.keys(UNFORMATTED)) expect(r.stderr + r.stdout).toContain(name);
  });

  test("prettier --write formats them, then --check passes", () => {
    const w = bin(allowed, "prettier", ["--write", "src"]);
    expect(w.status, w.stderr).toBe(0);
    for (const [name, text] of Object.entries(FORMATTED)) {
      expect(readFileSync(join(allowed, "src", name), "utf8"), name).toBe(text);
    }
    const c = bin(allowed, "prettier", ["--check", "src"]);
    expect(c.status, c.stdout + c.stderr).toBe(0);
  });

  test("an invalid Dockerfile is reported with line and column, and other files still pass", () => {
    writeFileSync(join(allowed, "src", "Dockerfile.bad"), "FROM a\nRUN <<EOF\necho\n");
    const r = bin(allowed, "prettier", ["--check", "src"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Dockerfile\.bad.*unterminated heredoc.*\(2:5\)/s);
    expect(readFileSync(join(allowed, "src", "Dockerfile.bad"), "utf8")).toBe("FROM a\nRUN <<EOF\necho\n");
    rmSync(join(allowed, "src", "Dockerfile.bad"));
  });

  test("editors: resolveConfig + format with a filepath", () => {
    const script = `
      import * as prettier from "prettier";
      const out = {};
      for (const name of ["Dockerfile", "Containerfile", "api.dockerfile", "Dockerfile.prod"]) {
        const filepath = ${JSON.stringify(join(allowed, "src"))} + "/" + name;
        const options = await prettier.resolveConfig(filepath);
        out[name] = await prettier.format("from x\\nrun  y\\n", { ...options, filepath });
      }
      console.log(JSON.stringify(out));
    `;
    writeFileSync(join(allowed, "editor.mjs"), script);
    const r = run(allowed, "node", ["editor.mjs"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    for (const v of Object.values(out)) expect(v).toBe("FROM x\nRUN y\n");
  });

  test("installed with --ignore-scripts, it works the same", () => {
    const w = bin(ignored, "prettier", ["--write", "src"]);
    expect(w.status, w.stderr).toBe(0);
    for (const [name, text] of Object.entries(FORMATTED)) {
      expect(readFileSync(join(ignored, "src", name), "utf8"), name).toBe(text);
    }
  });
});

describe("the packed package's dockerfile-codemod bin", () => {
  test.each([
    ["scripts allowed", () => allowed],
    ["--ignore-scripts", () => ignored],
  ])("installed with %s: --check finds the fix, --write applies it, --check then passes", (_, cwd) => {
    mkdirSync(join(cwd(), "app"));
    writeFileSync(join(cwd(), "app", "Dockerfile"), "FROM node:22\nCMD node server.js\n");
    const check = bin(cwd(), "dockerfile-codemod", ["--check", "app"]);
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout + check.stderr).toContain("cmd-exec-form");
    const write = bin(cwd(), "dockerfile-codemod", ["--write", "app"]);
    expect(write.status, write.stderr).toBe(0);
    expect(readFileSync(join(cwd(), "app", "Dockerfile"), "utf8")).toBe('FROM node:22\nCMD ["node", "server.js"]\n');
    const again = bin(cwd(), "dockerfile-codemod", ["--check", "app"]);
    expect(again.status, again.stderr).toBe(0);
  });
});

/**
 * What a ruff or hadolint user types, through the installed bin (issue 19): the
 * report's `path:line:col:` and `[*]`, hadolint codes as selectors, `-` for
 * stdin, `-o`, SARIF and GitLab's report validated against their schemas with
 * a directory name holding a blank, and `--force-exclude` with `exclude`.
 */
describe("the installed bin as ruff and hadolint users call it", () => {
  test("report format, codes as selectors, stdin, -o, sarif and gitlab against their schemas, --force-exclude", () => {
    const cwd = mkdtempSync(join(allowed, "conventions-"));
    const docker = join(cwd, "2. Docker");
    mkdirSync(docker);
    writeFileSync(join(docker, "Dockerfile"), "FROM golang:1.23 AS Builder\nMAINTAINER me\n");
    mkdirSync(join(cwd, "vendor"));
    writeFileSync(join(cwd, "vendor", "Dockerfile"), "FROM alpine AS Vendored\n");
    const codemod = (args: string[], input?: string) =>
      spawnSync(join(allowed, "node_modules", ".bin", "dockerfile-codemod"), args, { cwd, encoding: "utf8", input, env: { ...process.env, NO_COLOR: "1" } });
    const text = codemod(["2. Docker"]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("2. Docker/Dockerfile:1:21: stage-name-case [*] ");
    expect(text.stdout).toMatch(/^2\. Docker\/Dockerfile:2:1: maintainer-deprecated /m);
    expect(text.stderr).toMatch(/\[\*\] 1 fixable with the `--fix` option/);
    // hadolint's code for the maintainer rule, BuildKit's check for the stage name
    expect(codemod(["--select", "DL4000", "2. Docker"]).stdout).not.toContain("stage-name-case");
    expect(codemod(["--ignore", "StageNameCasing,DL4000", "2. Docker"]).status).toBe(0);
    // `-` reads standard input
    const stdin = codemod(["-f", "json", "-"], "FROM alpine AS Builder\n");
    expect(JSON.parse(stdin.stdout).files[0].findings.map((f: { rule: string }) => f.rule)).toEqual(["stage-name-case"]);
    // ruff's --stdin-filename names it
    const named = codemod(["--stdin-filename", "svc/Dockerfile", "-f", "json", "-"], "FROM alpine AS Builder\n");
    expect(JSON.parse(named.stdout).files[0].path).toBe("svc/Dockerfile");
    // sarif and gitlab, into files with -o
    expect(codemod(["--format", "sarif", "-o", "out/codemod.sarif", "2. Docker"]).status).toBe(1);
    const sarif = JSON.parse(readFileSync(join(cwd, "out", "codemod.sarif"), "utf8"));
    const validSarif = sarifValidator();
    expect(validSarif(sarif), JSON.stringify(validSarif.errors)).toBe(true);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("2.%20Docker/Dockerfile");
    expect(codemod(["-f", "gitlab", "-o", "out/gl-code-quality-report.json", "--exit-zero", "2. Docker"]).status).toBe(0);
    const gitlab = JSON.parse(readFileSync(join(cwd, "out", "gl-code-quality-report.json"), "utf8"));
    const validGitlab = gitlabValidator();
    expect(validGitlab(gitlab), JSON.stringify(validGitlab.errors)).toBe(true);
    expect(gitlab.map((g: { check_name: string }) => g.check_name).sort()).toEqual(["maintainer-deprecated", "stage-name-case"]);
    // exclude: a bare directory name; named on the command line, excluded only with --force-exclude
    writeFileSync(join(cwd, ".dockerfile-codemodrc.yaml"), "exclude: [vendor]\n");
    expect(codemod(["vendor/Dockerfile"]).stdout).toContain("stage-name-case");
    const forced = codemod(["--force-exclude", "vendor/Dockerfile"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toBe("");
    expect(codemod(["-V"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

/**
 * Every fixture through the packed package, batched: the rule fixtures are
 * laid out one directory per rule and option set, each with a configuration
 * file that selects the rule (and unsafeFixes where the fixture asks), and
 * fixed by two bin calls over all of them (`--write --json`, then again to
 * show nothing is left to fix); the format fixtures go through one node
 * script that formats them all with the installed plugin.
 */
describe("every fixture through the packed package", () => {
  test("the rule fixtures and the engine's, through the installed dockerfile-codemod bin with each fixture's options", () => {
    const root = join(ignored, "fixtures-rules");
    const cases: { display: string; name: string; input: string; output: string; context?: { dir: string; as: string } }[] = [];
    const sets = new Set<string>();
    /** Fixtures whose build context is not at hand ({"context": null}): through stdin, where the bin has none. */
    const viaStdin: { name: string; args: string[]; input: string; output: string }[] = [];
    for (const rule of RULES) {
      for (const c of fixtureCases(`rules/${rule.id}`)) {
        const { unsafeFixes, context, ...rest } = c.options as { unsafeFixes?: boolean; context?: string | null };
        expect(rest, `${c.name}: options the bin's configuration cannot carry`).toEqual({});
        if (context === null) {
          viaStdin.push({ name: c.name, args: ["--select", rule.id, ...(unsafeFixes ? ["--unsafe-fixes"] : []), "--exit-zero", "--stdin-filepath", "Dockerfile"], input: c.input, output: c.output });
          continue;
        }
        // the bin takes the Dockerfile's directory as the build context: a fixture that names one is fixed inside a copy of it
        const set = `${rule.id}/${unsafeFixes ? "unsafe" : "safe"}${context ? `/${c.name.slice(`rules/${rule.id}/`.length).replaceAll("/", "__")}` : ""}`;
        if (context && !sets.has(set)) cpSync(join(ROOT, context), join(root, set), { recursive: true });
        if (!sets.has(set)) {
          sets.add(set);
          mkdirSync(join(root, set), { recursive: true });
          writeFileSync(join(root, set, ".dockerfile-codemodrc.json"), JSON.stringify({ select: [rule.id], unsafeFixes: !!unsafeFixes }));
        }
        const display = `fixtures-rules/${set}/${c.name.slice(`rules/${rule.id}/`.length).replaceAll("/", "__")}.dockerfile`;
        writeFileSync(join(ignored, display), c.input);
        // a report that names the context directory names the copy: compared as the fixture's own
        cases.push({ display, name: c.name, input: c.input, output: c.output, ...(context ? { context: { dir: join(root, set), as: context } } : {}) });
      }
    }
    // the engine's fixtures (fixtures/engine): the default rules
    mkdirSync(join(root, "engine"), { recursive: true });
    writeFileSync(join(root, "engine", ".dockerfile-codemodrc.json"), "{}");
    sets.add("engine");
    for (const c of fixtureCases("engine")) {
      const display = `fixtures-rules/engine/${c.name.slice("engine/".length).replaceAll("/", "__")}.dockerfile`;
      writeFileSync(join(ignored, display), c.input);
      cases.push({ display, name: c.name, input: c.input, output: c.output });
    }
    type Report = { files: { path: string; changed: boolean; written: boolean; error: unknown; findings: { rule: string; message: string; start: { line: number; column: number }; fixed: boolean; reason: string | null }[] }[] };
    const write = bin(ignored, "dockerfile-codemod", ["--write", "--json", "--show-all-files", "fixtures-rules"]);
    // 1: findings left (the fixtures that report), never 2 (an error)
    expect([0, 1], write.stderr).toContain(write.status);
    const report = JSON.parse(write.stdout) as Report;
    const byPath = new Map(report.files.map((f) => [f.path, f]));
    const wrong: string[] = [];
    let reports = 0;
    let findingsLeft = 0;
    for (const c of cases) {
      const file = byPath.get(c.display);
      if (!file || file.error) {
        wrong.push(`${c.name}: ${file ? JSON.stringify(file.error) : "not processed"}`);
        continue;
      }
      if (readFileSync(join(ignored, c.display), "utf8") !== c.output) wrong.push(`${c.name}: output differs`);
      const reportFile = join(FIXTURES, `${c.name}.report.txt`);
      if (existsSync(reportFile)) {
        reports++;
        const wanted = readFileSync(reportFile, "utf8");
        // LINE:COL, or LINE alone in a report written before findings had columns (see rules-fixtures.test.ts)
        const columns = wanted === "" || /^\d+:\d+ /.test(wanted);
        const got = file.findings.map((f) => `${columns ? `${f.start.line}:${f.start.column}` : f.start.line} ${f.fixed ? "fixed" : f.reason}: ${c.context ? f.message.replaceAll(c.context.dir, c.context.as) : f.message}`).sort();
        const want = wanted.split("\n").filter(Boolean).sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${c.name}: report differs:\n${got.join("\n")}\nwanted:\n${want.join("\n")}`);
      }
      const reportsFile = join(FIXTURES, `${c.name}.reports.json`);
      if (existsSync(reportsFile)) {
        findingsLeft++;
        const rule = c.name.split("/")[1];
        const got = file.findings.filter((f) => !f.fixed && f.rule === rule).map((f) => ({ line: f.start.line, reason: f.reason }));
        if (JSON.stringify(got) !== JSON.stringify(JSON.parse(readFileSync(reportsFile, "utf8")))) wrong.push(`${c.name}: findings left differ: ${JSON.stringify(got)}`);
      }
    }
    for (const c of viaStdin) {
      const r = spawnSync(join(ignored, "node_modules", ".bin", "dockerfile-codemod"), c.args, { cwd: ignored, input: c.input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      if (r.status !== 0 || r.stdout !== c.output) wrong.push(`${c.name} (stdin): exit ${r.status}, output ${r.stdout === c.output ? "as expected" : "differs"}: ${r.stderr}`);
    }
    expect(wrong).toEqual([]);
    // fixing the output again changes nothing
    const again = bin(ignored, "dockerfile-codemod", ["--write", "--json", "fixtures-rules"]);
    expect([0, 1], again.stderr).toContain(again.status);
    expect((JSON.parse(again.stdout) as Report).files.filter((f) => f.changed || f.written).map((f) => f.path)).toEqual([]);
    console.log(`rule and engine fixtures through the packed bin: ${cases.length} fixtures (outputs; ${reports} .report.txt and ${findingsLeft} .reports.json compared too) in ${sets.size} rule and option sets, 2 bin calls, and ${viaStdin.length} through stdin (no build context at hand); 0 differing`);
  });

  test("the format fixtures, through the installed plugin with prettier.format and a filepath", () => {
    // a CR not before a line feed becomes a line break on Prettier's path (Prettier's own normalisation): those
    // fixtures state formatText's output, and test/carriage-return-prettier.test.ts states Prettier's
    const loneCr = (text: string) => /\r(?!\n)/.test(text);
    // refusal fixtures (<case>.error.txt: `LINE:COLUMN MESSAGE`) are refused by Prettier as `MESSAGE (LINE:COLUMN)`
    const refusals = refusalCases("format").map((r) => {
      const [, at, message] = /^(\d+:\d+) (.*)$/.exec(r.error)!;
      return { name: r.name, input: r.input, options: {}, output: `!refused (${at}): ${message}` };
    });
    const cases = [...fixtureCases("format"), ...refusals].filter((c) => !loneCr(c.input));
    const filepath = join(ignored, "fixtures-format", "Dockerfile");
    mkdirSync(dirname(filepath), { recursive: true });
    writeFileSync(join(ignored, "fixtures-format", "cases.json"), JSON.stringify(cases.map((c) => ({ name: c.name, input: c.input, options: c.options }))));
    writeFileSync(
      join(ignored, "fixtures-format", "format.mjs"),
      `import * as prettier from "prettier";
import plugin from "prettier-plugin-dockerfile";
import { readFileSync, writeFileSync } from "node:fs";
const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = {};
for (const c of cases) {
  const options = { ...c.options, filepath: ${JSON.stringify(filepath)}, plugins: [plugin] };
  try {
    // the file on disk holds what is formatted, as with prettier --write (the plugin reads it for what Prettier's text no longer shows: lone CRs)
    writeFileSync(options.filepath, c.input);
    const once = await prettier.format(c.input, options);
    writeFileSync(options.filepath, once);
    out[c.name] = { once, twice: await prettier.format(once, options) };
  } catch (e) {
    out[c.name] = { error: String(e && e.message) };
  }
}
writeFileSync(process.argv[3], JSON.stringify(out));
`,
    );
    const r = run(ignored, process.execPath, ["fixtures-format/format.mjs", "fixtures-format/cases.json", "fixtures-format/out.json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(ignored, "fixtures-format", "out.json"), "utf8")) as Record<string, { once?: string; twice?: string; error?: string }>;
    const wrong: string[] = [];
    for (const c of cases) {
      const o = out[c.name]!;
      if (c.output.startsWith("!refused ")) {
        // the expected refusal, `!refused (line:column): message`, as Prettier words it: `message (line:column)`
        const [, at, message] = /^!refused \((\d+:\d+)\): (.*)\n?$/.exec(c.output)!;
        // Prettier adds a code frame below a parse error's first line
        if (o.error?.split("\n")[0] !== `${message} (${at})`) wrong.push(`${c.name}: not refused as expected: ${o.error ?? "formatted"}`);
      } else if (o.error !== undefined) wrong.push(`${c.name}: ${o.error}`);
      else if (o.once !== c.output) wrong.push(`${c.name}: output differs`);
      else if (o.twice !== o.once) wrong.push(`${c.name}: formatting the output changes it`);
    }
    expect(wrong).toEqual([]);
    console.log(`format fixtures through the packed plugin and prettier.format: ${cases.length} fixtures (${refusals.length} refusals), 1 node process, 0 differing`);
  });
});

describe("the published declarations", () => {
  test("a strict TypeScript consumer compiles against both entry points with skipLibCheck: false", () => {
    const dir = join(ignored, "ts-consumer");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "ts-consumer", private: true, type: "module" }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          noEmit: true,
          // no @types/node: the declarations must not need it
          types: [],
        },
        include: ["*.ts"],
      }),
    );
    writeFileSync(
      join(dir, "index.ts"),
      `import type { Plugin } from "prettier";
import plugin, { isDockerfileName, languages, options } from "prettier-plugin-dockerfile";
import {
  initShell, formatText, fix, buildModel, meaningOf, compareMeanings, DockerfileSyntaxError, RULES,
  type FormatOptions, type FixResult, type AppliedFix, type DockerfileModel,
} from "prettier-plugin-dockerfile/core";

const p: Plugin = plugin;
const named: boolean = isDockerfileName("Dockerfile.prod");
const languageNames: string[] = languages.map((l) => l.name);
const optionNames: string[] = Object.keys(options);

await initShell();
const formatOptions: FormatOptions = { tabWidth: 4, printWidth: 100 };
const formatted: string = formatText("from alpine\\nrun  echo hi\\n", formatOptions);
const result: FixResult = await fix("FROM node:22\\nCMD node server.js\\n", { unsafeFixes: false });
const applied: AppliedFix[] = result.fixes;
const rules: string[] = applied.map((f) => f.rule);
const model: DockerfileModel = buildModel(formatted);
const differences = compareMeanings(meaningOf(model), meaningOf(buildModel(result.output)));
try {
  buildModel("FROM a\\nRUN <<EOF\\n");
} catch (error) {
  if (error instanceof DockerfileSyntaxError) console.log(error.line, error.column);
}
console.log(p, named, languageNames, optionNames, rules, differences, RULES.length);

// the declarations are read, not \`any\`: these must be errors
// @ts-expect-error a file name is a string
isDockerfileName(1);
// @ts-expect-error the text to format is a string
formatText(42);
`,
    );
    const r = run(dir, process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
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
      { plugins: ["prettier-plugin-dockerfile"], tabWidth: 2, overrides: [{ files: "docker/**", options: { dockerfileIndent: "tab" } }] },
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
    repo = join(ignored, "repo");
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
    const r = run(repo, "npx", ["prettier", "--list-different", "--ignore-unknown", dockerfileGlob()]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout.trim().split("\n").sort()).toEqual(Object.keys(DOCKERFILES).sort());
  });

  test("dockerfile-codemod --write --reformat uses .prettierrc's overrides (dockerfileIndent), not its tabWidth 2, and .editorconfig (max_line_length); then the real prettier --check passes", () => {
    const w = run(repo, "npx", ["dockerfile-codemod", "--write", "--reformat"]);
    expect(w.status, w.stdout + w.stderr).toBe(0);
    expect(w.stdout.trim().split("\n").sort()).toEqual(Object.keys(DOCKERFILES).sort());
    untouched();
    expect(readRepo("Dockerfile")).toMatch(/^ {4}apt-get install/m);
    expect(readRepo("docker/dev.Dockerfile")).toMatch(/^\t&& npm run build/m);
    expect(readRepo("Dockerfile.prod")).toBe("FROM nginx\nCOPY ./dist /usr/share/nginx/html\n");
    for (const line of readRepo("Containerfile").split("\n")) expect(line.length).toBeLessThanOrEqual(60);
    const check = run(repo, "npx", ["prettier", "--check", ...Object.keys(DOCKERFILES)]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const all = run(repo, "npx", ["prettier", "--check", "."]);
    expect(all.status, all.stdout + all.stderr).toBe(0);
  });

  test("where no finding is fixed, dockerfile-codemod --reformat writes what prettier --write writes", () => {
    const formatOnly = ["docker/dev.Dockerfile", "Containerfile", "Dockerfile.prod"];
    const byCodemod = Object.fromEntries(formatOnly.map((n) => [n, readRepo(n)]));
    writeAll(Object.fromEntries(formatOnly.map((n) => [n, DOCKERFILES[n]!])));
    const w = run(repo, "npx", ["prettier", "--write", ...formatOnly]);
    expect(w.status, w.stderr).toBe(0);
    for (const n of formatOnly) expect(readRepo(n), n).toBe(byCodemod[n]);
  });

  test("the glob '**/*' given to the codemod: only Dockerfiles are read, one warning per other file and exit 2; with -u, silently", () => {
    writeAll(DOCKERFILES);
    const w = run(repo, "npx", ["dockerfile-codemod", "--write", "--reformat", "**/*"]);
    expect(w.status, w.stderr).toBe(2);
    untouched();
    const warned = w.stderr.split("\n").filter((l) => l.startsWith("warning: ")).map((l) => l.split(":")[1]!.trim());
    expect(warned.sort()).toEqual(Object.keys(OTHERS).sort());
    writeAll(DOCKERFILES);
    const quiet = run(repo, "npx", ["dockerfile-codemod", "--write", "--reformat", "-u", "**/*"]);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain("warning");
    untouched();
  });

  test("the plugin through the real prettier --write . formats the Dockerfiles and leaves every other file byte for byte", () => {
    writeAll(DOCKERFILES);
    const w = run(repo, "npx", ["prettier", "--write", "."]);
    expect(w.status, w.stdout + w.stderr).toBe(0);
    untouched();
    for (const [name, text] of Object.entries(DOCKERFILES)) expect(readRepo(name), name).not.toBe(text);
    // files with no parser are not even named
    expect(w.stdout).not.toMatch(/Dockerfile\.(template|dockerignore)|\.j2/);
  });

  test("without prettier beside it, --reformat warns once and uses the built-in formatter", () => {
    // the installed package, copied into a project whose node_modules has everything but prettier
    // (outside the test's directory, or node would find its prettier further up)
    const bare = mkdtempSync(join(tmpdir(), "prettier-plugin-dockerfile-no-prettier-"));
    onTestFinished(() => rmSync(bare, { recursive: true, force: true }));
    mkdirSync(join(bare, "node_modules"), { recursive: true });
    for (const entry of readdirSync(join(ignored, "node_modules"))) {
      if (entry === "prettier" || entry === ".bin") continue;
      if (entry === "prettier-plugin-dockerfile") cpSync(join(ignored, "node_modules", entry), join(bare, "node_modules", entry), { recursive: true });
      else symlinkSync(join(ignored, "node_modules", entry), join(bare, "node_modules", entry));
    }
    writeFileSync(join(bare, ".prettierrc"), JSON.stringify({ tabWidth: 8 }));
    writeFileSync(join(bare, "Dockerfile"), DOCKERFILES.Dockerfile!);
    const r = run(bare, process.execPath, [join(bare, "node_modules/prettier-plugin-dockerfile/dist/src/cli/bin.js"), "--write", "--reformat"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.includes("prettier could not be loaded")).length).toBe(1);
    // the built-in defaults (four spaces), not the .prettierrc (tabWidth 8) it cannot read
    expect(readFileSync(join(bare, "Dockerfile"), "utf8")).toMatch(/^FROM debian:12\nRUN apt-get update && \\\n {4}apt-get install/);
  });
});
