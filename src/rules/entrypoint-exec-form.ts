/**
 * entrypoint-exec-form: a shell-form ENTRYPOINT written as a JSON exec-form
 * array. Always an unsafe fix: exec form appends CMD and `docker run`
 * arguments, which shell form ignores.
 */
import { execFormText, planExecForm } from "./cmd-exec-form.js";
import { argsSpan, buildkitAccepts, expectedKey, isPlainPosixShell, lineEndWithEol, lineStart, suppressedRules } from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "entrypoint-exec-form";
const DEFAULT_SHELL: readonly string[] = ["/bin/sh", "-c"];

export const entrypointExecForm: RegisteredRule = {
  id: ID,
  summary: "Write a shell-form ENTRYPOINT as a JSON exec-form array, so the program runs as PID 1 (an unsafe fix)",
  safety: "unsafe",
  buildkit: ["JSONArgsRecommended"],
  hadolint: ["DL3025"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports `ENTRYPOINT program arg ...` in shell form and, with --unsafe-fixes, rewrites it as `ENTRYPOINT [\"program\", \"arg\", ...]` when the shell text is one simple command of literal words (a leading `exec` dropped), or as `[\"/bin/sh\", \"-c\", \"exec ...\"]` when that one command needs the shell for variables. On by default: it reports, and its fix, which is unsafe, is applied only with --unsafe-fixes (the shell as PID 1 is the production pitfall: `docker stop` waits, then kills).",
    why:
      "Shell form runs `/bin/sh -c \"...\"` as PID 1: `docker stop` sends SIGTERM to the shell, which does not pass it on, and the container is killed after the timeout; and CMD and `docker run` arguments never reach the program (BuildKit's JSONArgsRecommended, hadolint DL3025).",
    example: "FROM alpine\nENTRYPOINT /usr/bin/serve --port 80",
    useInstead: 'FROM alpine\nENTRYPOINT ["/usr/bin/serve", "--port", "80"]',
    fixSafety:
      "Unsafe, always: a shell-form ENTRYPOINT is `/bin/sh -c \"text\"` and ignores CMD and `docker run` arguments (they become the shell's $0, $1, ...); exec form appends them to the program's arguments, so an image with a CMD, inherited from its base included, or run with arguments, runs a different command line. The `[\"/bin/sh\", \"-c\", \"exec ...\"]` form keeps ignoring them but runs the program in place of the shell. Left alone: an ENTRYPOINT a later one overrides (no-shadowed-cmd removes it), one under a SHELL that is not a plain POSIX `sh -c`/`bash -c` (or in a Windows stage), with heredocs, or that BuildKit rejects.",
    facts: [
      "dockerfile2llb/convert.go dispatchEntrypoint: shell form becomes the SHELL in effect plus the text (withShell); `Config.Entrypoint` is that array, and the container runs Entrypoint followed by Cmd (or the `docker run` arguments).",
      "`sh -c 'text' a b` gives a and b to the script as $0 and $1, which a text that does not read them ignores.",
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; the whole instruction is replaced, continuation lines included; its comment lines, and a shell comment after the command, move to lines of their own above it.",
      "The array must hold exactly the words /bin/sh passes to the program: tree-sitter-bash's reading and the quote scan of src/shell/literal-words.ts (dash's and bash's dialects) must agree, as for cmd-exec-form; where they differ (a blanks-only or `$`-ending double-quoted string, an escaped blank before `#`) the ENTRYPOINT is reported without a fix. The fix engine checks every conversion again with the scan.",
      "BuildKit expands no variables in ENTRYPOINT: the shell does, so text with expansions, operators, redirects, globs or builtins is converted only to the `sh -c \"exec ...\"` form, when it is one simple command, or not at all.",
      "An ENTRYPOINT clears an inherited CMD unless a CMD was set earlier in the same stage.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      const cmd = instr.command;
      if (cmd.keyword !== "ENTRYPOINT" || cmd.json || cmd.args === "" || instr.heredocs.length > 0) continue;
      const stage = model.stages[instr.stage]!;
      if (stage.instructions.some((i) => i.index > instr.index && i.command.keyword === "ENTRYPOINT")) continue;
      if (suppressedRules(model, instr).has(ID) || !buildkitAccepts(cmd)) continue;
      const shell = ctx.shells[instr.index] ?? null;
      if (!isPlainPosixShell(shell, model)) continue;
      // the command text after the keyword
      const where = { rule: ID, line: instr.startLine + 1, column: 1, span: argsSpan(model, instr), instruction: instr.index };
      const plan = planExecForm(cmd.args, shell ?? DEFAULT_SHELL);
      if (!plan) {
        findings.push({
          ...where,
          message: "shell-form ENTRYPOINT: the shell is PID 1 and CMD and `docker run` arguments never reach the program (not fixed: the text is more than one simple command)",
          fix: null,
        });
        continue;
      }
      if (plan.refusal) {
        findings.push({ ...where, message: `shell-form ENTRYPOINT: the shell is PID 1 and CMD and \`docker run\` arguments never reach the program (not fixed: ${plan.refusal})`, fix: null });
        continue;
      }
      const json = `[${plan.args.map((a) => JSON.stringify(a)).join(", ")}]`;
      // comment lines inside the instruction, and a comment after the command, move above it
      const text = execFormText(model, instr, json, plan.comment);
      if (text === null) continue;
      const key = expectedKey(model, { ...cmd, args: json, json: plan.args }, shell, instr.startLine);
      const reason = plan.unsafeReason
        ? `${plan.unsafeReason}; CMD and \`docker run\` arguments stay ignored`
        : "exec form appends CMD and `docker run` arguments, which shell form ignores";
      findings.push({
        ...where,
        message: `shell-form ENTRYPOINT could be ${json}, but that is an unsafe fix: ${reason}`,
        fix: {
          safety: "unsafe",
          description: `rewrite as ${json}`,
          edits: [{ start: lineStart(model, instr.startLine), end: lineEndWithEol(model, instr.endLine), text: text + model.lines[instr.endLine]!.eol }],
          declares: { removed: [], replaced: new Map([[instr.index, key]]) },
        },
      });
    }
    return findings;
  },
};
