/**
 * cmd-exec-form judged by the shells themselves: for every CMD it converts to
 * a plain exec array, dash and bash must split and unquote the shell text
 * into exactly those arguments (`set -- TEXT; printf '%s\0' "$@"`), a leading
 * `exec` aside. Generated words mix every kind of quoting and escaping, and
 * the characters tree-sitter takes for blanks but the shells do not (`\v`,
 * `\f`, `\r`); the fixtures and the corpus conversions are checked too.
 * Every name the rule leaves in shell form as a builtin is run both ways
 * (through dash and bash, and as the program exec form would start) to show
 * that the two differ; `echo` with plain words is shown to be the same.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { commandHead } from "../src/model/command.js";
import { fixSync } from "../src/codemod/fix.js";
import { SHELL_BUILTINS, planExecForm } from "../src/rules/cmd-exec-form.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles, fixtureCases } from "./helpers.js";

const HAS_DASH = spawnSync("dash", ["-c", "exit 0"]).status === 0;
const HAS_BASH = spawnSync("bash", ["-c", "exit 0"]).status === 0;
const ENV = { PATH: "/usr/bin:/bin", HOME: "/nonexistent-home" };

beforeAll(async () => {
  await initShell();
});

/** The arguments a shell makes of each shell text (one shell process for all of them). */
function shellWords(shell: "dash" | "bash", texts: string[]): string[][] {
  const script = texts.map((t) => `set -- ${t}\nprintf '%s\\0' "$@"; printf '\\1\\0'\n`).join("");
  const r = spawnSync(shell, ["-c", script], { encoding: "utf8", env: ENV });
  if (r.status !== 0) throw new Error(r.stderr);
  const out: string[][] = [[]];
  for (const field of r.stdout.split("\0").slice(0, -1)) {
    if (field === "\u0001") out.push([]);
    else out[out.length - 1]!.push(field);
  }
  return out.slice(0, texts.length);
}

/** The text after the keyword, flags included (BuildKit's flags of a CMD are words the user wrote). */
function textAfterKeyword(logical: string): string {
  const head = commandHead(logical, "\\")!;
  return logical.slice(head.flagWords[0]?.start ?? head.argsStart, head.argsEnd);
}

/** Pairs (shell text, exec array) for every CMD the fix turned into a plain exec array, in order. */
function conversions(input: string, output: string): { shell: string; exec: string[] }[] {
  const before = buildModel(input).instructions.filter((i) => i.command.keyword === "CMD" || i.command.keyword === "ENTRYPOINT");
  const after = buildModel(output).instructions.filter((i) => i.command.keyword === "CMD" || i.command.keyword === "ENTRYPOINT");
  const out: { shell: string; exec: string[] }[] = [];
  if (before.length !== after.length) return out;
  before.forEach((b, k) => {
    const a = after[k]!;
    if (b.command.json || !a.command.json) return;
    if (a.command.json.length === 3 && a.command.json[1] === "-c" && a.command.json[2]!.startsWith("exec ")) return; // the unsafe form keeps the shell
    out.push({ shell: textAfterKeyword(b.logical), exec: a.command.json });
  });
  return out;
}

function expectSameWords(pairs: { shell: string; exec: string[]; where: string }[], shells: ("dash" | "bash")[] = ["dash", "bash"]): void {
  if (pairs.length === 0) return;
  for (const sh of shells) {
    const words = shellWords(sh, pairs.map((p) => p.shell));
    pairs.forEach((p, k) => {
      const argv = words[k]![0] === "exec" ? words[k]!.slice(1) : words[k]!;
      expect(p.exec, `${sh}: ${p.where}: CMD ${JSON.stringify(p.shell)}`).toEqual(argv);
    });
  }
}

const plain = fc.stringMatching(/^[A-Za-z0-9_./:=@%+,-]{1,6}$/);
const piece = fc.oneof(
  plain,
  plain.map((w) => `'${w} "x" \\ ${w}'`),
  plain.map((w) => `"${w} 'y' ${w}"`),
  plain.map((w) => `"a\\"b\\\\c\\d${w}"`),
  plain.map((w) => `${w}\\ ${w}`),
  plain.map((w) => `\\"${w}\\'`),
  fc.constantFrom('""', "''", "é", "☃", "a#b", "x=y", "\\\\"),
  // blanks to tree-sitter, word characters to /bin/sh
  fc.tuple(plain, fc.constantFrom("\v", "\f", "\r"), fc.constantFrom("", "'", '"', "\\")).map(([w, c, q]) => (q === "\\" ? `${w}\\${c}${w}` : `${q}${w}${c}${w}${q}`)),
);
const word = fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => p.join(""));

describe.skipIf(!HAS_DASH || !HAS_BASH)("cmd-exec-form keeps the arguments", () => {
  test("generated words: the exec array is what dash and bash make of the shell text", () => {
    const pairs: { shell: string; exec: string[]; where: string }[] = [];
    fc.assert(
      fc.property(fc.constantFrom("", "exec "), fc.constantFrom("./serve", "/usr/bin/app", "node"), fc.array(word, { maxLength: 4 }), fc.constantFrom("", " # note"), (exec, program, args, comment) => {
        const input = `FROM alpine\nCMD ${exec}${[program, ...args].join(" ")}${comment}\n`;
        const result = fixSync(input, { select: ["cmd-exec-form"] });
        for (const c of conversions(input, result.output)) pairs.push({ ...c, where: JSON.stringify(input) });
      }),
      { numRuns: 500, seed: 424242 },
    );
    expect(pairs.length).toBeGreaterThan(300);
    expect(pairs.some((p) => /[\v\f\r]/.test(p.shell))).toBe(true);
    expectSameWords(pairs);
  });

  test("\\v, \\f and a lone \\r are part of a word, as in dash and bash", () => {
    for (const [text, words] of [
      ["node a\vb", ["node", "a\vb"]],
      ["node a\fb c", ["node", "a\fb", "c"]],
      ["node a\rb", ["node", "a\rb"]],
      ["node a\\\vb '\f'", ["node", "a\vb", "\f"]],
    ] as const) {
      expect(shellWords("dash", [text])[0], text).toEqual(words);
      expect(shellWords("bash", [text])[0], text).toEqual(words);
      expect(planExecForm(text)?.args, text).toEqual(words);
    }
  });

  test('$"..." is not a plain word: dash reads `$` and a string, bash translates it', () => {
    expect(shellWords("dash", ['$"a b"'])[0]).toEqual(["$a b"]);
    expect(shellWords("bash", ['$"a b"'])[0]).toEqual(["a b"]);
    // the translation depends on the environment at run time (bash's own catalog, where installed)
    if (existsSync("/usr/share/locale/de/LC_MESSAGES/bash.mo")) {
      const r = spawnSync("bash", ["-c", 'printf %s $"Done"'], { encoding: "utf8", env: { ...ENV, LANG: "C.UTF-8", LANGUAGE: "de", TEXTDOMAIN: "bash" } });
      expect(r.stdout).toBe("Fertig");
    }
    for (const text of ['./serve $"a b"', './serve x$"a b"', "./serve $ b"]) {
      const plan = planExecForm(text, ["/bin/bash", "-c"]);
      expect(plan === null || plan.unsafeReason !== null, text).toBe(true);
    }
  });

  test("fixtures", () => {
    const pairs = fixtureCases("rules/cmd-exec-form").flatMap((c) => conversions(c.input, c.output).map((p) => ({ ...p, where: c.name })));
    expect(pairs.length).toBeGreaterThan(5);
    expectSameWords(pairs);
  });

  test.skipIf(!HAS_CORPUS)("every conversion in the corpus", () => {
    const pairs: { shell: string; exec: string[]; where: string }[] = [];
    for (const f of corpusFiles()) {
      const input = readFileSync(join(CORPUS, f), "utf8");
      let output: string;
      try {
        output = fixSync(input, { select: ["cmd-exec-form"], unsafeFixes: true }).output;
      } catch {
        continue; // files BuildKit rejects: test/cli.test.ts covers how they are reported
      }
      if (output !== input) pairs.push(...conversions(input, output).map((p) => ({ ...p, where: f })));
    }
    console.log(`exec form: ${pairs.length} corpus conversions checked against dash and bash`);
    expect(pairs.length).toBeGreaterThan(20);
    expectSameWords(pairs);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});

/**
 * Arguments that show how a builtin differs from the program of the same
 * name, where there is one (coreutils, procps); every name is also run with
 * no arguments and with an unknown option.
 */
const SAMPLES: Record<string, string[][]> = {
  "[": [["--version"], ["a", "==", "a", "]"]],
  test: [["-v", "PATH"]],
  printf: [["%q\\n", "a b"]],
  kill: [["-l"]],
  true: [["--version"]],
  false: [["--help"]],
  pwd: [["-P"]], // and in a directory reached through a symlink, below
  cd: [["/nonexistent"]],
  fc: [["-l"]],
  // bash's `suspend` would stop the shell: only its error case
  suspend: [],
};

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The program does not exist (exec form fails to start). */
  missing: boolean;
}

let work = "";
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "exec-form-builtins-"));
  mkdirSync(join(work, "real"));
  symlinkSync(join(work, "real"), join(work, "link"));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a command in a symlinked directory (PWD names the link, as a shell started there sees it). */
function run(file: string, args: string[]): Outcome {
  const cwd = join(work, "link");
  const r = spawnSync(file, args, { cwd, encoding: "utf8", input: "", env: { ...ENV, PWD: cwd }, timeout: 10_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", missing };
}

const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;

describe.skipIf(!HAS_DASH || !HAS_BASH)("builtins stay shell form: the builtin and the program differ", () => {
  test("every builtin and reserved word the rule keeps in shell form, run both ways in dash and bash", () => {
    const table: string[] = [];
    for (const name of [...SHELL_BUILTINS].sort()) {
      const samples = [...(name === "suspend" ? [] : [[]]), ["--no-such-option"], ...(SAMPLES[name] ?? [])];
      const differs: string[] = [];
      let builtinSomewhere = false;
      for (const shell of ["dash", "bash"] as const) {
        // a name that shell does not build in (dash has no `time`, bash no `chdir`) runs the same program both ways there
        const kind = shell === "dash" ? run("dash", ["-c", `type ${quote(name)}`]).stdout : run("bash", ["-c", `type -t ${quote(name)}`]).stdout;
        if (!/builtin|keyword/.test(kind)) {
          differs.push(`${shell}: not built in`);
          continue;
        }
        builtinSomewhere = true;
        const why = new Set<string>();
        for (const args of samples) {
          // the name unquoted: a quoted reserved word is an ordinary command name
          const text = [name, ...args.map(quote)].join(" ");
          const viaShell = run(shell, ["-c", text]);
          const asExec = run(name, args);
          if (asExec.missing) why.add("no program");
          else {
            if (viaShell.status !== asExec.status) why.add("status");
            if (viaShell.stdout !== asExec.stdout) why.add("output");
            if (viaShell.stderr !== asExec.stderr) why.add("errors");
          }
        }
        expect(why.size, `${name} under ${shell}: the builtin and the program behave the same for ${JSON.stringify(samples)}`).toBeGreaterThan(0);
        differs.push(`${shell}: ${[...why].join(", ")}`);
      }
      expect(builtinSomewhere, `${name} is built into neither dash nor bash`).toBe(true);
      table.push(`${name.padEnd(9)} ${differs.join("; ")}`);
      // and the rule leaves it in shell form (a leading `exec` is dropped: the program it names becomes PID 1 either way)
      if (name === "exec") expect(planExecForm("exec x")?.args).toEqual(["x"]);
      else expect(planExecForm([name, ...(SAMPLES[name]?.[0] ?? ["x"])].join(" ")), name).toBeNull();
    }
    console.log(`builtins kept in shell form (what differs when run as a program):\n${table.join("\n")}`);
  });

  test("echo: plain words are the same as /bin/echo in dash and bash; backslashes and options are not", () => {
    const same = [["hello", "world"], ["a", "b=c", "d:e"]];
    // each differs in dash at least; `-n` is the same everywhere, but no option is converted
    const different = [["a\\tb"], ["-e", "a\\tb"], ["-E", "x"]];
    const outcome = (shell: string, args: string[]) => {
      const a = run(shell, ["-c", ["echo", ...args.map(quote)].join(" ")]);
      const b = run("echo", args);
      return a.stdout === b.stdout && a.status === b.status;
    };
    for (const args of same) {
      expect(outcome("dash", args) && outcome("bash", args), args.join(" ")).toBe(true);
      expect(planExecForm(["echo", ...args].join(" "))?.args, args.join(" ")).toEqual(["echo", ...args]);
    }
    for (const args of different) {
      expect(outcome("dash", args) && outcome("bash", args), args.join(" ")).toBe(false);
      expect(planExecForm(["echo", ...args.map(quote)].join(" ")), args.join(" ")).toBeNull();
    }
    expect(planExecForm("echo -n x")).toBeNull();
  });
});
if (!HAS_DASH || !HAS_BASH) test.skip("dash or bash is not installed: exec-form arguments not checked against them", () => {});
