import { commandHead } from "../model/command.js";
import type { Instruction } from "../model/model.js";
import { trimCommentLine } from "../model/scan.js";
import { topLevelStatements, walk, type ShellNode } from "../shell/tree.js";
import {
  Inheritance,
  buildkitAccepts,
  expectedKey,
  indentOf,
  inputLine,
  isPlainPosixShell,
  lineEndWithEol,
  lineStart,
  shTree,
  suppressedRules,
  type EntrypointState,
} from "./helpers.js";
import type { Finding, FixSafety, Rule, RuleContext } from "./types.js";

const ID = "cmd-exec-form";

/**
 * Names that /bin/sh or bash run as a builtin or a reserved word: POSIX's
 * special built-ins (XCU 2.14) and intrinsic utilities (XCU 1.7), the
 * builtins of dash(1) ("Builtins") and bash(1) ("SHELL BUILTIN COMMANDS",
 * `enable -a`), and bash's reserved words (`compgen -k`). In exec form no
 * shell runs, so the name is looked up as a program: most have none (`cd`,
 * `export`, `read`, `type`, `command`, ...), and those that have one behave
 * differently from the builtin: dash's `printf` has no `%q`, coreutils'
 * `[ --version` and `true --version` print a version, `test -v` exists in
 * bash only, `pwd` prints the logical directory where `/bin/pwd` prints the
 * physical one, `kill -l` lists signals in three formats.
 * test/exec-form-behaviour.test.ts runs every name both ways in dash and
 * bash. `echo` is judged by its arguments (see planExecForm).
 */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  // POSIX special built-ins
  ".", ":", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift", "times", "trap", "unset",
  // POSIX intrinsic utilities
  "alias", "bg", "cd", "command", "fc", "fg", "getopts", "hash", "jobs", "kill", "read", "type", "ulimit", "umask", "unalias", "wait",
  // regular utilities both shells build in, and dash's own
  "[", "test", "printf", "pwd", "true", "false", "local", "chdir",
  // bash's other builtins
  "bind", "builtin", "caller", "compgen", "complete", "compopt", "declare", "dirs", "disown", "enable", "help", "history", "let",
  "logout", "mapfile", "popd", "pushd", "readarray", "shopt", "source", "suspend", "typeset",
  // bash's reserved words
  "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in", "function", "time",
  "{", "}", "!", "[[", "]]", "coproc",
]);

/** Node types that make the text more than one simple command of literal words. */
const NOT_SIMPLE = new Set([
  "list", "pipeline", "redirected_statement", "subshell", "compound_statement", "if_statement", "for_statement",
  "c_style_for_statement", "while_statement", "case_statement", "function_definition", "negated_command",
  "test_command", "declaration_command", "unset_command", "variable_assignment", "variable_assignments",
  "heredoc_redirect", "herestring_redirect", "file_redirect", "comment", "ERROR",
]);

/** BuildKit's default SHELL on Linux. */
const DEFAULT_SHELL: readonly string[] = ["/bin/sh", "-c"];

export interface ExecFormPlan {
  args: string[];
  /** Why the conversion is unsafe, if it is. */
  unsafeReason: string | null;
  /** A shell comment after the command (`CMD echo hi # note`): it cannot follow a JSON array, so it moves above. */
  comment: string | null;
}

export const cmdExecForm: Rule = {
  id: ID,
  summary: "Write a shell-form CMD as a JSON exec-form array, so the program runs as PID 1 and receives signals",
  safety: "safe",
  buildkit: ["JSONArgsRecommended"],
  hadolint: ["DL3025"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Rewrites `CMD program arg ...` as `CMD [\"program\", \"arg\", ...]` when the shell text is one simple command of literal words. Reports a shell-form CMD after an exec-form ENTRYPOINT (the entrypoint receives `/bin/sh -c \"...\"`, almost always a mistake), with the exec-form CMD as an unsafe fix. With --unsafe-fixes it also converts a CMD after an ENTRYPOINT, and simple commands that need the shell (variables) as [\"/bin/sh\", \"-c\", \"exec ...\"]. A shell-form ENTRYPOINT is entrypoint-exec-form's.",
    why:
      "Shell form runs `/bin/sh -c \"...\"`: the shell is PID 1, so `docker stop` sends SIGTERM to the shell, which does not pass it on, and the container is killed after the timeout. Exec form runs the program itself as PID 1 (hadolint DL3025, BuildKit's JSONArgsRecommended). After an exec-form ENTRYPOINT, a shell-form CMD hands the entrypoint `/bin/sh`, `-c` and the text as its arguments.",
    example: "FROM node:22\nCMD node server.js --port 8080",
    useInstead: 'FROM node:22\nCMD ["node", "server.js", "--port", "8080"]',
    fixSafety:
      "Safe when no ENTRYPOINT is known in the stage: the same program runs with the same arguments, now as PID 1 (that is the point). Unsafe when an ENTRYPOINT is or may be in effect (it receives the words instead of `/bin/sh -c \"...\"`, usually the fix wanted but a change): one in the stage, one inherited from the stage it is built on, or one of a stage that a FROM depending on a build argument may name. Unsafe for the `[\"/bin/sh\", \"-c\", \"exec ...\"]` form. A base image may carry an ENTRYPOINT this file cannot see: a CMD that is really arguments to such an entrypoint changes from `/bin/sh -c \"...\"` to plain words. A shell comment after the command, and comment lines inside the instruction, move to their own lines above it.",
    facts: [
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; anything after the closing ] (a `# comment` included) makes it shell form again, so the whole instruction is replaced, continuation and comment lines included, and comments move above it.",
      "Shell form runs as the SHELL in effect plus the text; the default is [\"/bin/sh\", \"-c\"] (Windows images: cmd /S /C, where there is no echo.exe and blanks are significant). Conversion requires that SHELL (including one inherited from an earlier stage) to be a plain POSIX sh -c / bash -c.",
      "FROM $BASE is resolved from the global ARG defaults, and the stage then inherits the ENTRYPOINT and SHELL of the stage it names; a build argument may override the default, so a base that uses one may be any earlier stage: every possibility counts.",
      "Words in /bin/sh are split on space, tab and newline only: `\\v`, `\\f` and a lone `\\r` are part of a word. `$\"...\"` is bash's locale translation (it depends on TEXTDOMAIN and the locale at run time; dash reads `$` and a quoted string): never a plain word.",
      "BuildKit expands no variables in CMD or ENTRYPOINT: the shell does, so text with $VAR, ${...}, $(...), backticks, pipes, &&, ||, ;, &, redirects, globs, ~, braces, VAR=x prefixes, ( ), { } or ! needs the shell and is not converted. A `#` that starts a word begins a comment: the words before it are the command.",
      "A leading `exec` is dropped (the program already became PID 1 that way); a shell builtin or reserved word is not converted: in exec form the name is looked up as a program, which most do not have (cd, export, read, type, command, ...) and which behaves differently for the others (printf, test, [, pwd, kill, true, false). echo is converted only with arguments that no echo reads differently (no backslash, none starting with -).",
      "The shell quoting is decoded into arguments and the arguments are encoded as JSON; the escape directive changes Dockerfile escaping, never JSON's.",
      "BuildKit reads the leading `--words` of every instruction as its flags, and CMD defines none: `CMD --queue default` fails the build (\"unknown flag: queue\"). It is reported; where an exec-form ENTRYPOINT would receive the words, exec form is the unsafe fix (the build then passes).",
      "An ENTRYPOINT clears an inherited CMD unless a CMD was set earlier in the same stage; a stage built FROM an earlier stage inherits its CMD, ENTRYPOINT and SHELL.",
      "HEALTHCHECK CMD runs with the final image's SHELL and usually needs it for `|| exit 1`; ONBUILD CMD runs in an unknown child: both are left alone.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    const inheritance = new Inheritance(ctx);
    for (const instr of model.instructions) {
      const kw = instr.command.keyword;
      // a shell-form ENTRYPOINT is entrypoint-exec-form's (its only fix is unsafe)
      if (kw !== "CMD" || instr.command.json || instr.command.args === "") continue;
      if (isOverridden(ctx, instr)) continue; // no-shadowed-cmd removes it
      if (suppressedRules(model, instr).has(ID)) continue;
      if (instr.heredocs.length > 0) continue;
      // a CMD whose first words start with `--` is rejected for them (checkCmd reports it); anything else BuildKit rejects is left alone
      if (!buildkitAccepts(instr.command) && instr.command.flags.length === 0) continue;
      const finding = checkCmd(ctx, inheritance, instr);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};

/** The one SHELL in effect, when every possibility agrees and it is a plain `sh -c` / `bash -c`; undefined otherwise. */
function plainShell(ctx: RuleContext, inheritance: Inheritance, instr: Instruction): string[] | null | undefined {
  const shells = inheritance.shellsFor(instr);
  if (shells.length !== 1 || !isPlainPosixShell(shells[0]!, ctx.model)) return undefined;
  return shells[0]!;
}

function checkCmd(ctx: RuleContext, inheritance: Inheritance, instr: Instruction): Finding | null {
  const { model } = ctx;
  const stage = model.stages[instr.stage]!;
  const own = stage.instructions.filter((i) => i.command.keyword === "ENTRYPOINT");
  // an ENTRYPOINT anywhere in the stage is the one in effect; else the inherited ones
  const entrypoints: EntrypointState[] = own.length > 0 ? inheritance.finalEntrypoints(stage) : inheritance.startEntrypoints(stage);
  const exec = entrypoints.find((e) => e.kind === "exec");
  const certain = entrypoints.length === 1;
  const shell = plainShell(ctx, inheritance, instr);

  // BuildKit reads leading `--words` as flags, and CMD has none: "unknown flag: ..."
  const flags = instr.command.flags;
  if (flags.length > 0) {
    const head = commandHead(instr.logical, model.escape);
    const text = head && head.flagWords.length > 0 ? instr.logical.slice(head.flagWords[0]!.start, head.argsEnd) : null;
    const flag = flags[0]!.slice(2).split("=", 1)[0]!;
    const rejected = `BuildKit rejects this CMD: it reads \`--${flag}\` as a flag, and CMD has none ("unknown flag: ${flag}")`;
    const plan = exec && certain && text !== null && shell !== undefined ? planExecForm(text, shell ?? DEFAULT_SHELL, { asArguments: true }) : null;
    if (!plan || plan.unsafeReason) return { ...where(instr), message: `${rejected} (no fix)`, fix: null };
    const entry = model.instructions[exec!.instruction!]!;
    return conversion(ctx, instr, shell!, plan, "unsafe", `${rejected}; with the exec-form ENTRYPOINT of line ${inputLine(ctx, entry.startLine)} in effect, exec form ${jsonArray(plan.args)} passes these words to it, but that is an unsafe fix: a build that failed then passes`);
  }

  if (exec && certain) {
    // the mistake this rule exists for: the entrypoint receives [SHELL..., "text"]
    const shells = inheritance.shellsFor(instr);
    const shellArgs = shells.length === 1 ? (shells[0] ?? DEFAULT_SHELL) : DEFAULT_SHELL;
    const entry = model.instructions[exec.instruction!]!;
    const received = jsonArray([...shellArgs, instr.command.args]);
    const head = `shell-form CMD with the exec-form ENTRYPOINT of line ${inputLine(ctx, entry.startLine)} in effect: the entrypoint receives ${received} as its arguments, almost always a mistake`;
    const plan = shell === undefined ? null : planExecForm(instr.command.args, shell ?? DEFAULT_SHELL, { asArguments: true });
    if (!plan || plan.unsafeReason) {
      const why = shell === undefined ? "the SHELL in effect is not a plain POSIX `sh -c`" : "the CMD needs the shell, so it has no exec form of plain words";
      return { ...where(instr), message: `${head} (no fix: ${why})`, fix: null };
    }
    return conversion(ctx, instr, shell!, plan, "unsafe", `${head}; exec form ${jsonArray(plan.args)} passes the words themselves, but that is an unsafe fix: it changes the arguments the entrypoint receives`);
  }

  if (shell === undefined) return null;
  const plan = planExecForm(instr.command.args, shell ?? DEFAULT_SHELL);
  if (!plan) return null;
  const json = jsonArray(plan.args);
  let reason: string | null = plan.unsafeReason;
  if (entrypoints.some((e) => e.kind !== "none")) {
    const set = entrypoints.find((e) => e.kind !== "none" && e.instruction !== null);
    if (certain) reason = "an ENTRYPOINT is in effect: it will receive these words instead of `/bin/sh -c \"...\"`";
    else {
      const from = model.instructions[stage.from]!;
      const named = set ? model.stages[model.instructions[set.instruction!]!.stage]!.name : null;
      reason = `the FROM on line ${inputLine(ctx, from.startLine)} depends on a build argument and may name ${named ? `stage ${named}` : "an earlier stage"}, whose ENTRYPOINT would receive these words instead of \`/bin/sh -c "..."\``;
    }
  }
  const safety: FixSafety = reason ? "unsafe" : "safe";
  const message =
    safety === "safe"
      ? `shell-form CMD: write it as ${json} so the program runs as PID 1 and receives signals`
      : `shell-form CMD could be ${json}, but that is an unsafe fix: ${reason}`;
  return conversion(ctx, instr, shell, plan, safety, message);
}

function where(instr: Instruction) {
  return { rule: ID, line: instr.startLine + 1, column: 1, instruction: instr.index };
}

const jsonArray = (args: readonly string[]) => `[${args.map((a) => JSON.stringify(a)).join(", ")}]`;

/** The finding whose fix replaces the instruction by its exec form; comments in it move to lines above it. */
function conversion(ctx: RuleContext, instr: Instruction, shell: string[] | null, plan: ExecFormPlan, safety: FixSafety, message: string): Finding | null {
  const { model } = ctx;
  const json = jsonArray(plan.args);
  const first = model.lines[instr.startLine]!.text;
  const indent = indentOf(first);
  const comments: string[] = [];
  for (const l of instr.lines) if (l.kind === "comment") comments.push(trimCommentLine(model.lines[l.line]!.text));
  if (plan.comment !== null) comments.push(plan.comment);
  // a comment line above the first instruction could be read as a parser directive
  if (comments.length > 0 && instr.index === 0) return null;
  const eol = model.lines[instr.endLine]!.eol || model.eol;
  const text = comments.map((c) => `${indent}${c}${eol}`).join("") + `${indent}${instr.command.keywordRaw} ${json}`;
  const expected = expectedKey(model, { ...instr.command, flags: [], args: json, json: plan.args }, shell, instr.startLine);
  const last = model.lines[instr.endLine]!;
  return {
    ...where(instr),
    message,
    fix: {
      safety,
      description: `rewrite as ${json}`,
      edits: [{ start: lineStart(model, instr.startLine), end: lineEndWithEol(model, instr.endLine), text: text + last.eol }],
      declares: { removed: [], replaced: new Map([[instr.index, expected]]) },
    },
  };
}

/** A later instruction of the same kind in the same stage overrides this one. */
function isOverridden(ctx: RuleContext, instr: Instruction): boolean {
  const stage = ctx.model.stages[instr.stage]!;
  return stage.instructions.some((i) => i.index > instr.index && i.command.keyword === instr.command.keyword);
}

/**
 * The exec-form arguments for shell text, when it is one simple command of
 * literal words (a leading `exec` dropped), words split and unquoted as
 * /bin/sh does, optionally followed by a comment. For one simple command that
 * needs the shell only for expansions, an unsafe `/bin/sh -c "exec ..."`.
 * With `asArguments` the words are arguments to an entrypoint, not a program
 * to run: any literal words do, and nothing needs the shell.
 */
export function planExecForm(text: string, shell: readonly string[] = DEFAULT_SHELL, options: { asArguments?: boolean } = {}): ExecFormPlan | null {
  const tree = shTree(text);
  if (!tree) return null;
  const root = tree.root;
  if (hasErrorNode(root)) return null;
  const statements = topLevelStatements(root);
  if (!statements || statements.length === 0 || statements.length > 2) return null;
  const stmt = statements[0]!.node;
  if (stmt.type !== "command" || statements[0]!.separator !== null) return null;
  let comment: string | null = null;
  if (statements.length === 2) {
    const c = statements[1]!.node;
    if (c.type !== "comment" || statements[1]!.separator !== null) return null;
    comment = text.slice(c.start, c.end);
  }
  for (const n of walk(stmt)) if (NOT_SIMPLE.has(n.type)) return null;
  const words = commandWords(stmt, text);
  if (!words || words.length === 0) return null;
  let values = words.map((w) => (w.named ? tree.literal(w) : null)); // an unnamed `$` (as in `$"..."`) is no plain word
  let kept = words;
  if (values[0] === "exec") {
    kept = kept.slice(1);
    values = values.slice(1);
    if (kept.length === 0) return null;
  }
  if (options.asArguments) return values.every((v) => v !== null) ? { args: values as string[], unsafeReason: null, comment } : null;
  const name = values[0];
  if (name === null || name === undefined || name === "" || name.startsWith("-")) return null;
  // a name without a slash may be a builtin; with one, the shell runs that file, as exec form does
  const builtin = !name.includes("/");
  if (builtin && SHELL_BUILTINS.has(name)) return null;
  const echo = builtin && name === "echo";
  if (values.every((v) => v !== null)) {
    // dash's echo interprets backslashes and knows -n, bash's and /bin/echo (coreutils) know -n -e -E and no backslashes
    if (echo && values.slice(1).some((v) => v!.includes("\\") || v!.startsWith("-"))) return null;
    return { args: values as string[], unsafeReason: null, comment };
  }
  // Expansions need the shell: `exec` keeps the program as PID 1. `exec echo` runs /bin/echo, not the builtin.
  if (echo || kept.some((w) => !expandsToOneWord(w))) return null;
  const body = text.slice(kept[0]!.start, kept[kept.length - 1]!.end);
  // the SHELL in effect (a plain `sh -c` or `bash -c`, see isPlainPosixShell) keeps running it
  return {
    args: [...shell, `exec ${body}`],
    unsafeReason: `the command needs the shell for its expansions (variables, globs, ...), so it still runs through ${shell[0]}, as \`exec\`, which makes it PID 1`,
    comment,
  };
}

/**
 * The command's words (name and arguments, as tree-sitter-bash gives them),
 * when nothing else is in it and only blanks /bin/sh splits at (space, tab)
 * stand between them: anything else between two words (an escaped blank
 * tree-sitter leaves outside the words) would mean the tree's words are not
 * the shell's.
 */
function commandWords(cmd: ShellNode, text: string): ShellNode[] | null {
  const words: ShellNode[] = [];
  for (const c of cmd.children) {
    if (c.type === "command_name") words.push(c.children[0] ?? c);
    else if (c.field === "argument") words.push(c);
    else return null;
  }
  let pos = cmd.start;
  for (const w of words) {
    const gap = text.slice(pos, w.start);
    if (w !== words[0] && gap === "") return null;
    for (const ch of gap) if (ch !== " " && ch !== "\t") return null;
    pos = w.end;
  }
  return pos === cmd.end ? words : null;
}

function hasErrorNode(root: ShellNode): boolean {
  for (const n of walk(root)) if (n.type === "ERROR" || n.type === "MISSING") return true;
  return false;
}

/** Words whose expansions cannot add or remove words or run commands: "quoted" or $VAR-only. */
function expandsToOneWord(word: ShellNode): boolean {
  for (const n of walk(word)) {
    if (n.type === "command_substitution" || n.type === "process_substitution" || n.type === "arithmetic_expansion") return false;
  }
  return true;
}
