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

/** The rules whose fixes write an exec-form array in place of shell text (app-run-at-build-time: a RUN as a CMD). */
const EXEC_FORM_RULES = ["cmd-exec-form", "entrypoint-exec-form", "app-run-at-build-time"];

/** Every shell-form CMD or ENTRYPOINT (or RUN) a fix of the run replaced by exec form, read from the applied fixes. */
function appliedConversions(input: string, options: FixOptions, where: string): Conversion[] {
  const result = fixSync(input, options);
  const before = buildModel(input);
  const out: Conversion[] = [];
  for (const f of result.fixes) {
    if (!EXEC_FORM_RULES.includes(f.rule)) continue;
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
function runBothWays(root: string, items: { text: string; argv: string[] }[], execArrays: boolean): { dash: Argv; bash: Argv; exec: Argv }[] {
  const io = join(root, "io");
  // the texts and programs come as the driver's arguments, the arrays' arguments in files (xargs -0 reads them)
  items.forEach((it, i) => writeFileSync(join(io, `a${i}`), it.argv.slice(1).map((a) => `${a}\0`).join("")));
  const dash = spawnSync("/bin/sh", ["-c", "command -v dash"], { encoding: "utf8" }).stdout.trim();
  const bash = spawnSync("/bin/sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
  const driver = [
    'io=$1; shift; i=0; cd "$WORK" || exit 1; PATH=$STUBS; export PATH',
    'while [ "$#" -gt 0 ]; do',
    `  ARGV_OUT="$io/o$i.dash" ${dash} -c "$1" </dev/null >/dev/null 2>&1`,
    `  ARGV_OUT="$io/o$i.bash" ${bash} -c "$1" </dev/null >/dev/null 2>&1`,
    execArrays ? '  ARGV_OUT="$io/o$i.exec" /usr/bin/xargs -0 -a "$io/a$i" "$2" </dev/null >/dev/null 2>&1' : "",
    "  i=$((i + 1)); shift 2",
    "done",
  ].join("\n");
  const env = { STUBS: join(root, "bin"), WORK: join(root, "work"), PATH: "/usr/bin:/bin", HOME: "/nonexistent" };
  const r = spawnSync("/bin/sh", ["-c", driver, "driver", io, ...items.flatMap((it) => [it.text, it.argv[0]!])], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`driver failed: ${r.stderr}`);
  const read = (f: string): Argv => (existsSync(f) ? readFileSync(f, "utf8").split("\0").slice(0, -1) : null);
  return items.map((_, i) => ({ dash: read(join(io, `o${i}.dash`)), bash: read(join(io, `o${i}.bash`)), exec: read(join(io, `o${i}.exec`)) }));
}

/**
 * Runs the conversions both ways; returns how many ran and the differences
 * (as messages). With `execArrays` false the arrays are not run (the kernel
 * passes an array as it is): the stub's argv must equal the array, the
 * program resolved to its stub.
 */
function executeConversions(conversions: Conversion[], execArrays = true): { executed: number; skipped: number; differences: string[] } {
  const items: { text: string; argv: string[]; stub: string; c: Conversion }[] = [];
  let skipped = 0;
  const root = newRoot();
  for (const c of conversions) {
    const r = runnable(root, c);
    if (r) items.push({ ...r, c });
    else skipped++;
  }
  const differences: string[] = [];
  runBothWays(root, items, execArrays).forEach((got, i) => {
    const it = items[i]!;
    if (!execArrays) got.exec = [it.stub, ...it.argv.slice(1)];
    const same = (a: Argv, b: Argv) => JSON.stringify(a) === JSON.stringify(b);
    if (got.exec === null || !same(got.dash, got.exec) || !same(got.bash, got.exec)) {
      differences.push(`${it.c.where}: ${JSON.stringify(it.c.shell)} -> ${JSON.stringify(it.c.exec)}: dash ${JSON.stringify(got.dash)}, bash ${JSON.stringify(got.bash)}, exec ${JSON.stringify(got.exec)}`);
    }
  });
  return { executed: items.length, skipped, differences };
}

describe.skipIf(!HAS_DASH || !HAS_BASH)("exec-form conversions run both ways: the program gets the same argv", () => {
  test("the fixtures of the three rules", () => {
    const conversions: Conversion[] = [];
    for (const rule of EXEC_FORM_RULES) {
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

/** Pieces of CMD words aimed at quoting: what tree-sitter-bash, the quote scan and the shells might read differently. */
const quotingPiece = fc.oneof(
  plain,
  fc.constantFrom('"   "', '" "', '"\t"', '"\\t"', "'\\t'", "'  '", '""', "''"), // blanks-only strings, backslash-t, empty
  fc.constantFrom('"a$"', '"$"', "a$", "$", '"$ x"', '"a\\$"', "\\$", "'$'", '"5$"'), // a `$` that expands nothing
  fc.constantFrom('--sep=" "', "--sep=' '", '--sep="\t"', '--sep=\\ ', "--sep=", '"--sep= "'),
  fc.constantFrom("\\ ", "\\\t", "\\ #a", "\\#a", "a#b", '"#"', "'#x'", "#x", "\\\\", '\\"', "\\'", "'\\''", '"\\\\"', '"a\\b"'),
  fc.constantFrom('"abc', "'abc", 'a"b', "a'b", '"a\\"'), // unterminated quotes
  fc.constantFrom("$'a\\tb'", "$'x'", '$"a b"', "$'", '$"'), // bash's quotes, dash's `$` and a string
  fc.constantFrom("*", "?", "[a]", "a*", "~", "~/x", "{a,b}", "a{b}", "!", "a=b", "a]b"), // globs, tilde, braces
  fc.constantFrom("$X", '"$X"', "${X}", "${X:-d}", "$1", "$@", '"$@"', "$$"), // expansions
  fc.constantFrom("\v", "\f", "\r", "a\vb", "é", "☃"),
  fc.constantFrom(";", "|", "&", ">x", "(a)", "&&", "`x`", "$(x)"), // operators, substitutions
);
const quotingWord = fc.array(quotingPiece, { minLength: 1, maxLength: 3 }).map((p) => p.join(""));
const quotingText = fc
  .tuple(fc.constantFrom("", "exec "), fc.constantFrom("serve", "./serve", "app"), fc.array(quotingWord, { maxLength: 4 }), fc.constantFrom("", " # note", " #", "\t# x"))
  .map(([exec, program, args, comment]) => `${exec}${[program, ...args].join(" ")}${comment}`);

const GENERATED = Number(process.env.EXEC_FORM_CASES ?? 500);

describe.skipIf(!HAS_DASH || !HAS_BASH)("generated CMD texts aimed at quoting", () => {
  const texts = fc.sample(quotingText, { numRuns: GENERATED, seed: 1717 });

  test("every text the rule converts, and every text the quote scan reads as literal words, gives the stub the same argv under dash, bash and as the array", () => {
    const conversions: Conversion[] = [];
    const scanned: Conversion[] = [];
    for (const text of texts) {
      const input = `FROM alpine\nCMD ${text}\n`;
      conversions.push(...appliedConversions(input, {}, JSON.stringify(text)));
      const words = agreedLiteralWords(text, ["posix", "bash"]);
      if (words !== null) scanned.push({ shell: text, exec: words[0] === "exec" && words.length > 1 ? words.slice(1) : words, where: `scan ${JSON.stringify(text)}` });
    }
    const rule = executeConversions(conversions, false);
    // the scan's readings the rule's conversions did not already run
    const ran = new Set(conversions.map((c) => JSON.stringify([c.shell, c.exec])));
    const scan = executeConversions(scanned.filter((c) => !c.exec[0]!.startsWith("-") && !SHELL_BUILTINS.has(c.exec[0]!) && !ran.has(JSON.stringify([c.shell, c.exec]))), false);
    console.log(
      `exec form, ${texts.length} generated texts: ${conversions.length} converted by the rule, ${rule.executed} executed (${rule.differences.length} differences); ` +
        `${scanned.length} read as literal words by the quote scan, ${scan.executed} more executed (${scan.differences.length} differences)`,
    );
    expect(rule.differences).toEqual([]);
    expect(scan.differences).toEqual([]);
    expect(rule.executed).toBeGreaterThan(GENERATED / 10);
    expect(scanned.length).toBeGreaterThan(GENERATED / 10);
  });

  test("the quote scan's shape agrees with mvdan/sh's parser (sh-syntax), POSIX and bash dialects", async () => {
    let judged = 0;
    const differences: string[] = [];
    for (const [dialect, variant] of [
      ["posix", LangVariant.LangPOSIX],
      ["bash", LangVariant.LangBash],
    ] as [ShellDialect, LangVariant][]) {
      // every text the scan reads as one simple command: mvdan/sh must read one plain statement ending where the last word ends, the comment where the scan has it
      // mvdan/sh drops a `\r` at a word's end (its CRLF handling) where dash and bash keep it in the word (run above): those texts are judged by execution only
      const accepted = texts.flatMap((text) => {
        if (text.includes("\r")) return [];
        const scan = scanSimpleCommand(text, dialect);
        return scan ? [{ text, scan }] : [];
      });
      const verdicts = await parseEach(accepted.map((a) => a.text), variant);
      accepted.forEach(({ text, scan }, k) => {
        judged++;
        const last = scan.words[scan.words.length - 1]!;
        const bytes = (n: number) => Buffer.byteLength(text.slice(0, n));
        const expected = { end: bytes(last.end), comment: scan.comment === null ? null : bytes(scan.comment) };
        const v = verdicts[k]!;
        if (v === "error" || v === "other" || v.end !== expected.end || v.comment !== expected.comment) {
          differences.push(`${dialect}: ${JSON.stringify(text)}: scan ${JSON.stringify(expected)}, sh-syntax ${JSON.stringify(v)}`);
        }
      });
    }
    // what sh rejects, the scan rejects too (each parsed alone: a parse error ends a batch)
    const rejected = ['serve "abc', "serve 'abc", 'serve a"b', "serve a'b", 'serve "a\\"', "serve $'", "serve (a", "serve |"];
    for (const text of rejected) {
      await expect(shParse(text, { variant: LangVariant.LangPOSIX }), text).rejects.toThrow();
      expect(scanSimpleCommand(text, "posix"), text).toBeNull();
      expect(scanSimpleCommand(text, "bash"), text).toBeNull();
    }
    console.log(`quote scan vs mvdan/sh: ${judged} readings as one simple command judged (${texts.length} texts, ${texts.filter((t) => t.includes("\r")).length} with a \\r left to execution; 2 dialects), ${differences.length} differences; ${rejected.length} texts sh rejects, rejected by both`);
    expect(differences).toEqual([]);
    expect(judged).toBeGreaterThan(GENERATED / 2);
  });
});

/**
 * What mvdan/sh makes of each text alone: a parse error, one plain
 * statement (where its command ends and its comment starts, in bytes), or
 * anything else. The texts are parsed together, one a line (a parse
 * starts a WebAssembly instance: tens of milliseconds), and a batch that
 * fails is split until the failing text is alone.
 */
type Verdict = "error" | "other" | { end: number; comment: number | null };
async function parseEach(texts: string[], variant: LangVariant): Promise<Verdict[]> {
  const out: Verdict[] = new Array(texts.length);
  const solve = async (from: number, to: number): Promise<void> => {
    const batch = texts.slice(from, to);
    // a text with a newline, or one that a backslash would join to the next line, is parsed alone
    const joined = batch.join("\n\n");
    let file: Awaited<ReturnType<typeof shParse>>;
    try {
      file = await shParse(joined, { variant, keepComments: true });
    } catch {
      if (to - from === 1) {
        out[from] = "error";
        return;
      }
      const mid = (from + to) >> 1;
      await solve(from, mid);
      await solve(mid, to);
      return;
    }
    const starts: number[] = [];
    let offset = 0;
    for (const t of batch) {
      starts.push(offset);
      offset += Buffer.byteLength(t) + 2;
    }
    const owner = (byte: number) => {
      let k = starts.length - 1;
      while (k > 0 && starts[k]! > byte) k--;
      return k;
    };
    const stmts: (typeof file.Stmts)[] = batch.map(() => []);
    for (const st of file.Stmts) stmts[owner(st.Pos.Offset)]!.push(st);
    const spans = batch.map((t, k) => ({ start: starts[k]!, end: starts[k]! + Buffer.byteLength(t) }));
    for (let k = 0; k < batch.length; k++) {
      const own = stmts[k]!;
      const st = own[0];
      // a statement reaching past its line (a continuation, a heredoc) makes the batch unreliable: parse alone
      if (own.some((x) => x.End.Offset > spans[k]!.end) && to - from > 1) {
        const mid = (from + to) >> 1;
        await solve(from, mid);
        await solve(mid, to);
        return;
      }
      if (own.length !== 1 || !st || st.Negated || st.Background || st.Coprocess || st.Redirs.length > 0 || !st.Cmd) out[from + k] = "other";
      else {
        const comments = st.Comments.filter((c) => c.Pos.Offset >= spans[k]!.start && c.Pos.Offset <= spans[k]!.end);
        out[from + k] = { end: st.Cmd.End.Offset - spans[k]!.start, comment: comments.length > 0 ? comments[0]!.Pos.Offset - spans[k]!.start : null };
      }
    }
  };
  for (let i = 0; i < texts.length; i += 500) await solve(i, Math.min(texts.length, i + 500));
  return out;
}

describe("the engine confirms exec-form conversions by the quote scan", () => {
  test("an array that is not the words dash and bash give the program is refused, whatever the rule said", () => {
    const input = buildModel('FROM alpine\nCMD exec ./serve "  " a$ # note\n');
    const declares = { removed: [], replaced: new Map([[1, "declared"]]) };
    const verdict = (cmd: string) => execFormsConfirmed(input, buildModel(`FROM alpine\n${cmd}\n`), declares);
    expect(verdict('CMD ["./serve", "  ", "a$"]')).toBe(true);
    expect(verdict('CMD ["/bin/sh", "-c", "exec ./serve \\"  \\" a$"]')).toBe(true);
    expect(verdict('CMD ["./serve", "", "a$"]')).toBe(false); // the blanks-only string
    expect(verdict('CMD ["./serve", "  ", "a"]')).toBe(false); // the trailing $
    expect(verdict('CMD ["exec", "./serve", "  ", "a$"]')).toBe(false);
    expect(verdict('CMD ["/bin/bash", "-c", "exec ./serve \\"  \\" a$"]')).toBe(false); // not the stage's shell
    // text the scan does not read as one simple command: no exec form is confirmed
    const unterminated = buildModel('FROM alpine\nCMD ./serve "abc\n');
    expect(execFormsConfirmed(unterminated, buildModel('FROM alpine\nCMD ["./serve", "abc"]\n'), declares)).toBe(false);
    const escaped = buildModel("FROM alpine\nCMD ./serve \\ #a\n");
    expect(execFormsConfirmed(escaped, buildModel('FROM alpine\nCMD ["./serve"]\n'), declares)).toBe(false);
    expect(execFormsConfirmed(escaped, buildModel('FROM alpine\nCMD ["./serve", " #a"]\n'), declares)).toBe(true);
    // a RUN made a CMD (app-run-at-build-time): the same reading; flags (`--mount`) are words the array would drop
    const run = (text: string, cmd: string) => execFormsConfirmed(buildModel(`FROM alpine\n${text}\n`), buildModel(`FROM alpine\n${cmd}\n`), declares);
    expect(run('RUN python "main file.py"', 'CMD ["python", "main file.py"]')).toBe(true);
    expect(run('RUN python "main file.py"', 'CMD ["python", "main", "file.py"]')).toBe(false);
    expect(run("RUN --mount=type=cache,target=/c python main.py", 'CMD ["python", "main.py"]')).toBe(false);
  });

  test("literal-words: the dialects agree or there is no reading", () => {
    expect(agreedLiteralWords("serve a+=b", ["posix", "bash"])).toEqual(["serve", "a+=b"]);
    expect(agreedLiteralWords("a+=b serve", ["posix"])).toEqual(["a+=b", "serve"]); // dash: a command named a+=b
    expect(agreedLiteralWords("a+=b serve", ["posix", "bash"])).toBeNull(); // bash: an assignment
    expect(agreedLiteralWords("time serve", ["posix"])).toEqual(["time", "serve"]);
    expect(agreedLiteralWords("time serve", ["posix", "bash"])).toBeNull(); // bash's reserved word
  });
});

describe("the command line gives cmd-exec-form the Dockerfile's directory as the build context", () => {
  test("a script without #! that the stage copies stays in shell form; with #! it is converted; from stdin the context is not at hand", async () => {
    const { main } = await import("../src/cli/main.js");
    const dir = mkdtempSync(join(tmpdir(), "exec-form-context-"));
    try {
      const dockerfile = "FROM alpine\nCOPY start.sh /usr/local/bin/start\nCMD start --port 80\n";
      writeFileSync(join(dir, "Dockerfile"), dockerfile);
      writeFileSync(join(dir, "start.sh"), 'echo started "$@"\n');
      const io = (stdin = "") => {
        const out: string[] = [];
        return { out, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), readStdin: async () => new TextEncoder().encode(stdin), cwd: dir, stderrIsTTY: false, env: { NO_COLOR: "1" } } };
      };
      const first = io();
      await main(["--write", "Dockerfile"], first.io);
      expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe(dockerfile);
      expect(first.out.join("")).toContain("is a script without `#!` (start.sh in the build context)");
      writeFileSync(join(dir, "start.sh"), '#!/bin/sh\necho started "$@"\n');
      await main(["--write", "Dockerfile"], io().io);
      expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe('FROM alpine\nCOPY start.sh /usr/local/bin/start\nCMD ["start", "--port", "80"]\n');
      const stdin = io(dockerfile);
      await main(["--stdin-filepath", "Dockerfile"], stdin.io);
      expect(stdin.out.join("")).toContain(dockerfile);
      expect(stdin.out.join("")).toContain("the build context is not at hand");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
