/**
 * consecutive-run: two adjacent RUNs of a stage joined into one (hadolint
 * DL3059), with merge-cleanup-run's shell-state rules (planJoin). Off by
 * default: it changes the image's layers and its build cache.
 */
import type { DockerfileModel, Instruction } from "../model/model.js";
import { parseNameVal, parseWords } from "../model/command.js";
import { shellKindOf } from "../meaning/meaning.js";
import { topLevelStatements, type ShellNode, type SimpleCommand } from "../shell/tree.js";
import { isCheckComment, trimCommentLine } from "../model/scan.js";
import { argsLogicalOffset, attachedCommentsStart, expectedKey, indentOf, inputLine, isBlankLine, keywordSpan, lineEndWithEol, lineStart, mountsShareable, sourceOffsetOfLogical, suppressedRules } from "./helpers.js";
import { checkJoin } from "../shell/join-check.js";
import { analyse, planJoin, type JoinPlan } from "../shell/join-plan.js";
import { SHELL_STARTUP_VARIABLES, readsShellPosition, shellSetsErrexit, stateEffects } from "../shell/shell-state.js";
import type { Edit, Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "consecutive-run";

export interface RunAnalysis {
  root: ShellNode;
  commands: SimpleCommand[];
}

/** The shell text's tree, or null when it cannot be joined (join-plan's analyse: a comment, a heredoc, a parse error, a blank sh does not read as one). */
export function analyseRun(text: string): RunAnalysis | null {
  return analyse(text);
}

/** A shell-form RUN under a POSIX shell, without heredocs, whose last line does not continue. */
export function isJoinableRun(ctx: RuleContext, instr: Instruction): boolean {
  const c = instr.command;
  if (c.keyword !== "RUN" || c.json || c.args === "" || instr.heredocs.length > 0) return false;
  const last = instr.lines[instr.lines.length - 1]!;
  if (last.kind !== "content" || last.continues) return false;
  return shellKindOf(ctx.shells[instr.index] ?? null, ctx.model.escape) === "posix";
}

/** ENV or ARG that sets a variable the shell reads at start-up or takes its options from: then one shell is not two. */
export function setsShellStartup(model: DockerfileModel): boolean {
  const names = SHELL_STARTUP_VARIABLES;
  return model.instructions.some((i) => {
    const kw = i.command.keyword;
    if (kw === "ARG") return parseWords(i.command.args, model.escape).some((w) => names.has(w.split("=", 1)[0]!));
    if (kw !== "ENV") return false;
    try {
      return parseNameVal(i.command.args, "ENV", model.escape).some((p) => names.has(p.name));
    } catch {
      return true;
    }
  });
}


/**
 * The edits that append `tail` (shell text as it stands in the source, its
 * own continuation lines included) to R1 after ` && `, on a continuation
 * line indented like R1's, with R1 in ( ) and the tail in ( ) as the plan
 * says; `commentLines` go on their own lines before it (BuildKit drops
 * comment lines inside a continuation). The merged argument text, for the
 * meaning check. Null when R1 does not end in a way `&&` can follow.
 */
export function appendToRun(
  ctx: RuleContext,
  r1: Instruction,
  a1: RunAnalysis,
  tail: { source: string; args: string },
  plan: JoinPlan,
  commentLines: string[] = [],
): { edits: Edit[]; mergedArgs: string } | null {
  const { model } = ctx;
  const statements = topLevelStatements(a1.root);
  if (!statements || statements.length === 0 || statements[statements.length - 1]!.separator !== null) return null;
  const lastLine = model.lines[r1.endLine]!;
  const r1End = lastLine.start + lastLine.text.replace(/[ \t]+$/, "").length;
  const content = r1.lines.filter((l) => l.kind === "content");
  // like R1's first continuation line: the same indent however many RUNs were joined before
  const indent = content.length > 1 ? indentOf(model.lines[content[1]!.line]!.text) || "    " : "    ";
  const { wrapInstall: wrap1, wrapCleanup: wrap2 } = plan;
  const joined =
    `${wrap1 ? " )" : ""} && ${model.escape}${model.eol}` +
    commentLines.map((c) => `${indent}${c}${model.eol}`).join("") +
    `${indent}${wrap2 ? "( " : ""}${tail.source}${wrap2 ? " )" : ""}`;
  const edits: Edit[] = [];
  if (wrap1) {
    const at = sourceOffsetOfLogical(model, r1, argsLogicalOffset(r1));
    edits.push({ start: at, end: at, text: "( " });
  }
  edits.push({ start: r1End, end: lastLine.start + lastLine.text.length, text: joined });
  const args1 = r1.command.args;
  const mergedArgs = `${wrap1 ? `( ${args1} )` : args1} && ${wrap2 ? `( ${tail.args} )` : tail.args}`;
  return { edits, mergedArgs };
}

export const consecutiveRun: RegisteredRule = {
  id: ID,
  summary: "Join a RUN with the RUN right after it in the same stage, so the stage has one layer fewer (off by default)",
  safety: "safe",
  buildkit: [],
  hadolint: ["DL3059"],
  defaultEnabled: false,
  docs: {
    whatItDoes:
      "Finds two RUN instructions next to each other in a stage (only blank lines and comments between them) with the same flags, and joins the second onto the first with `&&`, on a continuation line. Off by default, because it changes how the image is cached: select it with `--extend-select consecutive-run`.",
    why:
      "Each RUN makes a layer and a history entry; several consecutive RUNs make more layers than the image needs, and files a later RUN deletes still take space in the earlier layer (hadolint DL3059).",
    example: "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl",
    useInstead: "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl",
    fixSafety:
      "Safe for what the build does: the same commands run in the same order, a failure of the first still fails the build before the second runs, and the second runs as it did in its own shell. The shell-state rules are merge-cleanup-run's (planJoin and stateSeen in src/shell/), with every state change of the first RUN counted as one the second could see: a first RUN that changes directory, variables, `set` options, shopt, traps, umask, aliases, functions, ..., or that ran a program the second runs and may have installed a program (the shell's command hash would run the old one: `pip3 install --upgrade pip` then `pip3 ...`), is wrapped in ( ), and where errexit may be on (set -e in it, a SHELL with -e) nothing is wrapped, so such a pair is joined only when plain `&&` keeps errexit working, or not at all; a second RUN that is more than one `&&` chain is wrapped too. Before the fix is offered, the joined text is checked by src/shell/join-check.ts, which re-reads it from the trees without the plan. Never joined: different flags, a tmpfs or read-write bind mount (each RUN starts it afresh), heredocs, a `#` comment or a background job in the first (`&`, `coproc`, `&>`, which dash reads as `&`), a second that reads $LINENO, $SECONDS, $_ and the like, non-POSIX shells, files whose ENV or ARG set SHELLOPTS, BASH_ENV, ENV or BASHOPTS, and a `# check=` comment between the two (BuildKit applies it to the instruction after it, which the join would change). Side effects, the reason it is off by default: one layer and history entry fewer, a new cache key for the joined RUN (editing either part reruns both, and a change to the second no longer reuses the cached first). Assumed: a system package manager never installs a package manager earlier on PATH than where it is.",
    facts: [
      "Both RUNs must be in the same stage with nothing between them but blank lines and comments, both shell form, without heredocs, under a POSIX SHELL; the SHELL is then the same for both.",
      "Their flags must be identical (--mount, --network, --security, --device): a join that drops or adds one changes the build. tmpfs mounts and read-write bind mounts start afresh in each RUN, so they block the join; cache, secret, ssh and read-only bind mounts are the same for both.",
      "With `R1 && R2`, cd, set options, shopt, exit, traps, umask, aliases, functions, variables and the command hash of R1 leak into R2: join with plain `&&` only when R1 changes no shell state R2 could see, else wrap `( R1 ) && R2`, or do not join; never add `set -e`.",
      "errexit is ignored in every command left of `&&`, subshells and compound commands included: so no wrap is used when errexit may be on, and R1's last statement must then be simple commands joined by pipes, && or ||.",
      "Continuation lines are joined without a newline, so a `#` comment in R1 would swallow R2: no join. No join when R1 starts anything in the background (`&`).",
      "Comments above R2 move with it, as comment lines inside the continuation, which BuildKit drops.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    let startup: boolean | null = null;
    for (const stage of model.stages) {
      const list = stage.instructions;
      for (let i = 0; i + 1 < list.length; i++) {
        const r1 = list[i]!;
        const r2 = list[i + 1]!;
        if (r1.command.keyword !== "RUN" || r2.command.keyword !== "RUN") continue;
        if (suppressedRules(model, r1).has(ID) || suppressedRules(model, r2).has(ID)) continue;
        // the second RUN's keyword; lines named as the input has them, whatever earlier joins moved
        const where = { rule: ID, line: r2.startLine + 1, column: 1, span: keywordSpan(model, r2), instruction: r2.index };
        const report = (why: string) =>
          findings.push({ ...where, message: `this RUN follows the RUN on line ${inputLine(ctx, r1.startLine)}: one RUN would make one layer fewer (not joined: ${why})`, fix: null });
        if (!isJoinableRun(ctx, r1) || !isJoinableRun(ctx, r2)) {
          report("exec form, heredocs or a shell that is not POSIX");
          continue;
        }
        if (JSON.stringify(r1.command.flags) !== JSON.stringify(r2.command.flags)) {
          report("their flags differ");
          continue;
        }
        if (!mountsShareable(r1)) {
          report("a tmpfs or read-write bind mount starts afresh in each RUN");
          continue;
        }
        startup ??= setsShellStartup(model);
        if (startup) {
          report("ENV or ARG sets a variable the shell reads when it starts (SHELLOPTS, BASH_ENV, ENV, BASHOPTS)");
          continue;
        }
        if (checkCommentBetween(model, r1, r2)) {
          report("a `# check=` comment stands between them (BuildKit reads it as lint settings for the instruction after it)");
          continue;
        }
        const a1 = analyseRun(r1.command.args);
        const a2 = analyseRun(r2.command.args);
        if (!a1 || !a2) {
          report("a shell comment, a heredoc or text the shell parser does not read");
          continue;
        }
        if (readsShellPosition(a2.root)) {
          report("the second RUN reads $LINENO, $SECONDS, $_ or the like");
          continue;
        }
        // any state the first RUN leaves may reach an arbitrary second RUN (stateSeen): wrap, or no join under errexit
        const planned = planJoin(stateEffects(a1.root), a1, a2, a2.commands, shellSetsErrexit(ctx.shells[r1.index] ?? null), false);
        if ("reason" in planned) {
          report(`the first RUN ${planned.reason.replace("the cleanup deletes", "the second runs")}`);
          continue;
        }
        const plan = planned;
        const finding = planJoinText(ctx, r1, r2, a1, plan);
        // the join checked by a reading that does not take the plan (src/shell/join-check.ts)
        const problem = finding ? checkJoin([r1.command.args, r2.command.args], finding.mergedArgs, { errexitFromOutside: shellSetsErrexit(ctx.shells[r1.index] ?? null), lastIsCleanup: false }) : null;
        if (problem !== null) {
          report(`the joined RUN failed its check: ${problem}`);
          continue;
        }
        if (finding) findings.push(finding.finding);
        else report("the first RUN does not end where `&&` can follow");
        i++; // one join per pair; the engine re-checks after applying
      }
    }
    return findings;
  },
};

/** A comment line between two instructions that BuildKit reads as `check=` lint settings for the next instruction (linter.WithMergedConfigFromComments). */
function checkCommentBetween(model: DockerfileModel, r1: Instruction, r2: Instruction): boolean {
  for (let l = r1.endLine + 1; l < r2.startLine; l++) {
    if (model.lineKinds[l] === "comment" && isCheckComment(model.lines[l]!.text)) return true;
  }
  return false;
}

function planJoinText(ctx: RuleContext, r1: Instruction, r2: Instruction, a1: RunAnalysis, plan: JoinPlan): { finding: Finding; mergedArgs: string } | null {
  const { model } = ctx;
  const source = model.bom ? model.source.slice(1) : model.source;
  const r2ArgsAt = sourceOffsetOfLogical(model, r2, argsLogicalOffset(r2));
  const r2End = model.lines[r2.endLine]!.start + model.lines[r2.endLine]!.text.length;
  const body = source.slice(r2ArgsAt, r2End).replace(/[ \t]+$/, "");
  const commentsFrom = attachedCommentsStart(model, r2);
  const comments: string[] = [];
  for (let l = commentsFrom; l < r2.startLine; l++) comments.push(trimCommentLine(model.lines[l]!.text));
  const joined = appendToRun(ctx, r1, a1, { source: body, args: r2.command.args }, plan, comments);
  if (!joined) return null;
  const edits = joined.edits;
  // R2 goes, with the comments above it and the blank lines between the two
  let deleteFrom = commentsFrom;
  while (deleteFrom - 1 > r1.endLine && isBlankLine(model, deleteFrom - 1)) deleteFrom--;
  if (deleteFrom - 1 !== r1.endLine) {
    // comments between the two that do not belong to R2 stay; one blank line of a pair goes
    deleteFrom = commentsFrom;
    const after = r2.endLine + 1;
    if (isBlankLine(model, deleteFrom - 1) && (after >= model.lines.length || isBlankLine(model, after))) deleteFrom--;
  }
  let deleteStart = lineStart(model, deleteFrom);
  if (model.lines[r2.endLine]!.eol === "") {
    const before = model.lines[deleteFrom - 1]!;
    deleteStart = before.start + before.text.length;
  }
  edits.push({ start: deleteStart, end: lineEndWithEol(model, r2.endLine), text: "" });
  const expected = expectedKey(model, { ...r1.command, args: joined.mergedArgs }, ctx.shells[r1.index] ?? null, r1.startLine);
  const how = plan.wrapInstall ? " (the first in a subshell, so its shell state does not reach the second)" : "";
  const finding: Finding = {
    rule: ID,
    line: r2.startLine + 1,
    column: 1,
    span: keywordSpan(model, r2),
    instruction: r2.index,
    message: `this RUN follows the RUN on line ${inputLine(ctx, r1.startLine)}: join them${how}, one layer fewer`,
    fix: {
      safety: "safe",
      description: `join onto the RUN on line ${inputLine(ctx, r1.startLine)}`,
      edits,
      declares: { removed: [r2.index], replaced: new Map([[r1.index, expected]]), joins: [{ into: r1.index, parts: [r1.index, r2.index], context: { errexitFromOutside: shellSetsErrexit(ctx.shells[r1.index] ?? null), lastIsCleanup: false } }] },
    },
  };
  return { finding, mergedArgs: joined.mergedArgs };
}
