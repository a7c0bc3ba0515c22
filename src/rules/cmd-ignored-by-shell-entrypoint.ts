/**
 * cmd-ignored-by-shell-entrypoint: a CMD that can never run, because the
 * ENTRYPOINT in effect is in shell form (`/bin/sh -c "text"`), which ignores
 * CMD and `docker run` arguments. Report only: the fix is
 * entrypoint-exec-form's rewrite of the ENTRYPOINT (unsafe), or removing the CMD.
 */
import type { Instruction, Stage } from "../model/model.js";
import { walk } from "../shell/tree.js";
import { Inheritance, argsSpan, buildkitAccepts, inputLine, isPlainPosixShell, shTree, suppressedRules } from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "cmd-ignored-by-shell-entrypoint";

/** The special parameters through which `sh -c TEXT a b ...` reads its extra arguments ($0, $1, ..., $@, $*, $#). */
const POSITIONAL_SPECIALS = new Set(["@", "*", "#"]);

export const cmdIgnoredByShellEntrypoint: RegisteredRule = {
  id: ID,
  summary: "Report a CMD that never runs because the ENTRYPOINT in effect is in shell form, which ignores CMD and `docker run` arguments",
  safety: "none",
  buildkit: [],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports the CMD of a stage (the last one: earlier ones are no-shadowed-cmd's) when the ENTRYPOINT in effect at the end of the stage is in shell form: one of the stage's own, or one inherited from the stage it is built FROM in this file. On by default. It has no fix of its own: the message points at entrypoint-exec-form's rewrite of the ENTRYPOINT (an unsafe fix, applied with --unsafe-fixes), or the CMD can be removed.",
    why:
      "A shell-form ENTRYPOINT runs `/bin/sh -c \"text\"`, and the container's command line is the ENTRYPOINT followed by the CMD: the CMD's words become the shell's $0, $1, ..., which the text never reads. The CMD, and any arguments given to `docker run`, are silently dropped; readers take the CMD for what the container runs.",
    example: 'FROM python:3.12\nENTRYPOINT python app.py\nCMD ["--port", "8080"]',
    useInstead: 'FROM python:3.12\nENTRYPOINT ["python", "app.py"]\nCMD ["--port", "8080"]',
    fixSafety:
      "No fix of its own. The usual fix is entrypoint-exec-form's: the ENTRYPOINT in exec form, which then receives the CMD's words (unsafe: it changes the command line the container runs, to what the CMD meant). Where the CMD was never meant, remove it. Left alone: an ENTRYPOINT text that reads the extra arguments ($0, $1, ..., $@, $*, $#: the CMD reaches it as those), a stage whose ENTRYPOINT depends on a build argument (FROM $BASE: several possibilities), a SHELL that is not a plain POSIX `sh -c`/`bash -c` (or a Windows stage), and a CMD BuildKit rejects. An ENTRYPOINT inherited from a base image outside this file cannot be seen.",
    facts: [
      "dockerfile2llb/convert.go dispatchEntrypoint: shell form becomes the SHELL in effect plus the text; the container runs Entrypoint followed by Cmd (or the `docker run` arguments).",
      "`sh -c 'text' a b` gives a and b to the script as $0 and $1, which a text that does not read them ignores.",
      "An ENTRYPOINT clears an inherited CMD unless a CMD was set earlier in the same stage: a CMD inherited from the base stage is no longer in effect once the stage sets its own ENTRYPOINT, so only a CMD of the stage itself is reported.",
      "A stage built FROM an earlier stage inherits its CMD, ENTRYPOINT and SHELL; only the last CMD and the last ENTRYPOINT of a stage take effect.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    const inheritance = new Inheritance(ctx);
    for (const stage of model.stages) {
      const cmds = stage.instructions.filter((i) => i.command.keyword === "CMD");
      const cmd = cmds[cmds.length - 1];
      if (!cmd || !buildkitAccepts(cmd.command) || suppressedRules(model, cmd).has(ID)) continue;
      const entry = ignoringEntrypoint(ctx, inheritance, cmd);
      if (!entry) continue;
      const where = stage.instructions.includes(entry) ? "" : ` (inherited from stage ${model.stages[entry.stage]!.name ?? entry.stage})`;
      findings.push({
        rule: ID,
        line: cmd.startLine + 1,
        column: 1,
        // the CMD's command text
        span: argsSpan(model, cmd),
        instruction: cmd.index,
        message: `this CMD never runs: the shell-form ENTRYPOINT on line ${inputLine(ctx, entry.startLine)}${where} ignores CMD and \`docker run\` arguments; write the ENTRYPOINT in exec form so it receives them (entrypoint-exec-form, an unsafe fix with --unsafe-fixes), or remove this CMD`,
        fix: null,
      });
    }
    return findings;
  },
};

/**
 * The shell-form ENTRYPOINT that makes a CMD dead: the CMD is the last of
 * its stage, and the ENTRYPOINT certainly in effect at the end of the stage
 * is in shell form and its text ignores its extra arguments. Null otherwise.
 * cmd-exec-form leaves such a CMD alone: its form does not matter while it
 * never runs.
 */
export function ignoringEntrypoint(ctx: RuleContext, inheritance: Inheritance, cmd: Instruction): Instruction | null {
  const stage = ctx.model.stages[cmd.stage]!;
  if (stage.instructions.some((i) => i.index > cmd.index && i.command.keyword === "CMD")) return null;
  return shellEntrypoint(ctx, inheritance, stage);
}

/** The shell-form ENTRYPOINT certainly in effect at the end of the stage, whose text ignores its extra arguments; null otherwise. */
function shellEntrypoint(ctx: RuleContext, inheritance: Inheritance, stage: Stage): Instruction | null {
  const states = inheritance.finalEntrypoints(stage);
  if (states.length !== 1 || states[0]!.kind !== "shell" || states[0]!.instruction === null) return null;
  const entry = ctx.model.instructions[states[0]!.instruction]!;
  if (entry.heredocs.length > 0 || !buildkitAccepts(entry.command)) return null;
  // the SHELL the ENTRYPOINT was written under decides how it reads its arguments
  if (!isPlainPosixShell(ctx.shells[entry.index] ?? null, ctx.model)) return null;
  return readsArguments(entry.command.args) ? null : entry;
}

/** Whether the shell text reads the arguments after it ($0, $1, ..., $@, $*, $#), or may (a text tree-sitter cannot read). */
function readsArguments(text: string): boolean {
  const tree = shTree(text);
  if (!tree) return true;
  for (const n of walk(tree.root)) {
    if (n.type === "ERROR") return true;
    if (n.type === "special_variable_name" && POSITIONAL_SPECIALS.has(n.text)) return true;
    if (n.type === "variable_name" && /^[0-9]+$/.test(n.text)) return true;
  }
  return false;
}
