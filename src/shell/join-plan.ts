/**
 * How RUNs are joined so that each part runs as it did in its own shell
 * (merge-cleanup-run, rulebook rewrite 1): which parts go in a subshell, when
 * no join can keep the build the same, and the check that the joined text has
 * the shape planned. Read from the tree-sitter-bash tree, never from the text.
 */
import type { Instruction } from "../model/model.js";
import { allCommands, andOrChain, literalWord, shellTree, topLevelStatements, walk, type ShellNode, type SimpleCommand } from "./tree.js";
import { pathOperands, programName } from "./cleanup-targets.js";
import { inputLine } from "../rules/helpers.js";
import { changesShellState, hashReaches, isFlatStatement, readsShellPosition, stateEffects, type ShellStateEffects } from "./shell-state.js";
import type { RuleContext } from "../rules/types.js";

const BLOCKING_NODES = new Set(["heredoc_redirect", "comment", "ERROR"]);

/** `true` and `:` (as in `rm -f x || true`): no effect at all. */
export function isNoop(cmd: SimpleCommand): boolean {
  if (cmd.assignments.length > 0 || cmd.redirects.length > 0 || cmd.words.length !== 1) return false;
  const name = literalWord(cmd.words[0]!);
  return name === "true" || name === ":";
}

const isAbsolute = (paths: string[] | null) => paths !== null && paths.length > 0 && paths.every((p) => p.startsWith("/"));

/**
 * Package managers that read configuration or code from the working
 * directory (.npmrc, .yarnrc, composer.json, Gemfile; `python -m pip` puts
 * the working directory on its module path).
 */
const READS_CWD = new Set(["npm", "yarn", "pnpm", "composer", "pip", "pip3", "gem", "bundle", "conda", "mamba", "micromamba"]);

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

/**
 * Variables that change what `rm` with absolute paths does, or what finds
 * and reads it: where it is found, how it reads its options, the home
 * directory and the `cd` search path (rulebook: a loop or `read` variable
 * named PATH counts as much as `PATH=...`).
 */
const RM_SENSITIVE_VARIABLES = new Set([
  "PATH", "POSIXLY_CORRECT", "LD_PRELOAD", "LD_LIBRARY_PATH", "IFS", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "HOME", "CDPATH",
  // bash: which names a glob leaves out or finds, which programs a PATH search skips, how globs sort and match
  "GLOBIGNORE", "EXECIGNORE", "GLOBSORT", "FIGNORE", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LANG",
]);

/** A cleanup that shell variables cannot affect: `rm` of absolute paths (no expansions), with none of the variables rm depends on changed. */
function variablesIndependent(cmds: SimpleCommand[], names: Set<string> | null): boolean {
  if (names === null || [...names].some((n) => RM_SENSITIVE_VARIABLES.has(n))) return false;
  return cmds.every((c) => isNoop(c) || (programName(c.words).name === "rm" && isAbsolute(pathOperands(c))));
}

export interface Analysis {
  root: ShellNode;
  commands: SimpleCommand[];
}

/** Blanks to tree-sitter-bash but word characters to /bin/sh: its words would not be the shell's. */
const NOT_SH_BLANKS = ["\v", "\f", "\r"];

/**
 * The tree of a RUN's shell text, or null when it cannot be joined: a
 * heredoc, a parse error, or a comment (continuation lines are joined
 * without a newline, so a comment would swallow what follows). `reading`:
 * only to see what the RUN creates, where a comment does no harm.
 */
export function analyse(text: string, reading = false): Analysis | null {
  if (NOT_SH_BLANKS.some((c) => text.includes(c))) return null;
  const root = shellTree(text);
  for (const n of walk(root)) if ((BLOCKING_NODES.has(n.type) && !(reading && n.type === "comment")) || n.type === "MISSING") return null;
  return { root, commands: allCommands(root) };
}

/** One chain of `&&`: appended with `&&`, it keeps its failure semantics. */
export function isAndChain(a: Analysis): boolean {
  const statements = topLevelStatements(a.root);
  if (!statements || statements.length !== 1) return false;
  return andOrChain(statements[0]!.node).operators.every((o) => o === "&&");
}

export interface JoinPlan {
  /** `( R1 )`: R1 changes shell state the cleanup depends on. */
  wrapInstall: boolean;
  /** `( R2 )`: R2 is not a single `&&` chain, so a failed R1 must not fall through to part of it. */
  wrapCleanup: boolean;
}

/**
 * How to join R1 and R2 so that R2 runs exactly as it did in its own shell
 * and R1's exit status still decides the build, or why no join can.
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
export function planJoin(
  effects: ShellStateEffects,
  r1: Analysis,
  r2: Analysis,
  r2Commands: SimpleCommand[],
  errexitFromOutside: boolean,
  r2IsCleanup = true,
): JoinPlan | { reason: string } {
  if (effects.background) return { reason: "starts a background job (`&`, `coproc`, or `&>`, which dash reads as `&` then `>`), which would still run while the cleanup deletes" };
  const errexit = errexitFromOutside || effects.errexit;
  const seen = stateSeen(effects, [r2], r2IsCleanup ? r2Commands : null);
  const dependent = seen !== null;
  const wrapCleanup = !isAndChain(r2);
  if (dependent) return errexit ? { reason: `${seen}; joined, the RUN after it would see that, and with errexit possibly on a subshell cannot keep it apart (errexit is ignored left of \`&&\`)` } : { wrapInstall: true, wrapCleanup };
  if (errexit) {
    const statements = topLevelStatements(r1.root)!;
    if (!isFlatStatement(statements[statements.length - 1]!.node)) return { reason: "may run with errexit on, and ends in a compound command, inside which errexit would be ignored left of `&&`" };
    if (wrapCleanup && effects.errexitLeaks) return { reason: "turns errexit on or off, which would change where the cleanup's own list stops" };
  }
  return { wrapInstall: false, wrapCleanup };
}

/**
 * What shell state a part leaves that a later part could see once joined
 * (said for a report), or null when none can. `cleanup`: the later part is
 * one cleanup made of these commands (simple commands without expansions,
 * pipes or redirects), which the working directory, most variables and the
 * harmless `set` options (u, x, v, pipefail) cannot change; null: the later
 * parts are arbitrary text, which any state may change. The command hash
 * counts in both (hashReaches). The one function both rules ask.
 */
export function stateSeen(e: ShellStateEffects, later: Analysis[], cleanup: SimpleCommand[] | null): string | null {
  const hashed = hashReaches(e, later.map((l) => ({ root: l.root, effects: stateEffects(l.root) })));
  if (hashed !== null) return `runs ${hashed} (the shell remembers where on PATH it found it: its command hash) and may install or replace programs, so a later part running it in the same shell could run the old one`;
  if (e.control) return `runs ${e.controlBy ?? "exit, exec, trap, eval, source, umask, shopt or the like"}, which changes what runs after it in the same shell`;
  if (e.commandLookup) return "defines functions or aliases (or runs hash or enable), which change what a command name runs";
  if (cleanup === null) {
    if (e.cwd) return "changes the working directory";
    if (e.variables) return e.variableNames && e.variableNames.size > 0 ? `sets shell variables (${[...e.variableNames].join(", ")})` : "sets shell variables";
    if (e.errexit) return "turns errexit on or off";
    if (e.options) return "changes `set` options (nounset, pipefail, xtrace, ...)";
    return changesShellState(e) ? "changes shell state" : null;
  }
  if (e.cwd && !cwdIndependent(cleanup)) return "changes the working directory, which the cleanup depends on";
  if (e.variables && !variablesIndependent(cleanup, e.variableNames)) return "sets shell variables the cleanup may depend on";
  return null;
}

/**
 * How to join a chain of RUNs (the one that created the files, the RUNs
 * after it, the cleanup) so that each part runs as in its own shell: every
 * part but the last that changes any shell state goes in a subshell (the
 * parts after it are arbitrary commands, which may depend on anything), and
 * every part after the first that is not one `&&` chain too (`a && b; c`
 * would run `c` after a failure). errexit is ignored left of `&&` (see
 * planJoin), so a chain is joined only where errexit cannot be on.
 */
export function planChain(parts: { analysis: Analysis; effects: ShellStateEffects; instr: Instruction }[], errexitFromOutside: boolean, ctx: RuleContext): { wrap: boolean[] } | { reason: string } {
  if (errexitFromOutside) return { reason: "errexit may be on (a SHELL with -e, or SHELLOPTS or BASH_ENV set), and a merged RUN could not keep where each part stops" };
  const wrap: boolean[] = [];
  for (const [i, p] of parts.entries()) {
    const at = `the RUN on line ${inputLine(ctx, p.instr.startLine)}`;
    if (p.effects.background) return { reason: `${at} starts a background job` };
    if (p.effects.errexit) return { reason: `${at} turns errexit on or off, which a merged RUN could not keep` };
    if (i > 0 && readsShellPosition(p.analysis.root)) return { reason: `${at} reads $LINENO, $SECONDS, $_ or the like, which read otherwise in a merged RUN` };
    const last = i === parts.length - 1;
    const seen = last ? null : stateSeen(p.effects, parts.slice(i + 1).map((q) => q.analysis), null);
    wrap.push(seen !== null || (i > 0 && (!isAndChain(p.analysis) || hasTopLevelRedirect(p.analysis))));
  }
  return { wrap };
}

/**
 * A redirect on a command of the top-level list: tree-sitter-bash reads `a &&
 * b > f` as `(a && b) > f` (the shell applies it to `b` alone), so a part
 * like that joined after `&&` would not have the shape the join is checked
 * for; in a subshell it does.
 */
function hasTopLevelRedirect(a: Analysis): boolean {
  const statements = topLevelStatements(a.root) ?? [];
  return statements.some((s) => s.node.type === "redirected_statement" || andOrChain(s.node).items.some((n) => n.type === "redirected_statement"));
}

/** The joined shell text parses cleanly and has the promised shape: the first part's statements (or one subshell), then each part after `&&`. */
export function joinedAsPlanned(merged: string, parts: Analysis[], wrap: boolean[]): boolean {
  const m = analyse(merged);
  if (!m) return false;
  const statements = topLevelStatements(m.root);
  const expectedCount = wrap[0] ? 1 : topLevelStatements(parts[0]!.root)!.length;
  if (!statements || statements.length !== expectedCount || statements[statements.length - 1]!.separator !== null) return false;
  const chain = andOrChain(statements[statements.length - 1]!.node);
  let end = chain.items.length;
  for (let p = parts.length - 1; p >= 1; p--) {
    const items = wrap[p] ? null : andOrChain(topLevelStatements(parts[p]!.root)![0]!.node).items;
    const k = items ? items.length : 1;
    if (end - k < 1 || chain.operators[end - k - 1] !== "&&") return false;
    const tail = chain.items.slice(end - k, end);
    if (items ? !tail.every((n, i) => n.text === items[i]!.text) : tail[0]!.type !== "subshell" || tail[0]!.text !== `( ${parts[p]!.root.text.trim()} )`) return false;
    end -= k;
  }
  return true;
}

