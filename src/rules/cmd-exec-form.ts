import type { Instruction } from "../model/model.js";
import { literalWord, shellTree, topLevelStatements, asSimpleCommand, walk, type ShellNode } from "../shell/tree.js";
import { buildkitAccepts, expectedKey, indentOf, isPlainPosixShell, lineEndWithEol, lineStart, suppressedRules } from "./helpers.js";
import type { Finding, FixSafety, Rule, RuleContext } from "./types.js";

const ID = "cmd-exec-form";

/**
 * Builtins and keywords that only exist inside a shell, or whose program of
 * the same name may be missing or behave differently (`time` is a bash
 * keyword; `kill` is procps, absent from slim images): not converted.
 */
const SHELL_ONLY = new Set([
  "cd", "ulimit", ".", "source", "export", "set", "umask", "trap", "eval", "wait", "exit", "alias", "unalias",
  "readonly", "shift", "unset", "local", "return", "break", "continue", "read", "getopts", "hash", "type",
  "command", "builtin", "declare", "typeset", "let", "shopt", "times", "jobs", "fg", "bg", "exec", ":",
  "time", "kill", "pushd", "popd", "dirs", "disown", "enable", "help", "history", "logout", "mapfile", "readarray",
  "suspend", "caller", "compgen", "complete", "compopt", "fc", "bind", "coproc", "select", "function", "ulimit",
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
}

export const cmdExecForm: Rule = {
  id: ID,
  summary: "Write a shell-form CMD as a JSON exec-form array, so the program runs as PID 1 and receives signals",
  safety: "safe",
  docs: {
    whatItDoes:
      "Rewrites `CMD program arg ...` as `CMD [\"program\", \"arg\", ...]` when the shell text is one simple command of literal words. With --unsafe-fixes it also converts shell-form ENTRYPOINT, a CMD after an ENTRYPOINT, and simple commands that need the shell (variables) as [\"/bin/sh\", \"-c\", \"exec ...\"].",
    why:
      "Shell form runs `/bin/sh -c \"...\"`: the shell is PID 1, so `docker stop` sends SIGTERM to the shell, which does not pass it on, and the container is killed after the timeout. Exec form runs the program itself as PID 1 (hadolint DL3025, BuildKit's JSONArgsRecommended).",
    example: "FROM node:22\nCMD node server.js --port 8080",
    useInstead: 'FROM node:22\nCMD ["node", "server.js", "--port", "8080"]',
    fixSafety:
      "Safe when no ENTRYPOINT is known in the stage: the same program runs with the same arguments, now as PID 1 (that is the point). Unsafe when an ENTRYPOINT is in effect (it receives the words instead of `/bin/sh -c \"...\"`, usually the fix wanted but a change), for ENTRYPOINT itself (shell-form ENTRYPOINT ignores CMD and `docker run` arguments, exec form appends them), and for the `[\"/bin/sh\", \"-c\", \"exec ...\"]` form. A base image may carry an ENTRYPOINT this file cannot see: a CMD that is really arguments to such an entrypoint changes from `/bin/sh -c \"...\"` to plain words.",
    facts: [
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; anything after the closing ] makes it shell form again, so the whole instruction is replaced, continuation and comment lines included.",
      "Shell form runs as the SHELL in effect plus the text; the default is [\"/bin/sh\", \"-c\"]. Conversion requires that SHELL (including one inherited from an earlier stage) to be a plain POSIX sh -c / bash -c.",
      "BuildKit expands no variables in CMD or ENTRYPOINT: the shell does, so text with $VAR, ${...}, $(...), backticks, pipes, &&, ||, ;, &, redirects, globs, ~, braces, VAR=x prefixes, ( ), { }, ! or a comment needs the shell and is not converted.",
      "A leading `exec` is dropped (the program already became PID 1 that way); other shell builtins (cd, ulimit, ., source, export, set, umask, trap, eval, wait, ...) cannot run without a shell.",
      "The shell quoting is decoded into arguments and the arguments are encoded as JSON; the escape directive changes Dockerfile escaping, never JSON's.",
      "An ENTRYPOINT clears an inherited CMD unless a CMD was set earlier in the same stage; a stage built FROM an earlier stage inherits its CMD, ENTRYPOINT and SHELL.",
      "HEALTHCHECK CMD runs with the final image's SHELL and usually needs it for `|| exit 1`; ONBUILD CMD runs in an unknown child: both are left alone.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    const entrypointInStage = stageEntrypoints(ctx);
    for (const instr of model.instructions) {
      const kw = instr.command.keyword;
      if ((kw !== "CMD" && kw !== "ENTRYPOINT") || instr.command.json || instr.command.args === "") continue;
      if (isOverridden(ctx, instr)) continue; // no-shadowed-cmd removes it
      if (suppressedRules(model, instr).has(ID)) continue;
      const shell = ctx.shells[instr.index] ?? null;
      const where = { rule: ID, line: instr.startLine + 1, column: 1, instruction: instr.index };
      if (instr.heredocs.length > 0 || !buildkitAccepts(instr.command)) continue;
      // Under another SHELL (or a Windows file), exec form would change which program runs.
      if (!isPlainPosixShell(shell, model)) continue;
      const plan = planExecForm(instr.command.args, shell ?? DEFAULT_SHELL);
      if (!plan) continue;
      let safety: FixSafety = "safe";
      let reason = plan.unsafeReason;
      if (kw === "ENTRYPOINT") {
        safety = "unsafe";
        reason = "exec-form ENTRYPOINT appends CMD and `docker run` arguments, which shell form ignores";
      } else if (entrypointInStage.has(instr.index)) {
        safety = "unsafe";
        reason = "an ENTRYPOINT is in effect: it will receive these words instead of `/bin/sh -c \"...\"`";
      } else if (plan.unsafeReason) {
        safety = "unsafe";
      }
      const args = plan.args;
      const json = `[${args.map((a) => JSON.stringify(a)).join(", ")}]`;
      const first = model.lines[instr.startLine]!.text;
      const text = `${indentOf(first)}${instr.command.keywordRaw} ${json}`;
      const expected = expectedKey(model, { ...instr.command, args: json, json: args }, shell, instr.startLine);
      findings.push({
        ...where,
        message:
          safety === "safe"
            ? `shell-form ${kw}: write it as ${json} so the program runs as PID 1 and receives signals`
            : `shell-form ${kw} could be ${json}, but that is an unsafe fix: ${reason}`,
        fix: {
          safety,
          description: `rewrite as ${json}`,
          edits: [replaceInstruction(ctx, instr, text)],
          declares: { removed: [], replaced: new Map([[instr.index, expected]]) },
        },
      });
    }
    return findings;
  },
};

/** A later instruction of the same kind in the same stage overrides this one. */
function isOverridden(ctx: RuleContext, instr: Instruction): boolean {
  const stage = ctx.model.stages[instr.stage]!;
  return stage.instructions.some((i) => i.index > instr.index && i.command.keyword === instr.command.keyword);
}

function replaceInstruction(ctx: RuleContext, instr: Instruction, text: string) {
  const { model } = ctx;
  const last = model.lines[instr.endLine]!;
  return { start: lineStart(model, instr.startLine), end: lineEndWithEol(model, instr.endLine), text: text + last.eol };
}

/** Instructions (CMD) that have an ENTRYPOINT in effect: earlier in the stage, or inherited from a parent stage. */
function stageEntrypoints(ctx: RuleContext): Set<number> {
  const out = new Set<number>();
  const finalHasEntrypoint: boolean[] = [];
  for (const stage of ctx.model.stages) {
    let has = stage.parent !== null ? (finalHasEntrypoint[stage.parent] ?? false) : false;
    for (const instr of stage.instructions) {
      if (instr.command.keyword === "ENTRYPOINT") has = true;
      else if (instr.command.keyword === "CMD" && has) out.add(instr.index);
    }
    // a later ENTRYPOINT applies to the CMD too, whatever the order
    const entrypointAnywhere = stage.instructions.some((i) => i.command.keyword === "ENTRYPOINT");
    if (entrypointAnywhere) for (const i of stage.instructions) if (i.command.keyword === "CMD") out.add(i.index);
    finalHasEntrypoint[stage.index] = has;
  }
  return out;
}

/**
 * The exec-form arguments for shell text, when it is one simple command of
 * literal words (a leading `exec` dropped). For one simple command that
 * needs the shell only for expansions, an unsafe `/bin/sh -c "exec ..."`.
 */
export function planExecForm(text: string, shell: readonly string[] = DEFAULT_SHELL): ExecFormPlan | null {
  const root = shellTree(text);
  if (root.children.some((c) => c.type === "ERROR") || hasErrorNode(root)) return null;
  const statements = topLevelStatements(root);
  if (!statements || statements.length !== 1 || statements[0]!.separator !== null) return null;
  const stmt = statements[0]!.node;
  if (stmt.type !== "command") return null;
  for (const n of walk(stmt)) if (NOT_SIMPLE.has(n.type)) return null;
  const cmd = asSimpleCommand(stmt);
  if (!cmd || cmd.words.length === 0 || cmd.assignments.length > 0 || cmd.redirects.length > 0) return null;
  const literal = cmd.words.map(literalWord);
  let words = cmd.words;
  let values = literal;
  if (values[0] === "exec") {
    words = words.slice(1);
    values = values.slice(1);
    if (words.length === 0) return null;
  }
  const name = values[0];
  if (name === null || name === undefined || name === "" || SHELL_ONLY.has(name) || name.startsWith("-")) {
    return null;
  }
  if (values.every((v) => v !== null)) {
    // dash's echo interprets backslashes and knows no options, /bin/echo (coreutils) does the opposite
    if ((name === "echo" || name.endsWith("/echo")) && values.slice(1).some((v) => v!.includes("\\") || v!.startsWith("-"))) return null;
    return { args: values as string[], unsafeReason: null };
  }
  // Expansions need the shell: `exec` keeps the program as PID 1. `exec echo` runs /bin/echo, not the builtin.
  if (name === "echo" || name.endsWith("/echo") || words.some((w) => !expandsToOneWord(w))) return null;
  const body = text.slice(words[0]!.start).trimEnd();
  // the SHELL in effect (a plain `sh -c` or `bash -c`, see isPlainPosixShell) keeps running it
  return {
    args: [...shell, `exec ${body}`],
    unsafeReason: `the command needs the shell for its expansions (variables, globs, ...), so it still runs through ${shell[0]}, as \`exec\`, which makes it PID 1`,
  };
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
