/**
 * What a Dockerfile is called: isDockerfileName (src/names.ts), and the
 * patterns generated from it for other tools, checked against it with those
 * tools' own matchers: the pre-commit `files:` regex with Python's `re` (as
 * pre-commit searches it), the lint-staged glob with micromatch (with
 * lint-staged's options) and the prettier glob with fast-glob (as prettier
 * expands it).
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import fg from "fast-glob";
import { NOT_DOCKERFILE_EXTENSIONS, dockerfileFilenames, dockerfileGlob, isDockerfileName, preCommitFilesPattern, prettierClaimsFirst } from "../src/names.js";
import { isDockerfileName as pluginIsDockerfileName, languages } from "../plugin/index.js";
import { ROOT } from "./helpers.js";
// @ts-expect-error: a plain ESM script without types
import { renderHooks, renderPrettierExtensions, renderReadme } from "../scripts/sync-names.mjs";
import * as prettier from "prettier";

const micromatch = createRequire(import.meta.url)("micromatch") as (list: string[], pattern: string, options: object) => string[];

const DOCKERFILES = [
  "Dockerfile",
  "dockerfile",
  "DOCKERFILE",
  "Containerfile",
  "containerfile",
  "CONTAINERFILE",
  "api.Dockerfile",
  "ls.Dockerfile",
  "docker/dev.Dockerfile",
  "svc/x.containerfile",
  "build.CONTAINERFILE",
  ".dockerfile",
  "Dockerfile.prod",
  "Dockerfile.dev",
  "Dockerfile.alpine",
  "Dockerfile.windows",
  "Containerfile.prod",
  "Containerfile.alpine",
  "dockerfile.PROD",
  "DOCKERFILE.Dev",
  "Dockerfile.3.12",
  "Dockerfile.debian-12",
  "Dockerfile.node",
  "Dockerfile.python",
  "Dockerfile.golang",
  "Dockerfile.example",
  "Dockerfile.dockerfile",
  "Dockerfile.template.dockerfile",
  "md.Dockerfile",
  ".devcontainer/Dockerfile",
  "a/b/c/Containerfile.dev",
];

const NOT_DOCKERFILES = [
  // BuildKit's per-Dockerfile ignore files
  "Dockerfile.dockerignore",
  "Containerfile.dockerignore",
  "x.Dockerfile.dockerignore",
  "svc/api.Dockerfile.dockerignore",
  "Containerfile.containerignore",
  // docker-library's jq templates and other templates
  "Dockerfile.template",
  "Dockerfile.TEMPLATE",
  "Containerfile.template",
  "Dockerfile.tmpl",
  "Dockerfile.tpl",
  "Dockerfile.j2",
  "Dockerfile.jinja",
  "Dockerfile.jinja2",
  "Dockerfile.erb",
  "Dockerfile.in",
  "x.Dockerfile.j2",
  // backups and leftovers
  "Dockerfile.bak",
  "Dockerfile.orig",
  "Dockerfile.rej",
  "Dockerfile.swp",
  "Dockerfile.prod.bak",
  "Dockerfile.prod.ORIG",
  "Dockerfile~",
  "Dockerfile.prod~",
  "Dockerfile.",
  // other kinds of file
  ...["md", "json", "yml", "yaml", "sh", "ps1", "txt", "patch", "diff", "snap", "lock", "log", "toml", "xml", "html", "py", "js", "ts", "go"].flatMap((e) => [
    `Dockerfile.${e}`,
    `Containerfile.${e}`,
    `Dockerfile.prod.${e}`,
    `docker/Dockerfile.${e.toUpperCase()}`,
  ]),
  "dockerfile.go",
  "pkg/dockerfile/dockerfile.py",
  // names that only look alike
  "README.md",
  "package.json",
  "docker-compose.yml",
  "Dockerfile-notes.md",
  "Dockerfile_prod",
  "mydockerfile",
  "dockerfiles",
  "Dockerfile/notes",
  "notes.dockerfile.md",
];

describe("isDockerfileName", () => {
  test.each(DOCKERFILES)("%s is a Dockerfile", (name) => {
    expect(isDockerfileName(name)).toBe(true);
  });
  test.each(NOT_DOCKERFILES)("%s is not a Dockerfile", (name) => {
    expect(isDockerfileName(name)).toBe(false);
  });

  test("every excluded extension, after either stem, in any case, after another suffix", () => {
    for (const ext of NOT_DOCKERFILE_EXTENSIONS) {
      for (const name of [`Dockerfile.${ext}`, `containerfile.${ext}`, `Dockerfile.prod.${ext}`, `DOCKERFILE.${ext.toUpperCase()}`]) {
        expect(isDockerfileName(name), name).toBe(false);
      }
      expect(isDockerfileName(`${ext}.Dockerfile`)).toBe(true);
      expect(isDockerfileName(`Dockerfile.${ext}_x`)).toBe(true);
    }
  });

  test("only the last path component counts, with either separator", () => {
    expect(isDockerfileName("Dockerfile.d/README.md")).toBe(false);
    expect(isDockerfileName("notes.md/Dockerfile")).toBe(true);
    expect(isDockerfileName("C:\\src\\app\\Dockerfile.prod")).toBe(true);
    expect(isDockerfileName("C:\\src\\Dockerfile.d\\x.txt")).toBe(false);
  });

  test("the plugin uses it: isSupported and the re-export are this function", () => {
    expect(pluginIsDockerfileName).toBe(isDockerfileName);
    const isSupported = (languages[0] as { isSupported: (o: { filepath: string }) => boolean }).isSupported;
    for (const name of DOCKERFILES) expect(isSupported({ filepath: `/repo/${name}` }), name).toBe(true);
    for (const name of NOT_DOCKERFILES) expect(isSupported({ filepath: `/repo/${name}` }), name).toBe(false);
  });
});

describe("the names the plugin lists for Prettier (its language's filenames)", () => {
  test("src/prettier-extensions.ts lists the installed prettier's extensions (npm run sync-names writes it)", async () => {
    const { languages } = await prettier.getSupportInfo();
    expect(readFileSync(join(ROOT, "src/prettier-extensions.ts"), "utf8")).toBe((renderPrettierExtensions as (l: unknown) => string)(languages));
    // exact names of Prettier's languages are never Dockerfile names: with the same name in two languages, which one wins would depend on the order of plugins
    expect(languages.flatMap((l) => l.filenames ?? []).filter(isDockerfileName)).toEqual([]);
  });

  test("dockerfileFilenames: the two base names, and every Dockerfile<extension> of Prettier's that is a Dockerfile name", () => {
    const names = dockerfileFilenames();
    expect(names.slice(0, 2)).toEqual(["Dockerfile", "Containerfile"]);
    for (const name of names) expect(isDockerfileName(name), name).toBe(true);
    expect(names).toContain("Dockerfile.webapp");
    expect(names).toContain("Containerfile.pcss");
    // a Prettier extension whose last part names another kind of file is no Dockerfile, so not listed
    expect(names).not.toContain("Dockerfile.json");
    expect(names).not.toContain("Dockerfile.tfstate.backup");
    expect(languages[0]!.filenames).toEqual(names);
  });

  test("prettierClaimsFirst: only Dockerfile names that end in one of Prettier's extensions and are not listed", () => {
    for (const name of ["Dockerfile.prod.webapp", "containerfile.x.es6", "docker/Dockerfile.a.b.mkd"]) expect(prettierClaimsFirst(name), name).toBe(true);
    for (const name of ["Dockerfile.webapp", "DOCKERFILE.WEBAPP", "Dockerfile.prod", "api.Dockerfile", "Dockerfile.prod.json", "Dockerfile.4DForm.x", "README.md"])
      expect(prettierClaimsFirst(name), name).toBe(false);
  });
});

/** Every name above, plus each in a directory. */
const ALL = [...DOCKERFILES, ...NOT_DOCKERFILES].flatMap((n) => [n, `deep/er/${n}`]);

describe("the pre-commit files pattern", () => {
  const pattern = preCommitFilesPattern();

  test("is the pattern of every hook in .pre-commit-hooks.yaml (npm run sync-names writes it)", () => {
    const yaml = readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8");
    expect(yaml).toBe((renderHooks as (t: string) => string)(yaml));
    const lines = [...yaml.matchAll(/^ {2}files: '(.*)'$/gm)].map((m) => m[1]);
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line).toBe(pattern);
  });

  test("matches exactly the Dockerfile names (as a JavaScript regex: the same syntax, (?i) as the i flag)", () => {
    expect(pattern.startsWith("(?i)")).toBe(true);
    const re = new RegExp(pattern.slice(4), "i");
    for (const name of ALL) expect(re.test(name), name).toBe(isDockerfileName(name));
  });

  const python = spawnSync("python3", ["--version"]).status === 0;
  test.skipIf(!python)("matches exactly the Dockerfile names with Python's re.search, as pre-commit runs it", () => {
    const script = "import json, re, sys\np = re.compile(sys.argv[1])\nprint(json.dumps([bool(p.search(n)) for n in json.load(sys.stdin)]))\n";
    const r = spawnSync("python3", ["-c", script, pattern], { input: JSON.stringify(ALL), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const matched = JSON.parse(r.stdout) as boolean[];
    expect(ALL.filter((n, i) => matched[i] !== isDockerfileName(n))).toEqual([]);
  });
  if (!python) test.skip("python3 is not installed: the check with Python's re is skipped", () => {});
});

describe("the README", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  test("VS Code: every files.associations pattern for dockerfile names only Dockerfile names, every other one only other files (issue 19, 13)", () => {
    const section = readme.slice(readme.indexOf("### VS Code\n"), readme.indexOf("\n### ", readme.indexOf("### VS Code\n") + 1));
    const settings = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!) as { "files.associations": Record<string, string> };
    const associations = Object.entries(settings["files.associations"]);
    // VS Code matches a pattern without a slash against the file's name, in any case (its glob: *, ?, {a,b}, [...])
    const mm = createRequire(import.meta.url)("micromatch") as {
      matcher: (p: string, o: object) => (s: string) => boolean;
      braces: (p: string, o: object) => string[];
    };
    const matchers = new Map(associations.map(([p]) => [p, mm.matcher(p, { nocase: true, dot: true })]));
    const matches = (pattern: string, name: string) => !pattern.includes("/") && matchers.get(pattern)!(name.split("/").pop()!);
    // names a pattern stands for: each brace alternative, a word for each *, then the name with a suffix that makes it another kind of file
    const instances = (pattern: string) => mm.braces(pattern, { expand: true }).map((p) => p.replaceAll("*", "x"));
    const candidates = [
      ...ALL,
      ...NOT_DOCKERFILE_EXTENSIONS.flatMap((e) => [`Dockerfile.${e}`, `Containerfile.prod.${e}`, `x.${e}`]),
      ...associations.flatMap(([pattern]) => instances(pattern).flatMap((n) => [n, n.toUpperCase(), ...NOT_DOCKERFILE_EXTENSIONS.map((e) => `${n}.${e}`), `${n}~`])),
    ];
    const wrong: string[] = [];
    for (const [pattern, language] of associations) {
      const matched = candidates.filter((n) => matches(pattern, n));
      if (matched.length === 0) wrong.push(`${pattern}: matches nothing`);
      for (const name of matched) if (isDockerfileName(name) !== (language === "dockerfile")) wrong.push(`${pattern} -> ${language}: ${name}`);
    }
    expect(wrong).toEqual([]);
    // the known negatives are associated with no Dockerfile pattern, BuildKit's ignore files with the ignore language
    const dockerfilePatterns = associations.filter(([, l]) => l === "dockerfile").map(([p]) => p);
    for (const name of NOT_DOCKERFILES) expect(dockerfilePatterns.filter((p) => matches(p, name)), name).toEqual([]);
    for (const name of ["Dockerfile.dockerignore", "svc/api.Dockerfile.dockerignore", "Containerfile.containerignore"])
      expect(associations.filter(([p]) => matches(p, name)).map(([, l]) => l), name).toEqual(["ignore"]);
    // the broad pattern the README had is gone; the names VS Code does not know itself are covered
    expect(settings["files.associations"]["Dockerfile.*"]).toBeUndefined();
    for (const name of ["Containerfile", "x.containerfile", "Dockerfile.prod", "Dockerfile.dev", "Containerfile.alpine"])
      expect(dockerfilePatterns.some((p) => matches(p, name)), name).toBe(true);
  });

  test("its rule, lint-staged and GitHub Actions blocks are generated from src/names.ts (npm run sync-names)", () => {
    expect(readme).toBe((renderReadme as (t: string) => string)(readme));
    for (const ext of NOT_DOCKERFILE_EXTENSIONS) expect(readme).toContain(`\`${ext}\``);
  });

  const glob = dockerfileGlob();
  const lintStaged = JSON.parse(/<!-- names:lint-staged:start[^>]*-->\n```json\n([\s\S]*?)```/.exec(readme)![1]!) as { "lint-staged": Record<string, string[]> };

  test("lint-staged: the glob, read by micromatch as lint-staged reads it, takes every Dockerfile (ls.Dockerfile, docker/dev.Dockerfile, any case); the commands skip the rest", () => {
    const [[pattern, commands]] = Object.entries(lintStaged["lint-staged"]) as [[string, string[]]];
    expect(pattern).toBe(glob);
    // lint-staged's generateTasks: micromatch(files, pattern, { cwd, dot: true, matchBase: !pattern.includes('/'), posixSlashes: true, strictBrackets: true })
    const options = { cwd: "/repo", dot: true, matchBase: !pattern.includes("/"), posixSlashes: true, strictBrackets: true };
    const matched = new Set(micromatch(ALL, pattern, options));
    for (const name of ALL.filter(isDockerfileName)) expect(matched.has(name), name).toBe(true);
    for (const name of ["README.md", "package.json", "docker-compose.yml", "Dockerfile-notes.md", "mydockerfile", "ci/build.sh"]) expect(matched.has(name), name).toBe(false);
    expect(commands).toEqual(["dockerfile-codemod --write --force-exclude --ignore-unknown", "prettier --write --ignore-unknown"]);
  });

  test("GitHub Actions: prettier --check --ignore-unknown with the glob, expanded by fast-glob as prettier does", () => {
    const yaml = /<!-- names:github-actions:start[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(yaml).toContain(`      - run: npx prettier --check --ignore-unknown "${glob}"\n`);
    const dir = mkdtempSync(join(tmpdir(), "names-glob-"));
    try {
      const files = ALL.filter((n) => !n.includes("Dockerfile/notes") && !n.startsWith("Dockerfile.d"));
      for (const name of files) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), "");
      }
      // prettier's expandPatterns: fastGlob(pattern, { dot: true, ignore: [node_modules, .git, ...], followSymbolicLinks: false })
      const found = new Set(fg.sync(glob, { cwd: dir, dot: true, followSymbolicLinks: false }));
      for (const name of files.filter(isDockerfileName)) expect(found.has(name), name).toBe(true);
      for (const name of ["README.md", "package.json", "docker-compose.yml"]) expect(found.has(name), name).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
