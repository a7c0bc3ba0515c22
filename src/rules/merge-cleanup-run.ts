import type { DockerfileModel, Instruction } from "../model/model.js";
import { shellKindOf } from "../meaning/meaning.js";
import {
  allCommands,
  andOrChain,
  literalWord,
  shellTree,
  topLevelStatements,
  walk,
  type ShellNode,
  type SimpleCommand,
} from "../shell/tree.js";
import {
  argsLogicalOffset,
  attachedCommentsStart,
  expectedKey,
  indentOf,
  lineEndWithEol,
  lineStart,
  sourceOffsetOfLogical,
  suppressedRules,
} from "./helpers.js";
import { isFlatStatement, shellSetsErrexit, stateEffects, type ShellStateEffects } from "./shell-state.js";
import type { Edit, Finding, Rule, RuleContext } from "./types.js";

const ID = "merge-cleanup-run";

/** Instructions that neither touch the filesystem nor the environment of a RUN. */
const TRANSPARENT = new Set(["LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL", "MAINTAINER", "ONBUILD"]);

/** Package managers and the subcommands that install. */
const INSTALLS: Record<string, Set<string>> = {
  "apt-get": new Set(["install", "upgrade", "dist-upgrade", "build-dep"]),
  apt: new Set(["install", "upgrade", "full-upgrade"]),
  aptitude: new Set(["install"]),
  apk: new Set(["add", "upgrade"]),
  yum: new Set(["install", "update", "upgrade", "groupinstall"]),
  dnf: new Set(["install", "update", "upgrade", "groupinstall"]),
  microdnf: new Set(["install", "update", "upgrade"]),
  tdnf: new Set(["install", "update", "upgrade"]),
  zypper: new Set(["install", "in", "update", "up"]),
  pip: new Set(["install"]),
  pip3: new Set(["install"]),
  npm: new Set(["install", "i", "ci"]),
  yarn: new Set(["install", "add"]),
  pnpm: new Set(["install", "add", "i"]),
  gem: new Set(["install"]),
  conda: new Set(["install", "create"]),
  mamba: new Set(["install", "create"]),
  micromamba: new Set(["install", "create"]),
  composer: new Set(["install", "require"]),
};

/** Package-manager subcommands that only clean up. */
const CLEANUPS: Record<string, Set<string>> = {
  "apt-get": new Set(["clean", "autoclean", "autoremove", "purge", "remove"]),
  apt: new Set(["clean", "autoclean", "autoremove", "purge", "remove"]),
  apk: new Set(["del", "cache"]),
  yum: new Set(["clean", "autoremove", "remove", "erase"]),
  dnf: new Set(["clean", "autoremove", "remove", "erase"]),
  microdnf: new Set(["clean", "remove"]),
  tdnf: new Set(["clean", "autoremove", "remove", "erase"]),
  zypper: new Set(["clean", "cc", "remove", "rm"]),
  pip: new Set(["cache"]),
  pip3: new Set(["cache"]),
  npm: new Set(["cache"]),
  yarn: new Set(["cache"]),
  pnpm: new Set(["store"]),
  gem: new Set(["cleanup"]),
  conda: new Set(["clean"]),
  mamba: new Set(["clean"]),
  micromamba: new Set(["clean"]),
};

const INSTALL_PROGRAMS = Object.keys(INSTALLS);
const CLEANUP_PROGRAMS = [...Object.keys(CLEANUPS), "rm", "find"];

/**
 * Whether the text contains one of the program names at all. Only a filter
 * that saves parsing shell text that cannot match: a program the tree would
 * recognise is always spelled out literally in the text.
 */
function mentionsAny(text: string, names: readonly string[]): boolean {
  return names.some((n) => text.includes(n));
}

/**
 * False only when the text certainly does not start with a cleanup command:
 * it opens with a plain word (letters, digits, `_./+-`, no quotes, escapes
 * or expansions) followed by a blank, which is then the first command's name
 * or a reserved word, and that word names no cleanup program. Anything less
 * plain is left to the tree. Saves parsing long RUN scripts that follow a RUN.
 */
function mayStartWithCleanup(text: string): boolean {
  let end = 0;
  while (end < text.length && /[A-Za-z0-9_./+-]/.test(text[end]!)) end++;
  if (end === 0 || (end < text.length && text[end] !== " " && text[end] !== "\t")) return true;
  const word = text.slice(0, end);
  const name = word.slice(word.lastIndexOf("/") + 1);
  return CLEANUP_PROGRAMS.includes(name) || /^python[0-9.]*$/.test(name);
}

const BLOCKING_NODES = new Set(["heredoc_redirect", "comment", "ERROR"]);

function programName(words: ShellNode[]): { name: string | null; rest: ShellNode[] } {
  // `python -m pip install ...` is pip; `sudo`/`env` are not followed
  const first = words[0] ? literalWord(words[0]) : null;
  if (first && /(^|\/)python[0-9.]*$/.test(first) && words[1] && literalWord(words[1]) === "-m" && words[2]) {
    return { name: literalWord(words[2]), rest: words.slice(3) };
  }
  return { name: first ? (first.split("/").pop() ?? first) : null, rest: words.slice(1) };
}

/** The first argument that is not an option. */
function subcommand(rest: ShellNode[]): string | null {
  for (const w of rest) {
    const v = literalWord(w);
    if (v === null) return null;
    if (!v.startsWith("-")) return v;
  }
  return null;
}

export function isInstall(cmd: SimpleCommand): boolean {
  const { name, rest } = programName(cmd.words);
  if (!name) return false;
  const sub = subcommand(rest);
  return sub !== null && (INSTALLS[name]?.has(sub) ?? false);
}

/** `true` and `:` (as in `rm -f x || true`): no effect at all. */
function isNoop(cmd: SimpleCommand): boolean {
  if (cmd.assignments.length > 0 || cmd.redirects.length > 0 || cmd.words.length !== 1) return false;
  const name = literalWord(cmd.words[0]!);
  return name === "true" || name === ":";
}

/** A command that only deletes files or caches, written without expansions. */
export function isCleanup(cmd: SimpleCommand): boolean {
  if (cmd.assignments.length > 0 || cmd.redirects.length > 0) return false;
  for (const w of cmd.words) {
    for (const n of walk(w)) {
      if (n.type === "simple_expansion" || n.type === "expansion" || n.type === "command_substitution" || n.type === "process_substitution" || n.type === "arithmetic_expansion") {
        return false;
      }
    }
  }
  const { name, rest } = programName(cmd.words);
  if (!name) return false;
  if (name === "rm") return rest.length > 0;
  if (name === "find") {
    const args = rest.map((w) => w.text);
    return args.includes("-delete") && !args.some((a) => a.startsWith("-exec") || a === "-ok" || a === "-okdir");
  }
  const sub = subcommand(rest);
  if (sub === null || !(CLEANUPS[name]?.has(sub) ?? false)) return false;
  // `pip cache` / `npm cache` / `apk cache` only with a cleaning action
  if (sub === "cache" || sub === "store") {
    const after = rest.map((w) => literalWord(w)).filter((v): v is string => v !== null && !v.startsWith("-"));
    return after.length >= 2 && ["purge", "remove", "clean", "prune"].includes(after[1]!);
  }
  return true;
}

/**
 * The operands of `rm` or `find` (the paths they delete, or search), or null
 * for other commands. find's paths are the words before its first expression.
 */
function pathOperands(cmd: SimpleCommand): string[] | null {
  const { name, rest } = programName(cmd.words);
  const values = rest.map((w) => literalWord(w) ?? w.text);
  if (name === "rm") {
    const dashdash = values.indexOf("--");
    return dashdash === -1 ? values.filter((v) => !v.startsWith("-")) : [...values.slice(0, dashdash).filter((v) => !v.startsWith("-")), ...values.slice(dashdash + 1)];
  }
  if (name === "find") {
    const out: string[] = [];
    for (const v of values) {
      if (v.startsWith("-") || v === "(" || v === "!") break;
      out.push(v);
    }
    return out;
  }
  return null;
}

const isAbsolute = (paths: string[] | null) => paths !== null && paths.length > 0 && paths.every((p) => p.startsWith("/"));

/** Package managers that read configuration from the working directory (.npmrc, .yarnrc, composer.json). */
const READS_CWD = new Set(["npm", "yarn", "pnpm", "composer"]);

/** A cleanup the working directory cannot affect: absolute paths, and package managers that ignore it. */
function cwdIndependent(cmds: SimpleCommand[]): boolean {
  return cmds.every((c) => {
    if (isNoop(c)) return true;
    const paths = pathOperands(c);
    if (paths !== null) return isAbsolute(paths);
    const name = programName(c.words).name;
    return name !== null && !READS_CWD.has(name);
  });
}

/** Variables that change what `rm` with absolute paths does: where it is found, how it reads its options. */
const RM_SENSITIVE_VARIABLES = new Set(["PATH", "POSIXLY_CORRECT", "LD_PRELOAD", "LD_LIBRARY_PATH", "IFS", "ENV", "BASH_ENV", "SHELLOPTS"]);

/** A cleanup that shell variables cannot affect: `rm` of absolute paths (no expansions), with none of the variables rm depends on changed. */
function variablesIndependent(cmds: SimpleCommand[], names: Set<string> | null): boolean {
  if (names === null || [...names].some((n) => RM_SENSITIVE_VARIABLES.has(n))) return false;
  return cmds.every((c) => isNoop(c) || (programName(c.words).name === "rm" && isAbsolute(pathOperands(c))));
}

interface Analysis {
  root: ShellNode;
  commands: SimpleCommand[];
}

function analyse(text: string): Analysis | null {
  const root = shellTree(text);
  for (const n of walk(root)) if (BLOCKING_NODES.has(n.type) || n.type === "MISSING") return null;
  return { root, commands: allCommands(root) };
}

/** R2's commands, if every command of its top-level list cleans up (or is `true`/`:`), and one at least cleans. */
function cleanupCommands(a: Analysis): SimpleCommand[] | null {
  const statements = topLevelStatements(a.root);
  if (!statements || statements.length === 0) return null;
  const out: SimpleCommand[] = [];
  for (const s of statements) {
    if (s.separator === "&") return null;
    const { items } = andOrChain(s.node);
    for (const item of items) {
      if (item.type !== "command") return null;
      const cmd = a.commands.find((c) => c.node === item);
      if (!cmd || !(isCleanup(cmd) || isNoop(cmd))) return null;
      out.push(cmd);
    }
  }
  return out.some((c) => !isNoop(c)) ? out : null;
}

/** R2 is one chain of `&&`: appending it with `&&` keeps its failure semantics. */
function isAndChain(a: Analysis): boolean {
  const statements = topLevelStatements(a.root);
  if (!statements || statements.length !== 1) return false;
  return andOrChain(statements[0]!.node).operators.every((o) => o === "&&");
}

/** ENV or ARG that sets a variable bash reads its options from (errexit could be on without a visible `set -e`). */
function setsShellOptions(model: DockerfileModel): boolean {
  return model.instructions.some(
    (i) => (i.command.keyword === "ENV" || i.command.keyword === "ARG") && /(^|\s)(SHELLOPTS|BASH_ENV)(=|\s|$)/.test(i.command.args),
  );
}

export interface JoinPlan {
  /** `( R1 )`: R1 changes shell state the cleanup depends on. */
  wrapInstall: boolean;
  /** `( R2 )`: R2 is not a single `&&` chain, so a failed R1 must not fall through to part of it. */
  wrapCleanup: boolean;
}

/**
 * How to join R1 and R2 so that R2 runs exactly as it did in its own shell
 * and R1's exit status still decides the build, or null when no join can.
 *
 * - R1 state that R2 could see (cd, variables, functions, exit, traps, ...) is
 *   kept in a subshell, `( R1 )`, unless R2 cannot depend on it (absolute paths, no variables).
 * - errexit (`set -e` in R1, a SHELL with -e, SHELLOPTS) is ignored in
 *   whatever stands left of `&&`, inside subshells and compound commands too
 *   (checked with dash and bash): with errexit possibly on, R1 is never
 *   wrapped and its last statement must be flat (simple commands, pipes, && ||).
 * - `( R2 )` when R2 is more than one `&&` chain; never when R1 turns errexit
 *   on or off for it (R2's own `a; b` would then stop at a failure, or not).
 */
export function planJoin(effects: ShellStateEffects, r1: Analysis, r2: Analysis, r2Commands: SimpleCommand[], errexitFromOutside: boolean): JoinPlan | null {
  if (effects.background) return null;
  const errexit = errexitFromOutside || effects.errexit;
  const dependent =
    effects.control ||
    effects.commandLookup ||
    (effects.cwd && !cwdIndependent(r2Commands)) ||
    (effects.variables && !variablesIndependent(r2Commands, effects.variableNames));
  const wrapCleanup = !isAndChain(r2);
  if (dependent) return errexit ? null : { wrapInstall: true, wrapCleanup };
  if (errexit) {
    const statements = topLevelStatements(r1.root)!;
    if (!isFlatStatement(statements[statements.length - 1]!.node)) return null;
    if (wrapCleanup && effects.errexitLeaks) return null;
  }
  return { wrapInstall: false, wrapCleanup };
}

/**
 * The joined shell text must parse cleanly and have the promised shape: R1's
 * statements (or one subshell), the last of them followed by `&&` and R2's
 * commands (or one subshell). A second line of defence after planJoin.
 */
function joinedAsPlanned(merged: string, r1: Analysis, r2: Analysis, plan: JoinPlan): boolean {
  const m = analyse(merged);
  if (!m) return false;
  const statements = topLevelStatements(m.root);
  const expectedCount = plan.wrapInstall ? 1 : topLevelStatements(r1.root)!.length;
  if (!statements || statements.length !== expectedCount || statements[statements.length - 1]!.separator !== null) return false;
  const chain = andOrChain(statements[statements.length - 1]!.node);
  const r2Items = plan.wrapCleanup ? null : andOrChain(topLevelStatements(r2.root)![0]!.node).items;
  const k = r2Items ? r2Items.length : 1;
  if (chain.items.length <= k || chain.operators[chain.items.length - k - 1] !== "&&") return false;
  const tail = chain.items.slice(-k);
  if (r2Items) return tail.every((n, i) => n.text === r2Items[i]!.text);
  return tail[0]!.type === "subshell" && tail[0]!.text === `( ${r2.root.text.trim()} )`;
}

export const mergeCleanupRun: Rule = {
  id: ID,
  summary: "Merge a package-install RUN with the cleanup RUN after it, so the deleted files never land in a layer",
  safety: "safe",
  docs: {
    whatItDoes:
      "Finds a RUN that installs packages (apt-get, apk, yum, dnf, microdnf, zypper, pip, npm, gem, ...) followed, in the same stage, by a RUN that only cleans up (rm of caches or lists, `clean`, `purge`, `autoremove`, `apk del`, ...), and joins the cleanup onto the install RUN.",
    why:
      "Each RUN is a layer. Files deleted in a later layer still take space in the earlier one, so a cleanup in its own RUN saves nothing (hadolint #63). Joined, the package lists and caches never reach a layer and the image shrinks.",
    example:
      "RUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*",
    useInstead:
      "RUN apt-get update && apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*",
    fixSafety:
      "Safe: the build runs the same commands with the same exit status, and the cleanup runs exactly as it did in its own shell. A failure in the install still fails the build before the cleanup runs. Where the install changes shell state the cleanup could see (cd, variables, functions, exit, traps, eval, ...) it is wrapped in ( ... ), unless the cleanup cannot depend on it (absolute paths, no variables); where errexit may be on (set -e in the install, a SHELL with -e, SHELLOPTS or BASH_ENV set by ENV/ARG) there is no wrapping at all, because `set -e` is ignored inside whatever stands left of `&&`: then the RUNs are merged only when the plain `&&` join keeps errexit working, or not at all. A cleanup that is more than one &&-chain is wrapped too. Side effects: one fewer layer and history entry, a new cache key (one cold rebuild), and editing either part reruns both. A base image that sets SHELLOPTS or BASH_ENV in its environment is not visible here.",
    facts: [
      "Both RUNs must be in the same stage, both shell form, and neither may use heredocs.",
      "Their flags must be identical (--mount, --network, --security, --device): a merge that drops or adds one changes the build.",
      "Only blank lines, comments and instructions that touch neither the filesystem nor the RUN environment may stand between them: ENV, ARG, USER, WORKDIR, SHELL, COPY, ADD, RUN, VOLUME and FROM block the merge.",
      "The SHELL in effect must be a POSIX shell (sh, bash, ash, dash); not powershell, pwsh or cmd.",
      "With `R1 && R2`, cd, set -e, exit, traps and variables of R1 leak into R2: join with plain `&&` only when R2 cannot be affected (absolute paths, no variables, no dependence on the working directory), else wrap `( R1 ) && ( R2 )` or do not merge; never add `set -e` (it changes what `a; b` means).",
      "errexit is ignored in every command left of `&&`, subshells and compound commands included (checked with dash and bash: `( set -e; false; echo x ) && echo y` prints both): so a wrap is never used when errexit may be on, and the install's last statement must then be simple commands joined by pipes, && or ||.",
      "Continuation lines are joined without a newline, so a `#` comment in R1 would swallow R2: no merge. No merge when R1 starts anything in the background (`&`): it would still be running while R2 deletes.",
      "Comments that annotate R2 (`# hadolint ignore=...`) move with it; a comment line inside a continuation is dropped by BuildKit, so it stays valid there.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    let errexitFromOutside: boolean | null = null;
    for (const stage of model.stages) {
      const list = stage.instructions;
      for (let i = 0; i < list.length; i++) {
        const r1 = list[i]!;
        if (!isCandidate(ctx, r1)) continue;
        let j = i + 1;
        while (j < list.length && TRANSPARENT.has(list[j]!.command.keyword)) j++;
        const r2 = list[j];
        if (!r2 || !isCandidate(ctx, r2)) continue;
        if (suppressedRules(model, r2).has(ID) || suppressedRules(model, r1).has(ID)) continue;
        if (JSON.stringify(r1.command.flags) !== JSON.stringify(r2.command.flags)) continue;
        // Cheap necessary conditions before any parse: the cleanup must mention a
        // cleanup program and the install an installer (the tree decides after).
        if (!mentionsAny(r1.command.args, INSTALL_PROGRAMS) || !mayStartWithCleanup(r2.command.args)) continue;
        // the cleanup RUN is usually short: read it first
        const a2 = analyse(r2.command.args);
        if (!a2) continue;
        const r2Commands = cleanupCommands(a2);
        if (!r2Commands) continue;
        const a1 = analyse(r1.command.args);
        if (!a1 || !a1.commands.some(isInstall)) continue;
        errexitFromOutside ??= setsShellOptions(model);
        const shell = ctx.shells[r1.index] ?? null;
        const plan = planJoin(stateEffects(a1.root), a1, a2, r2Commands, errexitFromOutside || shellSetsErrexit(shell));
        if (!plan) continue;
        const finding = planMerge(ctx, r1, r2, a1, a2, plan);
        if (finding) findings.push(finding);
        i = j; // one merge per pair; the engine re-checks after applying
      }
    }
    return findings;
  },
};

function isCandidate(ctx: RuleContext, instr: Instruction): boolean {
  const c = instr.command;
  if (c.keyword !== "RUN" || c.json || c.args === "" || instr.heredocs.length > 0) return false;
  if (instr.lines[instr.lines.length - 1]!.kind !== "content" || instr.lines[instr.lines.length - 1]!.continues) return false;
  return shellKindOf(ctx.shells[instr.index] ?? null, ctx.model.escape) === "posix";
}

function planMerge(ctx: RuleContext, r1: Instruction, r2: Instruction, a1: Analysis, a2: Analysis, plan: JoinPlan): Finding | null {
  const { model } = ctx;
  const eol = model.eol;
  const esc = model.escape;
  const { wrapInstall: wrap1, wrapCleanup: wrap2 } = plan;
  const args2 = r2.command.args;
  const source = model.bom ? model.source.slice(1) : model.source;

  // R1 ends where its last statement ends: a trailing `;` would leave `a; && b`.
  const statements1 = topLevelStatements(a1.root)!;
  const last1 = statements1[statements1.length - 1]!;
  let args1 = r1.command.args;
  const r1LastLine = model.lines[r1.endLine]!;
  let r1End = r1LastLine.start + r1LastLine.text.replace(/[ \t]+$/, "").length;
  if (last1.separator === ";") {
    const semicolon = sourceOffsetOfLogical(model, r1, argsLogicalOffset(r1) + last1.node.end);
    const rest = source.slice(semicolon, r1End);
    if (semicolon < r1LastLine.start || rest.trim() !== ";") return null;
    r1End = semicolon + rest.indexOf(";");
    args1 = args1.slice(0, last1.node.end);
  } else if (last1.separator !== null) return null;

  // Indent the moved cleanup like R1's continuation lines, or four spaces.
  const r1Content = r1.lines.filter((l) => l.kind === "content");
  const indent = r1Content.length > 1 ? indentOf(model.lines[r1Content[r1Content.length - 1]!.line]!.text) || "    " : "    ";

  // R2's own text from its arguments to its end, comments above it first.
  const r2ArgsAt = sourceOffsetOfLogical(model, r2, argsLogicalOffset(r2));
  const r2End = model.lines[r2.endLine]!.start + model.lines[r2.endLine]!.text.length;
  const r2Body = source.slice(r2ArgsAt, r2End).replace(/[ \t]+$/, "");
  const commentsFrom = attachedCommentsStart(model, r2);
  const movedComments: string[] = [];
  for (let l = commentsFrom; l < r2.startLine; l++) movedComments.push(indent + model.lines[l]!.text.trim());

  const mergedArgs = `${wrap1 ? `( ${args1} )` : args1} && ${wrap2 ? `( ${args2} )` : args2}`;
  if (!joinedAsPlanned(mergedArgs, a1, a2, plan)) return null;

  const joined =
    `${wrap1 ? " )" : ""} && ${esc}${eol}` +
    movedComments.map((c) => c + eol).join("") +
    `${indent}${wrap2 ? "( " : ""}${r2Body}${wrap2 ? " )" : ""}`;

  const edits: Edit[] = [];
  if (wrap1) {
    const at = sourceOffsetOfLogical(model, r1, argsLogicalOffset(r1));
    edits.push({ start: at, end: at, text: "( " });
  }
  edits.push({ start: r1End, end: r1LastLine.start + r1LastLine.text.length, text: joined });
  // Blank lines between the two RUNs go with the cleanup, so no stray blank line is left behind.
  let deleteFrom = commentsFrom;
  while (deleteFrom - 1 > r1.endLine && model.lines[deleteFrom - 1]!.text.trim() === "") deleteFrom--;
  if (deleteFrom - 1 !== r1.endLine) {
    deleteFrom = commentsFrom;
    // blank lines on both sides of the removed RUN: one of them goes too
    const after = model.lines[r2.endLine + 1];
    if (model.lines[deleteFrom - 1]!.text.trim() === "" && (!after || after.text.trim() === "")) deleteFrom--;
  }
  let deleteStart = lineStart(model, deleteFrom);
  // the file ended without a line break after R2: it still does, after the line before it
  if (model.lines[r2.endLine]!.eol === "") {
    const before = model.lines[deleteFrom - 1]!;
    deleteStart = before.start + before.text.length;
  }
  edits.push({ start: deleteStart, end: lineEndWithEol(model, r2.endLine), text: "" });

  const expected = expectedKey(model, { ...r1.command, args: mergedArgs }, ctx.shells[r1.index] ?? null, r1.startLine);
  const how = wrap1 ? " (the install in a subshell, so its shell state does not reach the cleanup)" : "";
  return {
    rule: ID,
    line: r2.startLine + 1,
    column: 1,
    instruction: r2.index,
    message: `this RUN only cleans up after the install on line ${r1.startLine + 1}: merge it into that RUN${how} so the removed files never land in a layer`,
    fix: {
      safety: "safe",
      description: `merge into the RUN on line ${r1.startLine + 1}`,
      edits,
      declares: { removed: [r2.index], replaced: new Map([[r1.index, expected]]) },
    },
  };
}
