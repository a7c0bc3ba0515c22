import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as prettier from "prettier";
import { describe, expect, onTestFinished, test } from "vitest";
import plugin from "../plugin/index.js";
import { DOCKERFILE_STEMS, NOT_DOCKERFILE_EXTENSIONS, isDockerfileName, prettierClaimsFirst } from "../src/names.js";
import { PRETTIER_EXTENSIONS } from "../src/prettier-extensions.js";
import { ROOT } from "./helpers.js";

const format = (text: string, options: prettier.Options = {}) =>
  prettier.format(text, { filepath: "Dockerfile", plugins: [plugin], ...options });

describe("the Prettier plugin", () => {
  test.each([
    "Dockerfile",
    "Containerfile",
    "dockerfile",
    "DOCKERFILE",
    "api.dockerfile",
    "web.Dockerfile",
    "build.containerfile",
    "Dockerfile.prod",
    "dockerfile.dev",
    "Containerfile.arm64",
    "sub/dir/Dockerfile",
  ])("claims %s", async (filepath) => {
    const info = await prettier.getFileInfo(filepath, { plugins: [plugin] });
    expect(info.inferredParser).toBe("dockerfile");
    expect(await prettier.format("from alpine\n", { filepath, plugins: [plugin] })).toBe("FROM alpine\n");
  });

  test.each(["docker-compose.yml", "Dockerfile-notes.md", "README.md", "mydockerfile.txt"])(
    "does not claim %s",
    async (filepath) => {
      const info = await prettier.getFileInfo(filepath, { plugins: [plugin] });
      expect(info.inferredParser).not.toBe("dockerfile");
    },
  );

  test("formats ```dockerfile blocks inside Markdown", async () => {
    const md = "# Build\n\n```dockerfile\nfrom alpine\nrun   echo hi\n```\n\n```Dockerfile\ncmd [\"a\",\"b\"]\n```\n";
    const out = await prettier.format(md, { filepath: "README.md", plugins: [plugin] });
    expect(out).toBe('# Build\n\n```dockerfile\nFROM alpine\nRUN echo hi\n```\n\n```Dockerfile\nCMD ["a", "b"]\n```\n');
  });

  test("tabWidth and useTabs set the continuation indent", async () => {
    const text = "FROM a\nRUN apk add \\\n  curl\n";
    expect(await format(text, { tabWidth: 2 })).toBe("FROM a\nRUN apk add \\\n  curl\n");
    expect(await format(text, { useTabs: true })).toBe("FROM a\nRUN apk add \\\n\tcurl\n");
  });

  test("the plugin's own default indent is 4 spaces; a configuration's tabWidth still wins", async () => {
    const text = "FROM a\nRUN apk add \\\n  curl\n";
    expect(plugin.defaultOptions).toEqual({ tabWidth: 4 });
    expect(await format(text)).toBe("FROM a\nRUN apk add \\\n    curl\n");
    const dir = mkdtempSync(join(tmpdir(), "prettier-config-"));
    try {
      writeFileSync(join(dir, ".prettierrc"), JSON.stringify({ tabWidth: 2, overrides: [{ files: "*.dockerfile", options: { tabWidth: 3 } }] }));
      for (const [name, spaces] of [["Dockerfile", 2], ["web.dockerfile", 3]] as const) {
        const filepath = join(dir, name);
        const config = await prettier.resolveConfig(filepath);
        expect(await prettier.format(text, { ...config, filepath, plugins: [plugin] })).toBe(`FROM a\nRUN apk add \\\n${" ".repeat(spaces)}curl\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("endOfLine: CRLF input is printed with the chosen line ending", async () => {
    const crlf = "from a\r\nrun echo \\\r\n  b\r\n";
    expect(await format(crlf)).toBe("FROM a\nRUN echo \\\n    b\n");
    expect(await format(crlf, { endOfLine: "crlf" })).toBe("FROM a\r\nRUN echo \\\r\n    b\r\n");
    expect(await format(crlf, { endOfLine: "auto" })).toBe("FROM a\r\nRUN echo \\\r\n    b\r\n");
  });

  test("a byte-order mark is kept", async () => {
    expect(await format("\uFEFFfrom a\n")).toBe("\uFEFFFROM a\n");
  });

  test("empty and comment-only files format without error", async () => {
    expect(await format("")).toBe("");
    expect(await format("\n\n")).toBe("");
    expect(await format("# only\n#  comments  \n")).toBe("# only\n#  comments\n");
  });

  test("# prettier-ignore keeps the next instruction exactly", async () => {
    const text = "FROM a\n# prettier-ignore\nrun   echo   'x'\nrun   echo   'y'\n";
    expect(await format(text)).toBe("FROM a\n# prettier-ignore\nrun   echo   'x'\nRUN echo 'y'\n");
  });

  test("prettier --check semantics: formatted output is stable", async () => {
    const once = await format("from a as b\nrun a &&\\\n      b\n");
    expect(await prettier.check(once, { filepath: "Dockerfile", plugins: [plugin] })).toBe(true);
  });

  test("dockerfileShellLayout: auto lays out long RUNs, preserve keeps the user's breaks", async () => {
    const text = "FROM a\nRUN apt-get update \\\n    && apt-get install -y curl\n";
    expect(await format(text)).toBe("FROM a\nRUN apt-get update && \\\n    apt-get install -y curl\n");
    expect(await format(text, { dockerfileShellLayout: "preserve" } as prettier.Options)).toBe(
      "FROM a\nRUN apt-get update \\\n    && apt-get install -y curl\n",
    );
  });

  test("the self-check can be turned off", async () => {
    expect(await format("from a\n", { dockerfileVerify: false } as prettier.Options)).toBe("FROM a\n");
  });
});

/**
 * Prettier picks a language by a file's exact name (every language's
 * `filenames`), then by the end of its name (`extensions`), and only then asks
 * a plugin's isSupported: a Dockerfile.<suffix> whose suffix is an extension of
 * Prettier's own (`.webapp`: JSON) was Prettier's, and `prettier --check .`
 * failed on it (issue 19, 14). The plugin's filenames (dockerfileFilenames)
 * take them back; prettierClaimsFirst names what Prettier cannot give a plugin.
 */
describe("names Prettier gives its own languages", () => {
  const stems = DOCKERFILE_STEMS.map((s) => s[0]!.toUpperCase() + s.slice(1));
  const names = [
    ...stems.flatMap((stem) =>
      [...PRETTIER_EXTENSIONS, ...NOT_DOCKERFILE_EXTENSIONS.map((e) => `.${e}`), ".prod", ".dockerfile"].flatMap((ext) => [`${stem}${ext}`, `${stem}.prod${ext}`]),
    ),
    ...["DOCKERFILE.WEBAPP", "containerfile.Inc", "Dockerfile.PROD.webapp"],
    ...PRETTIER_EXTENSIONS.flatMap((ext) => [`api${ext}.dockerfile`, `x${ext}`]),
  ];

  test("every name isDockerfileName accepts is the plugin's, but those prettierClaimsFirst names, which are Prettier's own languages'", async () => {
    const wrong: string[] = [];
    let claimedFirst = 0;
    for (const name of names) {
      const { inferredParser } = await prettier.getFileInfo(`/repo/${name}`, { plugins: [plugin] });
      const expected = isDockerfileName(name) && !prettierClaimsFirst(name);
      if ((inferredParser === "dockerfile") !== expected) wrong.push(`${name}: ${inferredParser}`);
      if (prettierClaimsFirst(name)) {
        claimedFirst++;
        // a language of Prettier's, which the README's override gives back to the plugin
        if (!inferredParser || inferredParser === "dockerfile") wrong.push(`${name}: ${inferredParser}, not one of Prettier's`);
      }
    }
    expect(wrong).toEqual([]);
    expect(claimedFirst).toBeGreaterThan(0);
    // the names of the issue
    for (const ext of ["webapp", "inc", "syntax", "es6", "mkd", "pcss"]) {
      expect((await prettier.getFileInfo(`Dockerfile.${ext}`, { plugins: [plugin] })).inferredParser, ext).toBe("dockerfile");
      expect(prettierClaimsFirst(`Dockerfile.prod.${ext}`), ext).toBe(true);
    }
  });

  test("through the real prettier CLI (the built plugin, dist/): --check . and --write . take them as Dockerfiles; the README's override takes Dockerfile.prod.webapp", () => {
    const dir = mkdtempSync(join(tmpdir(), "prettier-own-languages-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const dockerfiles = ["webapp", "inc", "syntax", "es6", "mkd", "pcss"].map((e) => `Dockerfile.${e}`).concat("Containerfile.har");
    const others: Record<string, string> = { "Dockerfile.dockerignore": "node_modules\n", "Dockerfile.template": "from {{ base }}\n" };
    for (const name of dockerfiles) writeFileSync(join(dir, name), "from alpine\nrun  echo hi\n");
    for (const [name, text] of Object.entries(others)) writeFileSync(join(dir, name), text);
    const prettierBin = join(ROOT, "node_modules/.bin/prettier");
    const cli = (args: string[]) => spawnSync(prettierBin, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    const config = { plugins: [join(ROOT, "dist/plugin/index.js")] };
    writeFileSync(join(dir, ".prettierrc"), JSON.stringify(config));
    // the configuration is not among the files checked
    writeFileSync(join(dir, ".prettierignore"), ".prettierrc\n");

    // one more suffix in front: Prettier's JSON, whatever the plugin says (prettierClaimsFirst), until the README's override names it
    writeFileSync(join(dir, "Dockerfile.prod.webapp"), "from alpine\n");

    const check = cli(["--check", "."]);
    // 1 for the files to format; 2 only for Dockerfile.prod.webapp, which Prettier reads as JSON (before the plugin's
    // names, each of the others failed so: read as JSON, HTML, YAML, JavaScript, Markdown or PostCSS)
    expect(check.status, check.stdout + check.stderr).toBe(2);
    expect(check.stderr.match(/^\[error\] [^:\s]+:/gm)).toEqual(["[error] Dockerfile.prod.webapp:"]);
    expect(check.stderr.match(/^\[warn\] (\S+)$/gm)?.map((l) => l.slice(7)).sort()).toEqual([...dockerfiles].sort());

    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /<!-- names:prettier:start[^>]*-->[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]!;
    const { overrides } = JSON.parse(block) as { overrides: unknown[] };
    writeFileSync(join(dir, ".prettierrc"), JSON.stringify({ ...config, overrides }));
    const write = cli(["--write", "."]);
    expect(write.status, write.stderr).toBe(0);
    for (const name of [...dockerfiles, "Dockerfile.prod.webapp"]) expect(readFileSync(join(dir, name), "utf8"), name).toBe(name.endsWith("prod.webapp") ? "FROM alpine\n" : "FROM alpine\nRUN echo hi\n");
    for (const [name, text] of Object.entries(others)) expect(readFileSync(join(dir, name), "utf8"), name).toBe(text);
  });
});

describe("invalid input is a Prettier syntax error with line and column", () => {
  const cases: [string, string, RegExp, number, number][] = [
    ["unterminated heredoc", "FROM a\nRUN <<EOF\necho hi\n", /unterminated heredoc/, 2, 5],
    ["flag with no value", "FROM a\nRUN --mount echo\n", /missing a value on flag: --mount/, 2, 5],
    ["JSON array of non-strings", 'FROM a\nCMD ["a", 1]\n', /strings only/, 2, 1],
    ["ENV without value", "FROM a\nENV PATH\n", /ENV must have two arguments/, 2, 1],
    ["escape directive twice", "# escape=`\n# escape=\\\nFROM a\n", /only one escape/, 2, 1],
    ["bad escape character", "# escape=x\nFROM a\n", /invalid escape token/, 1, 1],
  ];
  test.each(cases)("%s", async (_name, text, message, line, column) => {
    let error: unknown;
    try {
      await format(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyntaxError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`(${line}:${column})`);
    expect((error as { loc: unknown }).loc).toEqual({ start: { line, column } });
  });

  test("inputs that crash dockerfile-ast or peers do not crash the plugin", async () => {
    // dockerfile-ast #123 (getHeredocs TypeError), dockerfmt panics on escape=` and empty files
    for (const text of [
      "FROM a\nRUN \\\n# comment\n  echo <<EOF\nx\nEOF\n",
      "# escape=`\nFROM a\nRUN echo `\n  b\n",
      "",
      "FROM a\nRUN [\"a\",\n",
      "FROM a\nRUN echo \\",
      "\t\t\n   \n",
      "FROM a\nHEALTHCHECK\nONBUILD\n",
    ]) {
      await expect(format(text)).resolves.toBeTypeOf("string");
    }
  });
});

describe("what Prettier writes is what the formatter printed", () => {
  test("trailing blanks of heredoc lines survive Prettier's printer (it trims them before hard line breaks)", async () => {
    const text = "FROM alpine\nRUN <<EOF\n  for f in a; do \n    echo $f   \n  done\nEOF\nCOPY <<EOF /etc/motd\nhello   \nEOF\n";
    expect(await format(text)).toBe(text);
  });

  test('issue 17 item 15: endOfLine "crlf" never adds a carriage return to a heredoc body (BuildKit keeps it): refused at the body line', async () => {
    const text = "FROM alpine\nRUN <<EOF\nset -eu\nEOF\n";
    await expect(format(text, { endOfLine: "crlf" })).rejects.toMatchObject({
      message: expect.stringMatching(/^endOfLine "crlf" would add a carriage return to this heredoc body line.* \(3:1\)$/),
      loc: { start: { line: 3, column: 1 } },
    });
    // a file without heredocs is written with CRLF as asked
    expect(await format("FROM a\nRUN b\n", { endOfLine: "crlf" })).toBe("FROM a\r\nRUN b\r\n");
    // a file on disk whose heredoc bodies already end with CRLF keeps its bytes
    const dir = mkdtempSync(join(tmpdir(), "heredoc-crlf-"));
    try {
      const crlf = "FROM alpine\r\nRUN <<EOF\r\nset -eu\r\nEOF\r\n";
      writeFileSync(join(dir, "Dockerfile"), crlf);
      expect(await prettier.format(crlf, { filepath: join(dir, "Dockerfile"), plugins: [plugin], endOfLine: "auto" })).toBe(crlf);
      expect(await prettier.format(crlf, { filepath: join(dir, "Dockerfile"), plugins: [plugin], endOfLine: "crlf" })).toBe(crlf);
      // one body line with LF on disk: refused there
      const mixed = "FROM alpine\r\nRUN <<EOF\r\nset -eu\r\nexit 0\nEOF\r\n";
      writeFileSync(join(dir, "Dockerfile"), mixed);
      await expect(prettier.format(mixed, { filepath: join(dir, "Dockerfile"), plugins: [plugin], endOfLine: "crlf" })).rejects.toMatchObject({
        loc: { start: { line: 4, column: 1 } },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("issue 17 item 14: an escape followed by a Unicode space ends an ENV or LABEL line: the space is kept, the next instruction stays its own", async () => {
    for (const space of ["\u00a0", "\u3000", "\v", "\f", "\u0085"]) {
      for (const line of ["ENV a=b", "LABEL a=b  c=d", "RUN echo a"]) {
        const text = `FROM a\n${line}\\${space}\nRUN x\n`;
        const out = await format(text);
        expect(out, JSON.stringify(text)).toBe(text.replace("  c=d", " c=d"));
        expect(await format(text, { dockerfileVerify: false } as prettier.Options), JSON.stringify(text)).toBe(out);
      }
    }
  });

  test('endOfLine "cr" is refused: BuildKit would read the whole file as one line', async () => {
    await expect(format("FROM a\n", { endOfLine: "cr" })).rejects.toThrow(/endOfLine "cr"/);
    // reported as Prettier reports a syntax error (a position, no stack trace)
    await expect(format("FROM a\n", { endOfLine: "cr" })).rejects.toMatchObject({ loc: { start: { line: 1, column: 1 } } });
  });

  test("a file on disk with a lone carriage return is refused with its line and column (Prettier would turn it into a line break)", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "lone-cr-"));
    try {
      const file = join(dir, "Dockerfile");
      const raw = "FROM a\nRUN echo a\rRUN echo b\n";
      writeFileSync(file, raw);
      const error = await prettier.format(raw, { filepath: file, plugins: [plugin] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyntaxError);
      expect((error as Error).message).toMatch(/carriage return not followed by a line feed.*\(2:11\)/);
      // an editor's buffer that differs from the file is formatted as given
      await expect(prettier.format("FROM a\nRUN echo a\n", { filepath: file, plugins: [plugin] })).resolves.toBe("FROM a\nRUN echo a\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("pragmas, as Prettier documents them for plugins", () => {
  test("requirePragma: only a file with # @format or # @prettier in its top comment block is formatted", async () => {
    expect(await format("from alpine\n", { requirePragma: true })).toBe("from alpine\n");
    expect(await format("# @format\nfrom alpine\n", { requirePragma: true })).toBe("# @format\nFROM alpine\n");
    expect(await format("# @prettier\n# about this image\nfrom alpine\n", { requirePragma: true })).toBe("# @prettier\n# about this image\nFROM alpine\n");
    // after parser directives (a pragma above them would turn them into comments)
    const directives = "# syntax=docker/dockerfile:1\n# escape=`\n# @format\nfrom alpine\n";
    expect(await format(directives, { requirePragma: true })).toBe("# syntax=docker/dockerfile:1\n# escape=`\n# @format\nFROM alpine\n");
    // a pragma-like line after an instruction, or inside a heredoc, is no pragma
    expect(await format("from alpine\n# @format\nrun  x\n", { requirePragma: true })).toBe("from alpine\n# @format\nrun  x\n");
    expect(await format("from alpine\nrun cat <<EOF\n# @format\nEOF\n", { requirePragma: true })).toBe("from alpine\nrun cat <<EOF\n# @format\nEOF\n");
  });

  test("insertPragma: # @format goes after the parser directives, never above one; a file that has a pragma gets no second", async () => {
    expect(await format("from alpine\n", { insertPragma: true })).toBe("# @format\nFROM alpine\n");
    expect(await format("# syntax=docker/dockerfile:1\n# check=skip=all\nfrom alpine\n", { insertPragma: true })).toBe(
      "# syntax=docker/dockerfile:1\n# check=skip=all\n# @format\nFROM alpine\n",
    );
    // the escape directive still counts: the backtick keeps continuing the line
    expect(await format("# escape=`\nfrom alpine\nrun echo a `\n  b\n", { insertPragma: true })).toBe("# escape=`\n# @format\nFROM alpine\nRUN echo a `\n  b\n");
    expect(await format("# @prettier\nfrom alpine\n", { insertPragma: true })).toBe("# @prettier\nFROM alpine\n");
    // a comment that is not a directive (a blank line ended the scan) stays a comment
    expect(await format("\n# escape=`\nfrom alpine\n", { insertPragma: true })).toBe("# @format\n\n# escape=`\nFROM alpine\n");
  });

  test("checkIgnorePragma: # @noformat or # @noprettier leaves the file as it is", async () => {
    expect(await format("# @noformat\nfrom alpine\n", { checkIgnorePragma: true })).toBe("# @noformat\nfrom alpine\n");
    expect(await format("# syntax=docker/dockerfile:1\n# @noprettier\nfrom alpine\n", { checkIgnorePragma: true })).toBe(
      "# syntax=docker/dockerfile:1\n# @noprettier\nfrom alpine\n",
    );
  });
});
