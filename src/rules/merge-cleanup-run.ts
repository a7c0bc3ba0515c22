import type { Instruction } from "../model/model.js";
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

/** Builtins whose effect outlives the command: they leak from R1 into R2 when joined with &&. */
const LEAKS = new Set([
  "cd", "pushd", "popd", "set", "shopt", "export", "unset", "readonly", "declare", "typeset", "local", "alias",
  "unalias", "exit", "exec", "trap", "source", ".", "eval", "umask", "ulimit", "hash", "return", "shift",
]);

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

interface Analysis {
  root: ShellNode;
  commands: SimpleCommand[];
}

function analyse(text: string): Analysis | null {
  const root = shellTree(text);
  for (const n of walk(root)) if (BLOCKING_NODES.has(n.type) || n.type === "MISSING") return null;
  return { root, commands: allCommands(root) };
}

/** R2 is cleanup only: every command of its top-level list cleans up. */
function cleanupOnly(a: Analysis): boolean {
  const statements = topLevelStatements(a.root);
  if (!statements || statements.length === 0) return false;
  for (const s of statements) {
    if (s.separator === "&") return false;
    const { items } = andOrChain(s.node);
    for (const item of items) {
      if (item.type !== "command") return false;
      const cmd = a.commands.find((c) => c.node === item);
      if (!cmd || !isCleanup(cmd)) return false;
    }
  }
  return true;
}

/** R2 is one chain of `&&`: appending it with `&&` keeps its failure semantics. */
function isAndChain(a: Analysis): boolean {
  const statements = topLevelStatements(a.root);
  if (!statements || statements.length !== 1) return false;
  return andOrChain(statements[0]!.node).operators.every((o) => o === "&&");
}

function leaksIntoNext(a: Analysis): boolean {
  for (const n of walk(a.root)) {
    if (n.type === "variable_assignment" || n.type === "function_definition" || n.type === "declaration_command" || n.type === "unset_command") return true;
  }
  return a.commands.some((c) => {
    const name = c.words[0] ? literalWord(c.words[0]) : null;
    return name === null || LEAKS.has(name);
  });
}

function endsInBackground(a: Analysis): boolean {
  const statements = topLevelStatements(a.root);
  return !statements || statements.length === 0 || statements[statements.length - 1]!.separator === "&";
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
      "Safe: the build runs the same commands with the same exit status. A failure in the install still fails the build before the cleanup runs. Where the install changes the shell's state (cd, set -e, exit, trap, variables) it is wrapped in ( ... ) so nothing leaks into the cleanup; where the cleanup is more than one &&-chain it is wrapped too. Side effects: one fewer layer and history entry, a new cache key (one cold rebuild), and editing either part reruns both.",
    facts: [
      "Both RUNs must be in the same stage, both shell form, and neither may use heredocs.",
      "Their flags must be identical (--mount, --network, --security, --device): a merge that drops or adds one changes the build.",
      "Only blank lines, comments and instructions that touch neither the filesystem nor the RUN environment may stand between them: ENV, ARG, USER, WORKDIR, SHELL, COPY, ADD, RUN, VOLUME and FROM block the merge.",
      "The SHELL in effect must be a POSIX shell (sh, bash, ash, dash); not powershell, pwsh or cmd.",
      "With `R1 && R2`, cd, set -e, exit, traps and variables of R1 leak into R2; never add `set -e` (it changes what `a; b` means).",
      "Continuation lines are joined without a newline, so a `#` comment in R1 would swallow R2: no merge. No merge when R1 ends in a background `&`.",
      "Comments that annotate R2 (`# hadolint ignore=...`) move with it; a comment line inside a continuation is dropped by BuildKit, so it stays valid there.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
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
        if (!a2 || !cleanupOnly(a2)) continue;
        const a1 = analyse(r1.command.args);
        if (!a1 || !a1.commands.some(isInstall) || endsInBackground(a1)) continue;
        const finding = planMerge(ctx, r1, r2, a1, a2);
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

function planMerge(ctx: RuleContext, r1: Instruction, r2: Instruction, a1: Analysis, a2: Analysis): Finding | null {
  const { model } = ctx;
  const eol = model.eol;
  const esc = model.escape;
  const wrap1 = leaksIntoNext(a1);
  const wrap2 = !isAndChain(a2);
  const args1 = r1.command.args;
  const args2 = r2.command.args;

  // Indent the moved cleanup like R1's continuation lines, or four spaces.
  const r1Content = r1.lines.filter((l) => l.kind === "content");
  const indent = r1Content.length > 1 ? indentOf(model.lines[r1Content[r1Content.length - 1]!.line]!.text) || "    " : "    ";

  // R2's own text from its arguments to its end, comments above it first.
  const r2ArgsAt = sourceOffsetOfLogical(model, r2, argsLogicalOffset(r2));
  const r2End = model.lines[r2.endLine]!.start + model.lines[r2.endLine]!.text.length;
  const r2Body = model.source.slice(model.bom ? 1 : 0).slice(r2ArgsAt, r2End).replace(/[ \t]+$/, "");
  const commentsFrom = attachedCommentsStart(model, r2);
  const movedComments: string[] = [];
  for (let l = commentsFrom; l < r2.startLine; l++) movedComments.push(indent + model.lines[l]!.text.trim());

  const r1LastLine = model.lines[r1.endLine]!;
  const r1End = r1LastLine.start + r1LastLine.text.replace(/[ \t]+$/, "").length;
  const joined =
    `${wrap1 ? " )" : ""} && ${esc}${eol}` +
    movedComments.map((c) => c + eol).join("") +
    `${indent}${wrap2 ? "( " : ""}${r2Body}${wrap2 ? " )" : ""}`;

  const edits: Edit[] = [];
  if (wrap1) edits.push({ start: sourceOffsetOfLogical(model, r1, argsLogicalOffset(r1)), end: sourceOffsetOfLogical(model, r1, argsLogicalOffset(r1)), text: "( " });
  edits.push({ start: r1End, end: r1LastLine.start + r1LastLine.text.length, text: joined });
  // Blank lines between the two RUNs go with the cleanup, so no stray blank line is left behind.
  let deleteFrom = commentsFrom;
  while (deleteFrom - 1 > r1.endLine && model.lines[deleteFrom - 1]!.text.trim() === "") deleteFrom--;
  if (deleteFrom - 1 !== r1.endLine) deleteFrom = commentsFrom;
  edits.push({ start: lineStart(model, deleteFrom), end: lineEndWithEol(model, r2.endLine), text: "" });

  const mergedArgs = `${wrap1 ? `( ${args1} )` : args1} && ${wrap2 ? `( ${args2} )` : args2}`;
  const expected = expectedKey(model, { ...r1.command, args: mergedArgs }, ctx.shells[r1.index] ?? null, r1.startLine);
  const how = wrap1 || wrap2 ? " (in subshells, so the install's shell state does not leak)" : "";
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
