/**
 * cmd-exec-form and entrypoint-exec-form judged by the shells themselves.
 *
 * Execution: every conversion the codemod makes over the corpus (default
 * rules; entrypoint-exec-form with unsafe fixes), over the fixtures, and
 * over thousands of generated CMD texts aimed at quoting, is run both ways in
 * a scratch folder: the shell text as `dash -c TEXT` and `bash -c TEXT`, the
 * array through execvp (xargs -0), with PATH holding only stub programs that
 * record their argv (a program named by a path gets a stub at that path
 * inside the scratch folder). Dash, bash and the array must give the stub
 * the same argv. The quote scan (src/shell/literal-words.ts) is judged the
 * same way on every generated text it reads as literal words, and its shape
 * against mvdan/sh's parser (sh-syntax), POSIX and bash dialects.
 *
 * Words: for every CMD it converts to
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
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LangVariant, parse as shParse } from "sh-syntax";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { commandHead } from "../src/model/command.js";
import { execFormsConfirmed, fixSync, type FixOptions } from "../src/codemod/fix.js";
import { SHELL_BUILTINS, planExecForm } from "../src/rules/cmd-exec-form.js";
import { agreedLiteralWords, agreedScan, scanSimpleCommand, type ShellDialect } from "../src/shell/literal-words.js";
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

});

/** A conversion to run both ways: the shell text (after the keyword) and the exec array that replaced it. */
interface Conversion {
  shell: string;
  exec: string[];
  where: string;
}

/** Every shell-form CMD or ENTRYPOINT a fix of the run replaced by exec form, read from the applied fixes. */
function appliedConversions(input: string, options: FixOptions, where: string): Conversion[] {
  const result = fixSync(input, options);
  const before = buildModel(input);
  const out: Conversion[] = [];
  for (const f of result.fixes) {
    if (f.rule !== "cmd-exec-form" && f.rule !== "entrypoint-exec-form") continue;
    const instr = before.instructions.find((i) => i.startLine === f.line - 1);
    const edit = f.edits[f.edits.length - 1]!;
    const lines = edit.text.replace(/\r?\n$/, "").split(/\r?\n/);
    const after = buildModel(`FROM scratch\n${lines[lines.length - 1]!.trimStart()}\n`).instructions[1];
    if (!instr || !after?.command.json) throw new Error(`${where}: line ${f.line}: no conversion found in the fix`);
    out.push({ shell: textAfterKeyword(instr.logical), exec: after.command.json, where: `${where}:${f.line}` });
  }
  return out;
}

/** The scratch folder: one folder per batch of runs, where `bin/` holds the stubs PATH finds, `work/` is the working directory and `abs/` stands for `/`. */
let scratch = "";
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "exec-form-run-"));
});

function newRoot(): string {
  const root = mkdtempSync(join(scratch, "run-"));
  for (const d of ["bin", "work", "abs", "io"]) mkdirSync(join(root, d));
  return root;
}
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const PLAIN_PATH = /^[A-Za-z0-9_.\/+-]+$/;

/** Puts a stub that records its argv where `program` is found, and says how to name it; null when it cannot be placed in the scratch folder. */
function placeStub(root: string, program: string): { file: string; name: string } | null {
  let file: string;
  let name = program;
  if (!program.includes("/")) file = join(root, "bin", program);
  else if (program.startsWith("/")) {
    if (!PLAIN_PATH.test(program)) return null;
    file = join(root, "abs", program);
    name = file;
  } else file = resolve(join(root, "work"), program);
  if (!file.startsWith(`${root}/`) || program.endsWith("/") || program === "." || program === "..") return null;
  try {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const id = `'${file.replace(/'/g, "'\\''")}'`;
      writeFileSync(file, `#!/bin/sh\nfor a in ${id} "$@"; do printf '%s\\0' "$a"; done > "$ARGV_OUT"\n`);
      chmodSync(file, 0o755);
    } else if (!readFileSync(file, "utf8").startsWith("#!/bin/sh\nfor a in")) return null;
  } catch {
    return null; // a stub of another program of the batch is in the way (`/app` and `/app/run`)
  }
  return { file, name };
}

/**
 * The shell text and the array as they run in the scratch folder: a program
 * named by an absolute path is renamed into it (in the text only where the
 * text starts with that plain path, so nothing else is read). Null when the
 * program cannot be given a stub: counted as not executed.
 */
function runnable(root: string, c: Conversion): { text: string; argv: string[]; stub: string } | null {
  const viaShell = c.exec.length === 3 && c.exec[1] === "-c" && c.exec[2]!.startsWith("exec ");
  if (viaShell) {
    // `sh -c "exec PROG ..."`: the shell runs; PROG must be a name PATH finds (the quote scan says which word it is)
    const scan = agreedScan(c.exec[2]!, ["posix", "bash"]);
    const program = scan?.words[1]?.value;
    if (!program || program.includes("/") || !/^\/bin\/(sh|bash|dash)$/.test(c.exec[0]!)) return null;
    const stub = placeStub(root, program);
    return stub && { text: c.shell, argv: c.exec, stub: stub.file };
  }
  // words for an exec-form ENTRYPOINT (a CMD after one; `--flag`s BuildKit rejected): a stub entrypoint receives them both ways
  if (c.exec[0]!.startsWith("-")) return runnable(root, { ...c, shell: `entrypoint ${c.shell}`, exec: ["entrypoint", ...c.exec] });
  const program = c.exec[0]!;
  if (program === "echo") return null; // the shells' builtin, not a program: see the echo test below
  const stub = placeStub(root, program);
  if (!stub) return null;
  if (stub.name === program) return { text: c.shell, argv: c.exec, stub: stub.file };
  const lead = /^(exec[ \t]+)?/.exec(c.shell)![0];
  const rest = c.shell.slice(lead.length);
  if (!rest.startsWith(program) || (rest.length > program.length && !" \t".includes(rest[program.length]!))) return null;
  return { text: lead + stub.name + rest.slice(program.length), argv: [stub.name, ...c.exec.slice(1)], stub: stub.file };
}

/** What each run gave the stub: [stub, ...arguments], or null when no stub ran. */
type Argv = string[] | null;

/** Runs each text under dash and bash and each array through execvp, in one driver process. */
function runBothWays(root: string, items: { text: string; argv: string[] }[]): { dash: Argv; bash: Argv; exec: Argv }[] {
  const io = join(root, "io");
  items.forEach((it, i) => {
    writeFileSync(join(io, `t${i}`), it.text);
    writeFileSync(join(io, `p${i}`), it.argv[0]!);
    writeFileSync(join(io, `a${i}`), it.argv.slice(1).map((a) => `${a}\0`).join(""));
  });
  const stubs = join(root, "bin");
  const driver = [
    'io=$1; n=$2; i=0; cd "$WORK" || exit 1',
    'while [ "$i" -lt "$n" ]; do',
    '  T=$(cat "$io/t$i"; printf x); T=${T%x}; P=$(cat "$io/p$i"; printf x); P=${P%x}',
    '  /usr/bin/env -i PATH="$STUBS" HOME=/nonexistent ARGV_OUT="$io/o$i.dash" dash -c "$T" </dev/null >/dev/null 2>&1',
    '  /usr/bin/env -i PATH="$STUBS" HOME=/nonexistent ARGV_OUT="$io/o$i.bash" bash -c "$T" </dev/null >/dev/null 2>&1',
    '  /usr/bin/env -i PATH="$STUBS" HOME=/nonexistent ARGV_OUT="$io/o$i.exec" /usr/bin/xargs -0 -a "$io/a$i" "$P" </dev/null >/dev/null 2>&1',
    "  i=$((i + 1))",
    "done",
  ].join("\n");
  const dash = spawnSync("/bin/sh", ["-c", "command -v dash"], { encoding: "utf8" }).stdout.trim();
  const bash = spawnSync("/bin/sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
  const script = driver.replace(/ dash -c/g, ` ${dash} -c`).replace(/ bash -c/g, ` ${bash} -c`);
  const r = spawnSync("/bin/sh", ["-c", script, "driver", io, String(items.length)], { env: { STUBS: stubs, WORK: join(root, "work"), PATH: "/usr/bin:/bin" }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`driver failed: ${r.stderr}`);
  const read = (f: string): Argv => (existsSync(f) ? readFileSync(f, "utf8").split("\0").slice(0, -1) : null);
  return items.map((_, i) => ({ dash: read(join(io, `o${i}.dash`)), bash: read(join(io, `o${i}.bash`)), exec: read(join(io, `o${i}.exec`)) }));
}

/** Runs the conversions both ways; returns how many ran and the differences (as messages). */
function executeConversions(conversions: Conversion[]): { executed: number; skipped: number; differences: string[] } {
  const items: { text: string; argv: string[]; stub: string; c: Conversion }[] = [];
  let skipped = 0;
  const root = newRoot();
  for (const c of conversions) {
    const r = runnable(root, c);
    if (r) items.push({ ...r, c });
    else skipped++;
  }
  const differences: string[] = [];
  runBothWays(root, items).forEach((got, i) => {
    const it = items[i]!;
    const same = (a: Argv, b: Argv) => JSON.stringify(a) === JSON.stringify(b);
    if (got.exec === null || !same(got.dash, got.exec) || !same(got.bash, got.exec)) {
      differences.push(`${it.c.where}: ${JSON.stringify(it.c.shell)} -> ${JSON.stringify(it.c.exec)}: dash ${JSON.stringify(got.dash)}, bash ${JSON.stringify(got.bash)}, exec ${JSON.stringify(got.exec)}`);
    }
  });
  return { executed: items.length, skipped, differences };
}

describe.skipIf(!HAS_DASH || !HAS_BASH)("exec-form conversions run both ways: the program gets the same argv", () => {
  test("the fixtures of both rules", () => {
    const conversions: Conversion[] = [];
    for (const rule of ["cmd-exec-form", "entrypoint-exec-form"]) {
      for (const c of fixtureCases(`rules/${rule}`)) conversions.push(...appliedConversions(c.input, { select: [rule], ...c.options }, c.name));
    }
    const { executed, skipped, differences } = executeConversions(conversions);
    console.log(`exec form, fixtures: ${conversions.length} conversions, ${executed} executed under dash, bash and as the array, ${skipped} not executable here, ${differences.length} differences`);
    expect(differences).toEqual([]);
    expect(executed).toBeGreaterThan(20);
  });

  test.skipIf(!HAS_CORPUS)("every conversion the codemod makes over the corpus", () => {
    const conversions: Conversion[] = [];
    let files = 0;
    for (const f of corpusFiles()) {
      const input = readFileSync(join(CORPUS, f), "utf8");
      for (const options of [{}, { select: ["cmd-exec-form", "entrypoint-exec-form"], unsafeFixes: true }] as FixOptions[]) {
        try {
          conversions.push(...appliedConversions(input, options, f));
        } catch (e) {
          if ((e as Error).message.includes("no conversion found")) throw e;
          // files BuildKit rejects: test/cli.test.ts covers how they are reported
        }
      }
      files++;
    }
    const { executed, skipped, differences } = executeConversions(conversions);
    console.log(`exec form, corpus: ${files} files, ${conversions.length} conversions (default rules; cmd- and entrypoint-exec-form with unsafe fixes), ${executed} executed under dash, bash and as the array, ${skipped} not executable here (a program path with quotes, echo), ${differences.length} differences`);
    expect(differences).toEqual([]);
    expect(executed).toBeGreaterThan(20);
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
