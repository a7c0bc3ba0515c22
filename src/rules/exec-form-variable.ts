/**
 * exec-form-variable: a variable inside an exec-form array
 * (`CMD ["echo", "$HOME"]`): no shell runs, and BuildKit expands nothing in
 * exec-form CMD, ENTRYPOINT, RUN or HEALTHCHECK CMD, so the program receives
 * the text `$HOME`. The fix runs the same words through `/bin/sh -c` (unsafe).
 */
import { healthcheckParts, jsonArrayValue, parseCommand, parseNameVal, parseWords, type Command } from "../model/command.js";
import { goToUpper } from "../model/go.js";
import type { DockerfileModel, Instruction, Stage } from "../model/model.js";
import { agreedScan } from "../shell/literal-words.js";
import { shellLessBase } from "./cmd-exec-form.js";
import {
  Inheritance,
  applyLogicalEdits,
  argsLogicalOffset,
  logicalSpan,
  baseCandidates,
  expectedKey,
  logicalEditsToSource,
  logicalRangeCrossesDroppedLine,
  suppressedRules,
} from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "exec-form-variable";
const KEYWORDS = new Set(["CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK"]);

/** Programs that run their script argument through a shell (with `-c`): there the shell expands the text. */
const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox", "su", "runuser"]);
/** Programs whose own language gives `$` a meaning in their arguments (patterns, programs, templates): a `$` there is for them. */
const READS_DOLLAR = new Set(["awk", "gawk", "mawk", "nawk", "sed", "grep", "egrep", "fgrep", "rg", "jq", "yq", "envsubst", "powershell", "pwsh", "cmd"]);
/** Interpreters that take a program as an argument after an option (`python -c`, `node -e`, `perl -ne`, `php -r`): a `$` in it is the program's. */
const INTERPRETERS = new Set([
  "python", "python2", "python3", "node", "nodejs", "deno", "bun", "ruby", "php", "perl", "lua", "tclsh", "expect", "psql", "mysql", "sqlite3", "redis-cli",
]);
const INLINE_PROGRAM_OPTIONS = new Set(["--eval", "--command", "--execute", "--print"]);

/** A program name without a trailing version (`python3.12` as `python`). */
function withoutVersion(name: string): string {
  let end = name.length;
  while (end > 0 && ((name[end - 1]! >= "0" && name[end - 1]! <= "9") || name[end - 1] === ".")) end--;
  return name.slice(0, end);
}

/** Whether the array gives an interpreter a program text: an option with `c`, `e` or `r` in it (`-c`, `-e`, `-ne`, `-r`) or a long one that takes a program. */
function runsInlineProgram(words: readonly string[]): boolean {
  for (let k = 0; k < words.length; k++) {
    if (!INTERPRETERS.has(withoutVersion(programName(words[k]!)))) continue;
    for (const w of words.slice(k + 1)) {
      if (INLINE_PROGRAM_OPTIONS.has(w.split("=", 1)[0]!)) return true;
      if (w.startsWith("-") && !w.startsWith("--") && [..."cer"].some((c) => w.includes(c))) return true;
    }
  }
  return false;
}

/** Variables every container has in its environment (Docker sets them). */
const RUNTIME_VARIABLES = new Set(["HOME", "PATH", "HOSTNAME"]);

/** A variable reference in an exec-form word: `$NAME` or `${...}`, where it is, and its name. */
interface Reference {
  start: number;
  end: number;
  name: string;
  braced: boolean;
}

const isNameStart = (c: string | undefined) => c !== undefined && ((c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || c === "_");
const isNameChar = (c: string | undefined) => isNameStart(c) || (c !== undefined && c >= "0" && c <= "9");
const isUpperStart = (c: string | undefined) => c !== undefined && ((c >= "A" && c <= "Z") || c === "_");

/**
 * The variable references a word holds, as a shell would have expanded
 * them: `${...}` (any name), and `$NAME`. `$$`, a `$` after a backslash, a
 * `$` before anything but a name or `{` (`x$`, `$1`, `$@`, `$(`) are not
 * counted; and `unclear` says the word has such a `$`.
 */
function references(word: string): { refs: Reference[]; unclear: boolean } {
  const refs: Reference[] = [];
  let unclear = false;
  for (let i = 0; i < word.length; i++) {
    if (word[i] !== "$") continue;
    if (word[i - 1] === "\\") {
      unclear = true;
      continue;
    }
    const next = word[i + 1];
    if (next === "{") {
      let j = i + 2;
      while (isNameChar(word[j])) j++;
      const close = word.indexOf("}", j);
      if (j === i + 2 || close === -1) {
        unclear = true;
        continue;
      }
      refs.push({ start: i, end: close + 1, name: word.slice(i + 2, j), braced: true });
      i = close;
    } else if (isNameStart(next)) {
      let j = i + 1;
      while (isNameChar(word[j])) j++;
      refs.push({ start: i, end: j, name: word.slice(i + 1, j), braced: false });
      i = j - 1;
    } else {
      if (next === "$") i++;
      unclear = true;
    }
  }
  return { refs, unclear };
}

/** A program's name without its directory and `.exe`, lower case. */
function programName(word: string): string {
  const base = word.slice(word.lastIndexOf("/") + 1).toLowerCase();
  return base.endsWith(".exe") ? base.slice(0, -4) : base;
}

/** Whether the array runs a shell on a script (`sh -c`, `bash -lc`, `su user -c`), anywhere in it (after `tini --`, `gosu user`, ...). */
function runsShellScript(words: readonly string[]): boolean {
  for (let k = 0; k < words.length; k++) {
    if (!SHELLS.has(programName(words[k]!))) continue;
    for (const w of words.slice(k + 1)) if (w.startsWith("-") && !w.startsWith("--") && w.includes("c")) return true;
  }
  return false;
}

/** The variables the stage (and the stages it is built on in this file) sets with ENV, and those it declares with ARG. */
function declaredVariables(model: DockerfileModel, stage: Stage): { env: Set<string>; arg: Set<string> } {
  const env = new Set<string>();
  const arg = new Set<string>();
  const seen = new Set<number>();
  const visit = (s: Stage) => {
    if (seen.has(s.index)) return;
    seen.add(s.index);
    for (const i of s.instructions) {
      try {
        if (i.command.keyword === "ENV") for (const p of parseNameVal(i.command.args, "ENV", model.escape)) env.add(p.name);
        if (i.command.keyword === "ARG") for (const w of parseWords(i.command.args, model.escape)) arg.add(w.split("=", 1)[0]!);
      } catch {
        // an instruction BuildKit rejects declares nothing here
      }
    }
    for (const k of baseCandidates(model, s).stages) visit(model.stages[k]!);
  };
  visit(stage);
  // the global ARGs, before the first FROM, are declared for FROM lines only, unless a stage declares them again
  return { env, arg };
}

/** The array in the instruction's arguments (offset into `args`), and its words; null when there is none. */
function arrayOf(command: Command): { at: number; text: string; words: string[] } | null {
  if (command.keyword !== "HEALTHCHECK") return command.json ? { at: 0, text: command.args, words: command.json } : null;
  const parts = healthcheckParts(command.args);
  if (!parts || goToUpper(parts.type) !== "CMD") return null;
  const value = jsonArrayValue(parts.rest);
  const json = value !== null && value.every((v) => typeof v === "string") ? (value as string[]) : null;
  return json ? { at: command.args.length - parts.rest.length, text: parts.rest, words: json } : null;
}

const jsonArray = (words: readonly string[]) => `[${words.map((w) => JSON.stringify(w)).join(", ")}]`;

/** Characters a word may hold unquoted in sh without any meaning to the shell. */
const isPlainChar = (c: string) => (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || "_@%+=:,./-".includes(c);

/**
 * The word as sh text that gives the same word, its references expanded:
 * unquoted when plain, in double quotes when it holds a reference (so the
 * value stays one word) or a blank; null when it holds anything double
 * quotes do not keep as written (`"`, `\`, a backquote, another `$`, a control character).
 */
function shWord(word: string, refs: readonly Reference[]): string | null {
  if (word !== "" && refs.length === 0 && [...word].every(isPlainChar)) return word;
  let outside = "";
  let pos = 0;
  for (const r of refs) {
    outside += word.slice(pos, r.start);
    pos = r.end;
  }
  outside += word.slice(pos);
  for (const c of outside) if (c === '"' || c === "\\" || c === "`" || c === "$" || c < " " || c === "\x7f") return null;
  return `"${word}"`;
}

export const execFormVariable: RegisteredRule = {
  id: ID,
  summary: "Report a variable inside an exec-form array (`CMD [\"echo\", \"$HOME\"]`): no shell runs, so the program receives the text `$HOME`",
  safety: "unsafe",
  buildkit: [],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports an exec-form CMD, ENTRYPOINT, RUN or HEALTHCHECK CMD with a word that holds `${...}` or `$NAME` (NAME starting with a capital letter or `_`, or a variable the file sets with ENV or declares with ARG), and, with --unsafe-fixes, runs the same words through the shell: `[\"/bin/sh\", \"-c\", \"exec ...\"]`. On by default. Not reported: an array that runs a shell script (`sh -c`, `bash -lc`, `su -c`, anywhere in it, as after `tini --`), whose shell expands the text; an array with a program whose own language reads `$` in its arguments (sed, awk, grep, jq, envsubst, PowerShell, ...), or that gives an interpreter a program text (`python -c`, `node -e`, `perl -ne`, `php -r`, `psql -c`, ...); a `$` that is no variable (`$` alone or at the end, `$$`, `\\$`, `$1`, `$@`); a lower-case `$name` the file does not declare.",
    why:
      "Exec form runs the program directly, with no shell, and BuildKit expands no variables in exec-form CMD, ENTRYPOINT or RUN (only instructions such as ENV, ARG, COPY, WORKDIR are expanded by the builder): `CMD [\"echo\", \"$HOME\"]` prints `$HOME`, and `ENTRYPOINT [\"java\", \"-Xmx${HEAP}\"]` hands java the option `-Xmx${HEAP}`, which it rejects.",
    example: 'FROM eclipse-temurin:21\nENV HEAP=512m\nENTRYPOINT ["java", "-Xmx${HEAP}", "-jar", "app.jar"]',
    useInstead: 'FROM eclipse-temurin:21\nENV HEAP=512m\nENTRYPOINT ["/bin/sh", "-c", "exec java \\"-Xmx${HEAP}\\" -jar app.jar \\"$@\\"", "sh"]',
    fixSafety:
      "Unsafe: the program then receives the variable's value, not its name (the change meant). The rewrite is `[\"/bin/sh\", \"-c\", \"exec WORDS\"]` rather than shell form: `exec` keeps the program PID 1, so it still receives `docker stop`'s SIGTERM, as the exec form did. For an ENTRYPOINT it is `[\"/bin/sh\", \"-c\", \"exec WORDS \\\"$@\\\"\", \"sh\"]`, so CMD and `docker run` arguments still reach the program; a RUN and a HEALTHCHECK CMD get `exec` too, so the program is looked up on PATH as exec form looks it up, never a shell builtin of the same name (`printf`, `test`, `echo`). Each word is written bare when it is plain, in double quotes when it holds a variable or a blank, so it stays one word; a word with anything else (quotes, backslashes, backquotes, another `$`) means no fix, and the quote scan of src/shell/literal-words.ts must read the text back as those words (test/exec-form-variable-behaviour.test.ts runs every rewrite of the fixtures under dash and bash with stub programs: the program receives the array's words, each variable replaced by its value, and an ENTRYPOINT's CMD words after them). No fix: a CMD with an ENTRYPOINT in effect or possible (its words are the ENTRYPOINT's arguments), a variable in a CMD, ENTRYPOINT or HEALTHCHECK that only ARG declares (a build argument is not in the container's environment: use ENV), a stage without /bin/sh (`scratch`, distroless) or on Windows. A base image's own ENTRYPOINT cannot be seen: a CMD under one would become arguments `/bin/sh`, `-c`, ... to it.",
    facts: [
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; then no shell runs: the words are the program and its arguments.",
      "BuildKit expands no variables in CMD or ENTRYPOINT: the shell does; nor in an exec-form RUN (dispatchRun keeps the array as it is).",
      "ENV variables are in the container's environment; ARG values are in a RUN's environment only, not the container's.",
      "`sh -c 'text' a b` gives a and b to the script as $0 and $1; `\"$@\"` is $1 onwards, so the array's last word `sh` becomes $0 and CMD's words are `\"$@\"`.",
      "An ENTRYPOINT clears an inherited CMD unless a CMD was set earlier in the same stage; a CMD with an exec-form ENTRYPOINT in effect is the ENTRYPOINT's arguments.",
      "Without /bin/sh in the image (`FROM scratch`, distroless) a `/bin/sh -c` array fails to start.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    const inheritance = new Inheritance(ctx);
    const declared = new Map<number, { env: Set<string>; arg: Set<string> }>();
    for (const instr of model.instructions) {
      const cmd = instr.command;
      if (!KEYWORDS.has(cmd.keyword) || instr.heredocs.length > 0) continue;
      const array = arrayOf(cmd);
      if (!array || array.words.length === 0) continue;
      if (runsShellScript(array.words) || runsInlineProgram(array.words) || array.words.some((w) => READS_DOLLAR.has(programName(w)))) continue;
      const stage = model.stages[instr.stage]!;
      if (!declared.has(stage.index)) declared.set(stage.index, declaredVariables(model, stage));
      const vars = declared.get(stage.index)!;
      const perWord = array.words.map(references);
      const counted = perWord.map((p) => p.refs.filter((r) => r.braced || isUpperStart(r.name[0]) || vars.env.has(r.name) || vars.arg.has(r.name)));
      const all = counted.flat();
      if (all.length === 0 || suppressedRules(model, instr).has(ID)) continue;
      findings.push(finding(ctx, inheritance, instr, array, perWord, all, vars));
    }
    return findings;
  },
};

function finding(
  ctx: RuleContext,
  inheritance: Inheritance,
  instr: Instruction,
  array: { at: number; text: string; words: string[] },
  perWord: { refs: Reference[]; unclear: boolean }[],
  refs: Reference[],
  vars: { env: Set<string>; arg: Set<string> },
): Finding {
  const { model } = ctx;
  const kw = instr.command.keyword === "HEALTHCHECK" ? "HEALTHCHECK CMD" : instr.command.keyword;
  const texts = [...new Set(refs.map((r) => (r.braced ? `\${${r.name}...}` : `$${r.name}`)))];
  const shown = texts.map((t) => `\`${t.replace("...}", "}")}\``).join(", ");
  const head = `exec-form ${kw}: no shell runs, so ${shown} ${texts.length > 1 ? "reach" : "reaches"} the program as written, not expanded`;
  // the array as written
  const arrayAt = argsLogicalOffset(instr) + array.at;
  const where = { rule: ID, line: instr.startLine + 1, column: 1, span: logicalSpan(model, instr, arrayAt, arrayAt + array.text.length), instruction: instr.index };
  const noFix = (why: string): Finding => ({ ...where, message: `${head} (no fix: ${why})`, fix: null });

  const kind = instr.command.keyword;
  const stage = model.stages[instr.stage]!;
  const argOnly = refs.find((r) => kind !== "RUN" && vars.arg.has(r.name) && !vars.env.has(r.name) && !RUNTIME_VARIABLES.has(r.name));
  if (argOnly) return noFix(`${argOnly.name} is declared by ARG only, and a build argument is not in the container's environment: set it with ENV`);
  if (stage.windows !== false) return noFix("the stage may be a Windows one, where /bin/sh is not");
  const shellLess = shellLessBase(ctx, stage);
  if (shellLess) return noFix(shellLess);
  if (kind === "CMD") {
    // the stage's own last ENTRYPOINT, else those it inherits (Inheritance.finalEntrypoints)
    const entrypoints = inheritance.finalEntrypoints(stage);
    if (entrypoints.some((e) => e.kind !== "none")) return noFix("an ENTRYPOINT is or may be in effect, and the CMD's words are its arguments");
  }
  const words: string[] = [];
  for (let k = 0; k < array.words.length; k++) {
    const p = perWord[k]!;
    const w = p.unclear ? null : shWord(array.words[k]!, p.refs);
    if (w === null) return noFix(`the word ${JSON.stringify(array.words[k])} cannot be written for the shell without changing it`);
    words.push(w);
  }
  // `exec`: the program is looked up on PATH as exec form looks it up (never a shell builtin: `printf`, `test`), and stays PID 1
  const body = `exec ${words.join(" ")}`;
  const script = kind === "ENTRYPOINT" ? `${body} "$@"` : body;
  // the second reading: the quote scan must read the script as these words (expanded ones as expansions)
  const scan = agreedScan(script, ["posix", "bash"]);
  const scanned = scan?.words.slice(1, kind === "ENTRYPOINT" ? -1 : undefined) ?? null;
  if (
    scan === null ||
    scan.comment !== null ||
    scanned === null ||
    scanned.length !== array.words.length ||
    scanned.some((s, k) => s.value !== (perWord[k]!.refs.length > 0 ? null : array.words[k]))
  ) {
    return noFix("the shell would not read the words back as they are");
  }
  const replacement = kind === "ENTRYPOINT" ? ["/bin/sh", "-c", script, "sh"] : ["/bin/sh", "-c", script];
  const json = jsonArray(replacement);
  const start = argsLogicalOffset(instr) + array.at;
  const end = start + array.text.length;
  if (logicalRangeCrossesDroppedLine(instr, start, end)) return noFix("the array spans a comment line");
  const edit = { start, end, text: json };
  const newCommand = parseCommand(applyLogicalEdits(instr.logical, 0, [edit]), model.escape);
  return {
    ...where,
    message: `${head}; ${json} expands ${refs.length > 1 ? "them" : "it"}, but that is an unsafe fix: the program receives the value instead of the name`,
    fix: {
      safety: "unsafe",
      description: `rewrite as ${json}`,
      edits: logicalEditsToSource(model, instr, [edit]),
      declares: { removed: [], replaced: new Map([[instr.index, expectedKey(model, newCommand, ctx.shells[instr.index] ?? null, instr.startLine)]]) },
    },
  };
}
