import { closeSync, openSync, readSync, statSync } from "node:fs";
import nodePath, { posix } from "node:path";
import { commandHead, parseNameVal } from "../model/command.js";
import { splitWhitespace } from "../meaning/buildkit.js";
import type { DockerfileModel, Instruction, Stage } from "../model/model.js";
import { trimCommentLine } from "../model/scan.js";
import { ignoringEntrypoint } from "./cmd-ignored-by-shell-entrypoint.js";
import { agreedScan, shellDialects, type ShellDialect, type SimpleCommandScan } from "../shell/literal-words.js";
import { topLevelStatements, walk, type ShellNode } from "../shell/tree.js";
import {
  Inheritance,
  baseCandidates,
  buildkitAccepts,
  expectedKey,
  indentOf,
  inputLine,
  isPlainPosixShell,
  lineEndWithEol,
  lineStart,
  shTree,
  suppressedRules,
  argsSpan,
  instructionHead,
  logicalSpan,
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
  /**
   * Why there is no fix, when the second reading of the text (the quote
   * scan of src/shell/literal-words.ts, under every dialect the SHELL may
   * be) does not give these words: the finding is reported without one.
   */
  refusal: string | null;
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
      "Rewrites `CMD program arg ...` as `CMD [\"program\", \"arg\", ...]` when the shell text is one simple command of literal words. Reports a shell-form CMD after an exec-form ENTRYPOINT (the entrypoint receives `/bin/sh -c \"...\"`, almost always a mistake), with the exec-form CMD as an unsafe fix. With --unsafe-fixes it also converts a CMD after an ENTRYPOINT, and simple commands that need the shell (variables) as [\"/bin/sh\", \"-c\", \"exec ...\"]. Where a second reading of the text (a quote scan that does not use tree-sitter) gives other words than the array would hold, the CMD is reported without a fix, with the words sh passes. A shell-form ENTRYPOINT is entrypoint-exec-form's, and a CMD that a shell-form ENTRYPOINT ignores (it never runs, whatever its form) is cmd-ignored-by-shell-entrypoint's.",
    why:
      "Shell form runs `/bin/sh -c \"...\"`: the shell is PID 1, so `docker stop` sends SIGTERM to the shell, which does not pass it on, and the container is killed after the timeout. Exec form runs the program itself as PID 1 (hadolint DL3025, BuildKit's JSONArgsRecommended). After an exec-form ENTRYPOINT, a shell-form CMD hands the entrypoint `/bin/sh`, `-c` and the text as its arguments.",
    example: "FROM node:22\nCMD node server.js --port 8080",
    useInstead: 'FROM node:22\nCMD ["node", "server.js", "--port", "8080"]',
    fixSafety:
      "Safe when no ENTRYPOINT is known in the stage: the same program runs with the same arguments, now as PID 1 (that is the point). Unsafe when an ENTRYPOINT is or may be in effect (it receives the words instead of `/bin/sh -c \"...\"`, usually the fix wanted but a change): one in the stage, one inherited from the stage it is built on, or one of a stage that a FROM depending on a build argument may name. Unsafe for the `[\"/bin/sh\", \"-c\", \"exec ...\"]` form. A base image may carry an ENTRYPOINT this file cannot see: a CMD that is really arguments to such an entrypoint changes from `/bin/sh -c \"...\"` to plain words. A shell comment after the command, and comment lines inside the instruction, move to their own lines above it. Unsafe on an image without /bin/sh (`scratch`, Google's `gcr.io/distroless/...` images but their `:debug` tags; no other image is recognised): the shell form could never start, the exec form may. Unsafe when the program may be a file a COPY or ADD put in the image from the build context and that file is, or may be, a script without `#!`: sh runs such a file as a script, exec form fails to start it (\"exec format error\"). With the build context at hand (the command line passes the Dockerfile's directory, the usual context) the file is looked at, and a `#!` or an ELF header keeps the fix safe; without it (stdin, the plugin, the API without `context`), or where the Dockerfile does not say which file it is (a source or destination with variables or globs, an ADD that may unpack an archive: with the context at hand its sources are looked at, a gzip, bzip2, xz or tar header is one, a working directory the file does not give), the fix is unsafe; a COPY from a heredoc is judged by the heredoc's first line. Assumed: a program the stage did not copy from the build context (on PATH in the base image, such as node, java or nginx; made by RUN; copied from another stage or image) is one the kernel runs; a working directory the file does not give (the base image's) is not on PATH; `.dockerignore` is not read (a file it leaves out is judged as if copied).",
    facts: [
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; anything after the closing ] (a `# comment` included) makes it shell form again, so the whole instruction is replaced, continuation and comment lines included, and comments move above it.",
      "Shell form runs as the SHELL in effect plus the text; the default is [\"/bin/sh\", \"-c\"] (Windows images: cmd /S /C, where there is no echo.exe and blanks are significant). Conversion requires that SHELL (including one inherited from an earlier stage) to be a plain POSIX sh -c / bash -c.",
      "FROM $BASE is resolved from the global ARG defaults, and the stage then inherits the ENTRYPOINT and SHELL of the stage it names; a build argument may override the default, so a base that uses one may be any earlier stage: every possibility counts.",
      "Words in /bin/sh are split on space, tab and newline only: `\\v`, `\\f` and a lone `\\r` are part of a word. `$\"...\"` is bash's locale translation (it depends on TEXTDOMAIN and the locale at run time; dash reads `$` and a quoted string): never a plain word.",
      "BuildKit expands no variables in CMD or ENTRYPOINT: the shell does, so text with $VAR, ${...}, $(...), backticks, pipes, &&, ||, ;, &, redirects, globs, ~, braces, VAR=x prefixes, ( ), { } or ! needs the shell and is not converted. A `#` that starts a word begins a comment: the words before it are the command.",
      "A leading `exec` is dropped (the program already became PID 1 that way); a shell builtin or reserved word is not converted: in exec form the name is looked up as a program, which most do not have (cd, export, read, type, command, ...) and which behaves differently for the others (printf, test, [, pwd, kill, true, false). echo is converted only with arguments that no echo reads differently (no backslash, none starting with -).",
      "The shell quoting is decoded into arguments and the arguments are encoded as JSON; the escape directive changes Dockerfile escaping, never JSON's.",
      "The array must hold exactly the words /bin/sh passes to the program. Two readings must agree: tree-sitter-bash's, and the quote scan of src/shell/literal-words.ts (hand-written, no tree-sitter) under every dialect the SHELL may be (`/bin/sh` may be dash or bash: both; `bash`: bash). They differ, and there is no fix, for a double-quoted string of blanks only or ending in `$`, `--sep=\" \"`, an escaped blank before `#` (`prog \\ #a` gives the program ` #a`); an unterminated quote (sh rejects the CMD, so the container never started) is never converted. The fix engine checks every exec-form conversion again with the scan.",
      "The unsafe `[\"/bin/sh\", \"-c\", \"exec ...\"]` form is offered only where the quote scan, too, reads one simple command (its expansions no more than `$NAME`, `${...}` without quotes inside, special parameters): `exec` in front of anything else could change what runs.",
      "Without /bin/sh in the image (`FROM scratch`) the shell form fails to start; a file without `#!` that is not a binary is run by sh as a script (execve fails with ENOEXEC and the shell reads it), while exec form fails with \"exec format error\".",
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
      if (ignoringEntrypoint(ctx, inheritance, instr)) continue; // it never runs: cmd-ignored-by-shell-entrypoint reports it
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
  // an ENTRYPOINT anywhere in the stage is the one in effect; else the inherited ones
  const entrypoints: EntrypointState[] = inheritance.finalEntrypoints(stage);
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
    if (!plan || plan.unsafeReason || plan.refusal) return { ...where(model, instr), message: `${rejected} (no fix${plan?.refusal ? `: ${plan.refusal}` : ""})`, fix: null };
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
    if (!plan || plan.unsafeReason || plan.refusal) {
      const why = shell === undefined ? "the SHELL in effect is not a plain POSIX `sh -c`" : (plan?.refusal ?? "the CMD needs the shell, so it has no exec form of plain words");
      return { ...where(model, instr), message: `${head} (no fix: ${why})`, fix: null };
    }
    return conversion(ctx, instr, shell!, plan, "unsafe", `${head}; exec form ${jsonArray(plan.args)} passes the words themselves, but that is an unsafe fix: it changes the arguments the entrypoint receives`);
  }

  if (shell === undefined) return null;
  const plan = planExecForm(instr.command.args, shell ?? DEFAULT_SHELL);
  if (!plan) return null;
  if (plan.refusal) return { ...where(model, instr), message: `shell-form CMD, not converted to exec form: ${plan.refusal}`, fix: null };
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
  // the program itself: the shell may have been needed to start it at all
  if (!reason && plan.unsafeReason === null) reason = shellLessBase(ctx, stage) ?? programNeedsShell(ctx, instr, plan.args[0]!);
  const safety: FixSafety = reason ? "unsafe" : "safe";
  const message =
    safety === "safe"
      ? `shell-form CMD: write it as ${json} so the program runs as PID 1 and receives signals`
      : `shell-form CMD could be ${json}, but that is an unsafe fix: ${reason}`;
  return conversion(ctx, instr, shell, plan, safety, message);
}

/** The finding's place: the CMD's command text, from its first word (a `--word` BuildKit reads as a flag included) to its end. */
function where(model: DockerfileModel, instr: Instruction) {
  const head = instructionHead(model, instr);
  const span = head && head.flagWords.length > 0 ? logicalSpan(model, instr, head.flagWords[0]!.start, head.argsEnd) : argsSpan(model, instr);
  return { rule: ID, line: instr.startLine + 1, column: 1, span, instruction: instr.index };
}

const jsonArray = (args: readonly string[]) => `[${args.map((a) => JSON.stringify(a)).join(", ")}]`;

/** The finding whose fix replaces the instruction by its exec form; comments in it move to lines above it. */
function conversion(ctx: RuleContext, instr: Instruction, shell: string[] | null, plan: ExecFormPlan, safety: FixSafety, message: string): Finding | null {
  const { model } = ctx;
  const json = jsonArray(plan.args);
  const text = execFormText(model, instr, json, plan.comment);
  if (text === null) return null;
  const expected = expectedKey(model, { ...instr.command, flags: [], args: json, json: plan.args }, shell, instr.startLine);
  const last = model.lines[instr.endLine]!;
  return {
    ...where(model, instr),
    message,
    fix: {
      safety,
      description: `rewrite as ${json}`,
      edits: [{ start: lineStart(model, instr.startLine), end: lineEndWithEol(model, instr.endLine), text: text + last.eol }],
      declares: { removed: [], replaced: new Map([[instr.index, expected]]) },
    },
  };
}

/**
 * The text that replaces an instruction by its exec form `json` (without
 * the last line's end), under its own keyword as written or `keyword`
 * (app-run-at-build-time writes a RUN as a CMD): the comment lines inside the instruction, and a
 * shell comment after its command, move to lines of their own above it.
 * Null when a comment would land above the file's first instruction (it
 * could be read as a parser directive).
 */
export function execFormText(model: DockerfileModel, instr: Instruction, json: string, comment: string | null, keyword: string = instr.command.keywordRaw): string | null {
  const indent = indentOf(model.lines[instr.startLine]!.text);
  const comments: string[] = [];
  for (const l of instr.lines) if (l.kind === "comment") comments.push(trimCommentLine(model.lines[l.line]!.text));
  if (comment !== null) comments.push(comment);
  if (comments.length > 0 && instr.index === 0) return null;
  const eol = model.lines[instr.endLine]!.eol || model.eol;
  return comments.map((c) => `${indent}${c}${eol}`).join("") + `${indent}${keyword} ${json}`;
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
  const dialects = shellDialects(shell);
  const second = (args: string[]) => secondReading(text, args, comment === null ? null : words[words.length - 1]!.end, dialects);
  if (options.asArguments) return values.every((v) => v !== null) ? { args: values as string[], unsafeReason: null, comment, refusal: second(values as string[]) } : null;
  const name = values[0];
  if (name === null || name === undefined || name === "" || name.startsWith("-")) return null;
  // a name without a slash may be a builtin; with one, the shell runs that file, as exec form does
  const builtin = !name.includes("/");
  if (builtin && SHELL_BUILTINS.has(name)) return null;
  const echo = builtin && name === "echo";
  if (values.every((v) => v !== null)) {
    // dash's echo interprets backslashes and knows -n, bash's and /bin/echo (coreutils) know -n -e -E and no backslashes
    if (echo && values.slice(1).some((v) => v!.includes("\\") || v!.startsWith("-"))) return null;
    return { args: values as string[], unsafeReason: null, comment, refusal: second(values as string[]) };
  }
  // Expansions need the shell: `exec` keeps the program as PID 1. `exec echo` runs /bin/echo, not the builtin.
  if (echo || kept.some((w) => !expandsToOneWord(w))) return null;
  const body = text.slice(kept[0]!.start, kept[kept.length - 1]!.end);
  // the SHELL in effect (a plain `sh -c` or `bash -c`, see isPlainPosixShell) keeps running it
  return {
    args: [...shell, `exec ${body}`],
    unsafeReason: `the command needs the shell for its expansions (variables, globs, ...), so it still runs through ${shell[0]}, as \`exec\`, which makes it PID 1`,
    comment,
    refusal: shellFormRefusal(text, body, dialects),
  };
}

/** The words the scan gives the program: a leading `exec` dropped, as planExecForm drops it. */
function programWords(scan: SimpleCommandScan): SimpleCommandScan["words"] {
  return scan.words.length > 1 && scan.words[0]!.value === "exec" ? scan.words.slice(1) : scan.words;
}

/**
 * Why the words tree-sitter gave (`args`, the comment ending where `commentAfter`
 * says) are not what /bin/sh passes to the program, by the quote scan; null when they are.
 */
function secondReading(text: string, args: readonly string[], commentAfter: number | null, dialects: readonly ShellDialect[]): string | null {
  const scan = agreedScan(text, dialects);
  const shells = dialects.length > 1 ? "dash and bash" : "bash";
  if (scan === null) return `${shells} do not read the text as one simple command of literal words (an unterminated quote, an escaped blank, an expansion, or a reading they do not share), so the words of an exec-form array could differ from the shell's`;
  const words = programWords(scan).map((w) => w.value);
  if (words.some((w) => w === null)) return `${shells} expand a word of it at run time, so it has no exec form of plain words`;
  if (words.length !== args.length || words.some((w, k) => w !== args[k])) {
    return `${shells} pass ${jsonArray(words as string[])} to the program, not ${jsonArray(args)}`;
  }
  if ((scan.comment === null) !== (commentAfter === null)) return `${shells} read the comment differently`;
  return null;
}

/** Why `exec BODY` is not the command the text runs, by the quote scan; null when it is. */
function shellFormRefusal(text: string, body: string, dialects: readonly ShellDialect[]): string | null {
  const scan = agreedScan(text, dialects);
  if (scan === null) return "the second reading of the text (a quote scan) is not sure it is one simple command, so `exec` could change what runs";
  const kept = programWords(scan);
  if (text.slice(kept[0]!.start, kept[kept.length - 1]!.end) !== body) return "the second reading of the text (a quote scan) splits the command differently";
  return null;
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

/** Images that have no /bin/sh: a shell-form CMD there never started, an exec-form one may. */
function isShellLessImage(reference: string): boolean {
  if (reference === "scratch") return true;
  // Google's distroless images, but their `debug` variants (which carry busybox sh)
  if (!reference.startsWith("gcr.io/distroless/")) return false;
  const tag = reference.slice(reference.lastIndexOf(":") + 1);
  return !reference.slice("gcr.io/distroless/".length).includes(":") || !tag.includes("debug");
}

/** The stages whose filesystem a stage is built on, itself first: every possibility when the base depends on a build argument. */
function stageChain(model: DockerfileModel, stage: Stage): Stage[] {
  const out: Stage[] = [];
  const seen = new Set<number>();
  const visit = (s: Stage) => {
    if (seen.has(s.index)) return;
    seen.add(s.index);
    out.push(s);
    for (const k of baseCandidates(model, s).stages) visit(model.stages[k]!);
  };
  visit(stage);
  return out;
}

/** Why the shell form may never have started: the stage is built on an image without /bin/sh. */
export function shellLessBase(ctx: RuleContext, stage: Stage): string | null {
  for (const s of stageChain(ctx.model, stage)) {
    const resolved = s.base?.resolved;
    if (s.parent === null && resolved && isShellLessImage(resolved)) {
      return `the stage is built on ${resolved}, which has no /bin/sh: the shell form could never start, the exec form may`;
    }
  }
  return null;
}

/** A path as the image sees it; a relative one is joined to the working directory, `?` standing for one the file does not give. */
const UNKNOWN_ROOT = "?";
const DEFAULT_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
/** Dockerfile text BuildKit changes before use (variables, quotes, escapes with either escape character). */
const isLiteralPath = (p: string) => p !== "" && ![..."$\"'\\`"].some((c) => p.includes(c));

interface StageFiles {
  /** The working directory at the end of each stage's instructions (per instruction index: before it). */
  workdirBefore: Map<number, string>;
  /** Directories of PATH (null: the file sets PATH to something this does not follow). */
  path: string[] | null;
}

/** `p` as an absolute path (relative ones joined to `dir`), normalized, without a trailing `/` (`/tmp/` is the directory /tmp). */
function join(dir: string, p: string): string {
  const path = p.startsWith("/") ? posix.normalize(p) : posix.join(dir, p);
  return path.length > 1 && path.endsWith("/") ? path.replace(/\/+$/, "") || "/" : path;
}

/** Working directories before each instruction of the chain, and the PATH directories the chain may set. */
function stageFiles(model: DockerfileModel, chain: Stage[]): StageFiles {
  const workdirBefore = new Map<number, string>();
  const finalWd = new Map<number, string>();
  let path: string[] | null = [...DEFAULT_PATH];
  // the chain lists a stage before its bases: walk bases first
  for (const s of [...chain].reverse()) {
    const c = baseCandidates(model, s);
    // an image's working directory is not in the file: one unknown directory per stage that may start from one
    const unknown = `/${UNKNOWN_ROOT}s${s.index}`;
    let wd = !c.image && c.stages.length === 1 ? (finalWd.get(c.stages[0]!) ?? unknown) : unknown;
    for (const i of s.instructions) {
      workdirBefore.set(i.index, wd);
      const kw = i.command.keyword;
      if (kw === "WORKDIR") wd = isLiteralPath(i.command.args) ? join(wd, i.command.args) : `/${UNKNOWN_ROOT}${i.index}`;
      if (kw === "ENV" && path !== null) {
        let pairs: { name: string; value: string }[];
        try {
          pairs = parseNameVal(i.command.args, "ENV", model.escape);
        } catch {
          pairs = [];
        }
        for (const { name, value } of pairs) {
          if (name !== "PATH") continue;
          // one pair of double quotes around the whole value is all that is followed
          const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
          for (const part of unquoted.split(":")) {
            if (part === "$PATH" || part === "${PATH}") continue;
            if (isLiteralPath(part) && part.startsWith("/")) path?.push(posix.normalize(part));
            else path = null;
          }
        }
      }
    }
    finalWd.set(s.index, wd);
  }
  return { workdirBefore, path };
}

/** A COPY or ADD from the build context: its sources, destination (absolute) and line; null sources when the file does not say them plainly. */
interface ContextCopy {
  line: number;
  sources: string[] | null;
  dest: string | null;
  /** The destination names a directory (ends in `/`, or several sources). */
  intoDirectory: boolean;
  add: boolean;
  /** A COPY of heredocs: each file's name and what BuildKit writes in it. */
  heredocs: { name: string; content: string }[] | null;
}

function contextCopies(model: DockerfileModel, chain: Stage[], files: StageFiles): ContextCopy[] {
  const out: ContextCopy[] = [];
  for (const s of chain) {
    for (const i of s.instructions) {
      const kw = i.command.keyword;
      if (kw !== "COPY" && kw !== "ADD") continue;
      if (i.command.flags.some((f) => f.startsWith("--from"))) continue; // another stage or an image: not the context
      const words = i.command.json ?? splitWhitespace(i.command.args);
      const line = i.startLine;
      const add = kw === "ADD";
      if (words.length < 2) {
        out.push({ line, sources: null, dest: null, intoDirectory: true, add, heredocs: null });
        continue;
      }
      const raw = words[words.length - 1]!;
      const sources = words.slice(0, -1);
      if (add && sources.every((src) => /^[a-z][a-z0-9+.-]*:\/\//i.test(src) || src.startsWith("git@"))) continue; // downloads, not the context
      const dest = isLiteralPath(raw) ? join(files.workdirBefore.get(i.index) ?? `/${UNKNOWN_ROOT}`, raw) : null;
      // sources the file does not say plainly (variables, globs, a heredoc's body, --parents): only where they land is known
      const plain = i.heredocs.length === 0 && !i.command.flags.some((f) => f.startsWith("--parents")) && sources.every((src) => isLiteralPath(src) && ![..."*?["].some((c) => src.includes(c)));
      // a heredoc's body, as written: `<<-` strips leading tabs (an expansion cannot put `#!` first or take it away)
      const heredocs = i.heredocs.length > 0 && !add ? i.heredocs.map((h) => ({ name: h.name, content: h.chomp ? h.content.replace(/^\t+/, "") : h.content })) : null;
      out.push({ line, sources: plain ? sources : null, dest, intoDirectory: raw.endsWith("/") || sources.length > 1, add, heredocs });
    }
  }
  return out;
}

/** The unknown directory a path starts from (its first segment), or null for a path the file gives absolutely. */
const unknownRoot = (p: string) => (p.startsWith(`/${UNKNOWN_ROOT}`) ? p.split("/")[1]! : null);

/**
 * The files of the context a COPY may have put at `target`: an array of
 * context paths (empty: it does not write there), or null when that cannot
 * be told from the file.
 */
function contextFilesAt(copy: ContextCopy, target: string): string[] | null {
  const { dest, sources } = copy;
  if (dest === null) return null;
  // two paths from the same unknown directory compare as written; one from an unknown and one from a known directory may be anything
  if ((unknownRoot(dest) !== null || unknownRoot(target) !== null) && unknownRoot(dest) !== unknownRoot(target)) return null;
  const out: string[] = [];
  if (target !== dest && !target.startsWith(dest === "/" ? "/" : `${dest}/`)) return [];
  if (sources === null) return null;
  // the source itself (an archive ADD would unpack instead: its first bytes are neither `#!` nor ELF, so it is judged a script)
  if (target === dest && !copy.intoDirectory) return [sources[0]!];
  if (target === dest) return [];
  const rest = target.slice(dest === "/" ? 1 : dest.length + 1);
  for (const src of sources) {
    out.push(posix.join(src, rest)); // a directory's contents
    if (!rest.includes("/")) out.push(src); // a file into the directory
  }
  // an ADD of an archive unpacks anything anywhere under dest: with the context at hand, its sources are looked at (see unpacks)
  return out;
}

/** Whether a context file is an archive ADD unpacks (tar, or tar compressed with gzip, bzip2 or xz), by its first bytes; true when it cannot be read. */
function isArchive(contextDir: string, file: string): boolean {
  const rel = posix.normalize(file.replace(/^\/+/, ""));
  if (rel === ".." || rel.startsWith("../")) return true;
  let fd: number;
  try {
    if (!statSync(nodePath.join(contextDir, rel)).isFile()) return false;
    fd = openSync(nodePath.join(contextDir, rel), "r");
  } catch {
    return false; // absent: the missing-source check speaks for it
  }
  try {
    const head = Buffer.alloc(262);
    const n = readSync(fd, head, 0, 262, 0);
    const starts = (...bytes: number[]) => n >= bytes.length && bytes.every((b, k) => head[k] === b);
    if (starts(0x1f, 0x8b) || starts(0x42, 0x5a, 0x68) || starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return true;
    return n >= 262 && head.toString("latin1", 257, 262) === "ustar";
  } catch {
    return true;
  } finally {
    closeSync(fd);
  }
}

/** Whether a path of the context is a directory. */
function isDirectory(contextDir: string, file: string): boolean {
  const rel = posix.normalize(file.replace(/^\/+/, ""));
  if (rel === ".." || rel.startsWith("../")) return false;
  try {
    return statSync(nodePath.join(contextDir, rel)).isDirectory();
  } catch {
    return false;
  }
}

/** What the first bytes of a context file say: it starts with `#!` or is an ELF binary (the kernel runs both). */
function runsWithoutShell(contextDir: string, file: string): "yes" | "no" | "absent" | "unknown" {
  const rel = posix.normalize(file.replace(/^\/+/, ""));
  if (rel === ".." || rel.startsWith("../")) return "unknown";
  const full = nodePath.join(contextDir, rel);
  let fd: number;
  try {
    if (!statSync(full).isFile()) return "absent";
    fd = openSync(full, "r");
  } catch {
    return "absent";
  }
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n >= 2 && head[0] === 0x23 && head[1] === 0x21) return "yes";
    if (n === 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return "yes";
    return "no";
  } catch {
    return "unknown";
  } finally {
    closeSync(fd);
  }
}

/**
 * Why running the program without a shell may fail where the shell ran it:
 * a COPY or ADD of the stage put it there from the build context, and it is
 * (or, with the context not at hand, may be) a script without `#!`, which sh
 * runs as a script and exec form fails to start ("exec format error").
 * Programs the stage did not copy from the context (on PATH in the base
 * image, built by RUN, copied from another stage) are assumed to be
 * programs the kernel runs.
 */
export function programNeedsShell(ctx: RuleContext, instr: Instruction, program: string): string | null {
  const { model } = ctx;
  const chain = stageChain(model, model.stages[instr.stage]!);
  const files = stageFiles(model, chain);
  const copies = contextCopies(model, chain, files);
  if (copies.length === 0) return null;
  let targets: string[];
  if (program.includes("/")) targets = [join(files.workdirBefore.get(instr.index) ?? `/${UNKNOWN_ROOT}`, program)];
  else if (files.path === null) targets = [`/${UNKNOWN_ROOT}path/${program}`];
  else targets = files.path.map((d) => posix.join(d, program));
  const line = (c: ContextCopy) => inputLine(ctx, c.line);
  for (const copy of copies) {
    // assumed: a working directory the file does not give (the base image's) is not one of PATH's
    if (!program.includes("/") && copy.dest !== null && unknownRoot(copy.dest) !== null) continue;
    for (const target of targets) {
      if (copy.heredocs !== null && copy.dest !== null && unknownRoot(copy.dest) === unknownRoot(target)) {
        // the file's content is in the Dockerfile: read it
        const h = copy.heredocs.find((d) => (copy.intoDirectory ? posix.join(copy.dest!, d.name) : copy.dest) === target);
        if (h && !h.content.startsWith("#!")) {
          return `${program}, written by the COPY on line ${line(copy)} from the heredoc ${h.name}, is a script without \`#!\`: sh runs it as a script, exec form fails to start it ("exec format error")`;
        }
        continue;
      }
      const found = target.startsWith(`/${UNKNOWN_ROOT}path/`) ? null : contextFilesAt(copy, target);
      if (found !== null && found.length === 0) continue;
      if (found === null || ctx.context === undefined) {
        const where = ctx.context === undefined ? "the build context is not at hand" : "which file it is cannot be told from the Dockerfile";
        return `${program} may be a file the ${copy.add ? "ADD" : "COPY"} on line ${line(copy)} put in the image from the build context, and ${where}: a script without \`#!\` runs under sh in shell form but fails to start in exec form ("exec format error")`;
      }
      // a source missing from the directory at hand: it is not the context this image is built from
      const missing = copy.sources!.find((src) => runsWithoutShell(ctx.context!, src) === "absent" && !isDirectory(ctx.context!, src));
      if (missing !== undefined) {
        return `${program} may be a file the ${copy.add ? "ADD" : "COPY"} on line ${line(copy)} put in the image from the build context, and the directory taken for it (${ctx.context}) has no ${missing}, so it is not this build's context: a script without \`#!\` runs under sh in shell form but fails to start in exec form ("exec format error")`;
      }
      // an ADD unpacks a local archive into its destination: what lands there is not a file of the context
      const archive = copy.add && target !== copy.dest ? copy.sources!.find((src) => isArchive(ctx.context!, src)) : undefined;
      if (archive !== undefined) {
        return `${program} may come from the archive ${archive} that the ADD on line ${line(copy)} unpacks: a script without \`#!\` runs under sh in shell form but fails to start in exec form ("exec format error")`;
      }
      for (const f of found) {
        const verdict = runsWithoutShell(ctx.context, f);
        if (verdict === "yes" || verdict === "absent") continue;
        const why = verdict === "no" ? `is a script without \`#!\` (${f} in the build context)` : `may be a script without \`#!\` (${f} cannot be read)`;
        return `${program}, put in the image by the ${copy.add ? "ADD" : "COPY"} on line ${line(copy)}, ${why}: sh runs it as a script, exec form fails to start it ("exec format error")`;
      }
    }
  }
  return null;
}
