import { posix } from "node:path";
import type { DockerfileModel, Instruction, Stage } from "../model/model.js";
import { parseNameVal, parseWords } from "../model/command.js";
import { isCheckComment } from "../model/scan.js";
import { splitWhitespace } from "../meaning/buildkit.js";
import { shellKindOf } from "../meaning/meaning.js";
import { andOrChain, literalWord, topLevelStatements, walk, type SimpleCommand } from "../shell/tree.js";
import {
  cacheDirs,
  cleanupTargets,
  creationsOf,
  creates,
  isPerUserCache,
  isRelativeTarget,
  literalPrefix,
  programName,
  subcommand,
  targetLabel,
  type Creations,
  type Target,
  dedupeTargets,
} from "../shell/cleanup-targets.js";
import { Inheritance, argsSpan, expectedKey, inputLine, mountsShareable, runMounts, suppressedRules } from "./helpers.js";
import { analyse, isNoop, planChain, planJoin, type Analysis } from "../shell/join-plan.js";
import { checkJoin } from "../shell/join-check.js";
import { mergeEdits } from "../shell/run-join.js";
import { SHELL_STARTUP_VARIABLES, shellSetsErrexit, stateEffects } from "../shell/shell-state.js";
import type { Finding, Rule, RuleContext } from "./types.js";

const ID = "merge-cleanup-run";

/** Instructions that neither touch the filesystem nor the environment of a RUN. */
const TRANSPARENT = new Set(["LABEL", "EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL", "MAINTAINER", "ONBUILD"]);

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
  composer: new Set(["clear-cache", "clearcache", "cc"]),
  conda: new Set(["clean"]),
  mamba: new Set(["clean"]),
  micromamba: new Set(["clean"]),
};

const CLEANUP_PROGRAMS = [...Object.keys(CLEANUPS), "rm", "find"];

/**
 * False only when the text certainly does not start with a cleanup command:
 * it opens with a plain word (letters, digits, `_./+-`, no quotes, escapes
 * or expansions) followed by a blank, which is then the first command's name
 * or a reserved word, and that word names no cleanup program. Anything less
 * plain is left to the tree. Saves parsing long RUN scripts.
 */
function mayStartWithCleanup(text: string): boolean {
  let end = 0;
  while (end < text.length && isPlainWordChar(text[end]!)) end++;
  if (end === 0 || (end < text.length && text[end] !== " " && text[end] !== "\t")) return true;
  const word = text.slice(0, end);
  const name = word.slice(word.lastIndexOf("/") + 1);
  return CLEANUP_PROGRAMS.includes(name) || name.startsWith("python");
}

function isPlainWordChar(ch: string): boolean {
  return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || "_./+-".includes(ch);
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

/** The cleanup RUN's commands, if every command of its top-level list cleans up (or is `true`/`:`), and one at least cleans. */
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

/** Names ENV and ARG instructions of the file set. */
function environmentNames(model: DockerfileModel): Set<string> {
  const names = new Set<string>();
  for (const i of model.instructions) {
    if (i.command.keyword === "ENV") for (const p of parseNameVal(i.command.args, "ENV", model.escape)) names.add(p.name);
    if (i.command.keyword === "ARG") for (const w of parseWords(i.command.args, model.escape)) names.add(w.split("=", 1)[0]!);
  }
  return names;
}

/** ENV or ARG that sets a variable the shell reads at start-up (errexit could be on without a visible `set -e`). */
function setsShellOptions(names: Set<string>): boolean {
  return [...SHELL_STARTUP_VARIABLES].some((n) => names.has(n));
}

export const mergeCleanupRun: Rule = {
  id: ID,
  summary: "Merge a cleanup RUN into the RUN that created what it deletes, so the deleted files never land in a layer",
  safety: "safe",
  buildkit: [],
  // hadolint has no code for a cleanup in a later layer (its issue #63); DL3009 is apt-lists-not-removed's
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Finds a RUN that only cleans up (rm of caches, lists or downloads, `clean`, `purge`, `apk del`, `pip cache purge`, ...) and the RUN of the same stage that created what it deletes (apt lists and caches: apt-get/apt; apk's cache: apk; pip/npm/yarn/gem/composer caches: their installer; packages: the install that named them; a download: the RUN that wrote it). When that RUN is the one before, the cleanup joins it; when RUNs stand between, the whole chain from that RUN to the cleanup is merged, in order, if every instruction between may be merged; otherwise the finding is reported without a fix.",
    why:
      "Each RUN is a layer. Files deleted in a later layer still take space in the layer that wrote them, so a cleanup in its own RUN saves nothing (hadolint #63), and neither does one joined to a RUN that did not create the files (`rm -rf /var/lib/apt/lists/*` after a `pip install` RUN: the lists are in the apt-get layer). Joined to the RUN that created them, the files never reach a layer and the image shrinks.",
    example:
      "RUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*",
    useInstead:
      "RUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*",
    fixSafety:
      "Safe: the build runs the same commands in the same order with the same exit status, and each part runs exactly as it did in its own shell. A failure in any part still fails the build before the parts after it run. Where a part leaves shell state a later part could see, it is wrapped in ( ... ): the working directory, variables (loop and `read` variables included; IFS, GLOBIGNORE, EXECIGNORE, PATH, CDPATH, HOME, POSIXLY_CORRECT and the like), `set` options, shopt, umask, traps, aliases, functions, exit, eval, ... and the command hash: the shell remembers where on PATH it found each program, so after `pip3 install --upgrade pip` (or `npm install -g npm`, `gem update --system`, anything that may put a program earlier on PATH) a later `pip3` in the same shell would run the old one (pypa/pip#5221). The only exception is a last part that is a cleanup the state cannot affect (absolute paths, no variables, and for the hash: no program it runs was looked up before). Where errexit may be on (set -e in the install, a SHELL with -e, SHELLOPTS or BASH_ENV set by ENV/ARG) there is no wrapping at all, because `set -e` is ignored inside whatever stands left of `&&`: then a pair is merged only when the plain `&&` join keeps errexit working, and a longer chain not at all. A cleanup that is more than one &&-chain is wrapped too. Before the fix is offered, the joined text is checked by src/shell/join-check.ts, which re-reads it from the trees without the plan. The merged RUN follows the RUN's own layout: each part on its own line at its chain's indentation, operators where the RUN puts them. Side effects: fewer layers and history entries, a new cache key (one cold rebuild), and editing any part reruns all of them. Assumed: a base image that sets SHELLOPTS or BASH_ENV in its environment is not visible here, and a system package manager (apt-get, apk, yum, dnf, ...) never installs a package manager earlier on PATH than where it is.",
    facts: [
      "A cleanup saves space only in the RUN that created what it deletes: apt lists come from `apt-get update`, apt's cache from apt-get install/update, apk's cache from apk add/update without --no-cache, pip's cache from pip install without --no-cache-dir (and no PIP_NO_CACHE_DIR), packages from the install that named them, a download from the RUN that wrote the file.",
      "All the RUNs must be in the same stage, all shell form, and none may use heredocs.",
      "Their flags must be identical (--mount, --network, --security, --device): a merge that drops or adds one changes the build.",
      "Only blank lines, comments, the RUNs of the chain and instructions that touch neither the filesystem nor the RUN environment may stand between: ENV, ARG, USER, WORKDIR, SHELL, COPY, ADD, VOLUME and FROM block the merge (the finding is then reported without a fix).",
      "The SHELL in effect must be a POSIX shell (sh, bash, ash, dash; not powershell, pwsh or cmd), whatever stage a FROM depending on a build argument names.",
      "With `R1 && R2`, cd, set -e, exit, traps and variables of R1 leak into R2 (so do `for NAME in`, `read NAME`, getopts, select, export/local/readonly and arithmetic assignments): join with plain `&&` only when R2 cannot be affected (absolute paths, no variables, no dependence on the working directory), else wrap `( R1 ) && ( R2 )` or do not merge; never add `set -e` (it changes what `a; b` means).",
      "errexit is ignored in every command left of `&&`, subshells and compound commands included (checked with dash and bash: `( set -e; false; echo x ) && echo y` prints both): so a wrap is never used when errexit may be on, and the install's last statement must then be simple commands joined by pipes, && or ||.",
      "Continuation lines are joined without a newline, so a `#` comment in a part would swallow the rest: no merge. No merge when a part starts anything in the background (`&`, `coproc`, and `&>`, which dash reads as `&` then `>`): it would still be running while later parts run.",
      "The command hash: dash and bash remember where they found each program, and bash does not look again; a part that ran a program and may have installed one (anything not known to write no file; a system package manager only for names other than the package managers) goes in a subshell when a later part runs the same name.",
      "Mounts that start afresh in every RUN (`type=tmpfs`, a `type=bind` with `rw`) would be shared once joined: no merge (mountsShareable, shared with consecutive-run).",
      "Comments that annotate a moved RUN (`# hadolint ignore=...`) move with it; a comment line inside a continuation is dropped by BuildKit, so it stays valid there.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    const env = { names: null as Set<string> | null };
    const inheritance = new Inheritance(ctx);
    for (const stage of ctx.model.stages) {
      const list = stage.instructions;
      for (let j = 0; j < list.length; j++) {
        const r = list[j]!;
        if (!isCandidate(ctx, inheritance, r) || !mayStartWithCleanup(r.command.args)) continue;
        if (suppressedRules(ctx.model, r).has(ID)) continue;
        const a = analyse(r.command.args);
        if (!a) continue;
        const commands = cleanupCommands(a);
        if (!commands) continue;
        env.names ??= environmentNames(ctx.model);
        const finding = checkCleanup(ctx, inheritance, stage, j, a, commands, env.names);
        if (finding) findings.push(finding);
      }
    }
    return findings;
  },
};

/** A shell-form RUN without heredocs under a POSIX shell (every possible one), not ending in a continuation. */
function isCandidate(ctx: RuleContext, inheritance: Inheritance, instr: Instruction): boolean {
  const c = instr.command;
  if (c.keyword !== "RUN" || c.json || c.args === "" || instr.heredocs.length > 0) return false;
  const last = instr.lines[instr.lines.length - 1]!;
  if (last.kind !== "content" || last.continues) return false;
  return inheritance.shellsFor(instr).every((shell) => shellKindOf(shell, ctx.model.escape) === "posix");
}

interface Creator {
  target: Target;
  /** Position in the stage of the nearest RUN that created it. */
  nearest: number;
  /** That RUN wrote it; otherwise it made the fresh directory it is in (a later RUN may have written it). */
  exact: boolean;
  /** Earlier RUNs that created it too (their copies stay in their layers). */
  earlier: number[];
  /** More earlier RUNs may have written it too (the search stopped after EARLIER_NAMED). */
  moreEarlier: boolean;
}

/** A path BuildKit changes before use: variables, quotes and escapes (both escape characters: the directive may choose either). */
const NOT_LITERAL_PATH = /[$"'\\`]/;

/** The working directory before each instruction of a stage, where the file says it absolutely (null: unknown, e.g. the base image's). */
function workdirs(stage: Stage): (string | null)[] {
  const out: (string | null)[] = [];
  let wd: string | null = null;
  for (const i of stage.instructions) {
    out.push(wd);
    if (i.command.keyword !== "WORKDIR") continue;
    const arg = i.command.args;
    // BuildKit expands the path and removes its quotes and escapes: such a path is not known here
    if (arg === "" || NOT_LITERAL_PATH.test(arg)) wd = null;
    else if (arg.startsWith("/")) wd = posix.normalize(arg);
    else wd = wd === null ? null : posix.join(wd, arg);
  }
  return out;
}

/** Where a COPY or ADD writes (absolute), or null when the file does not say. */
function copyDestination(instr: Instruction, workdir: string | null): string | null {
  const words = instr.command.json ?? splitWhitespace(instr.command.args);
  const dest = words[words.length - 1];
  if (dest === undefined || (instr.command.json === null && NOT_LITERAL_PATH.test(dest)) || dest.includes("$")) return null;
  const path = dest.startsWith("/") ? posix.normalize(dest) : workdir === null ? null : posix.join(workdir, dest);
  // `/tmp/` is the directory /tmp
  return path === null || path === "/" ? path : path.replace(/\/+$/, "");
}

/** Whether a COPY or ADD writing into `dest` may write what a target names. */
function mayWrite(dest: string | null, t: Target, workdir: string | null): boolean {
  if (dest === null) return true;
  const overlaps = (p: string) => p === dest || p.startsWith(`${dest}/`) || dest.startsWith(`${p}/`) || dest === "/";
  if (t.kind === "packages") return false;
  if (t.kind === "cache") return cacheDirs(t.cache).some((d) => d.startsWith("~") || overlaps(d));
  const path = t.pattern.startsWith("/") ? t.pattern : workdir === null ? null : posix.join(workdir, t.pattern);
  if (path === null || path.startsWith("~")) return true;
  // the directory the pattern's fixed part names
  const fixed = literalPrefix(path);
  const dir = fixed === path ? path : fixed.slice(0, fixed.lastIndexOf("/")) || "/";
  return overlaps(dir);
}

/** Variables that move a user's caches: the home directory and where the tools put their caches. */
const CACHE_HOME_VARIABLES = new Set(["HOME", "XDG_CACHE_HOME", "PIP_CACHE_DIR", "npm_config_cache", "NPM_CONFIG_CACHE", "YARN_CACHE_FOLDER", "GEM_HOME", "COMPOSER_HOME", "COMPOSER_CACHE_DIR"]);

function changesCacheHome(model: DockerfileModel, instr: Instruction): boolean {
  return parseNameVal(instr.command.args, "ENV", model.escape).some((p) => CACHE_HOME_VARIABLES.has(p.name));
}

/** The directories a RUN's --mount flags put a mount on (`target=`, `dst=`, `destination=`), or null when a mount flag is quoted or escaped. */
function mountTargets(instr: Instruction): string[] | null {
  const mounts = runMounts(instr.command);
  if (mounts === null) return null;
  const out: string[] = [];
  for (const m of mounts) {
    const target = m.get("target") ?? m.get("dst") ?? m.get("destination");
    if (target !== undefined) out.push(posix.normalize(target).replace(/\/+$/, "") || "/");
  }
  return out;
}

/** Whether what a target names lies inside a mounted directory. */
function insideMount(mount: string, t: Target, workdir: string | null): boolean {
  if (t.kind === "packages") return false;
  const inside = (p: string) => p === mount || p.startsWith(`${mount}/`) || mount === "/";
  if (t.kind === "cache") return cacheDirs(t.cache).every((d) => inside(d));
  const path = t.pattern.startsWith("/") ? t.pattern : workdir === null ? null : posix.join(workdir, t.pattern);
  return path !== null && inside(literalPrefix(path));
}

/**
 * For each target of the cleanup at position `j`, the nearest earlier RUN of
 * the stage that created it. The search stops where the creator cannot be
 * known: a RUN that cannot be read (exec form, heredoc, another shell), a
 * COPY or ADD that may write there, a WORKDIR for a relative path.
 */
/** How many earlier RUNs that wrote the same files a message names. */
const EARLIER_NAMED = 3;

/** What a RUN is, read once per model: every cleanup of a stage looks back over the same RUNs. */
interface RunFacts {
  made: Creations;
  movesAround: boolean;
  mounts: string[];
}

/** Per model (a new one each round of fixes): facts per RUN, and per stage its working directories and where a USER stands before. */
const factsCache = new WeakMap<object, Map<string, RunFacts | null>>();
const stageCache = new WeakMap<Stage, { wds: (string | null)[]; userBefore: boolean[] }>();

function runFacts(ctx: RuleContext, instr: Stage["instructions"][number], pipNoCache: boolean): RunFacts | null {
  let cache = factsCache.get(ctx.model);
  if (!cache) factsCache.set(ctx.model, (cache = new Map()));
  const key = `${instr.index}:${pipNoCache}`;
  if (cache.has(key)) return cache.get(key)!;
  const a = instr.command.json || instr.heredocs.length > 0 ? null : analyse(instr.command.args, true);
  const readable = shellKindOf(ctx.shells[instr.index] ?? null, ctx.model.escape) === "posix";
  // where its mounts are cannot be told: what it wrote may be anywhere
  const mounts = mountTargets(instr);
  const facts = a && readable && mounts ? { made: creationsOf(a.commands, a.root, pipNoCache), movesAround: stateEffects(a.root).cwd, mounts } : null;
  cache.set(key, facts);
  return facts;
}

function stageFacts(stage: Stage): { wds: (string | null)[]; userBefore: boolean[] } {
  let facts = stageCache.get(stage);
  if (!facts) {
    const list = stage.instructions;
    // a USER before a RUN: it may not run as root, whose home /root is
    const userBefore: boolean[] = [];
    list.forEach((_, k) => userBefore.push(k > 0 && (userBefore[k - 1]! || list[k - 1]!.command.keyword === "USER")));
    facts = { wds: workdirs(stage), userBefore };
    stageCache.set(stage, facts);
  }
  return facts;
}

function findCreators(ctx: RuleContext, stage: Stage, j: number, targets: Target[], pipNoCache: boolean): Creator[] {
  const list = stage.instructions;
  const { wds, userBefore } = stageFacts(stage);
  const found: (Creator | null)[] = targets.map(() => null);
  const open = targets.map(() => true);
  for (let k = j - 1; k >= 0 && open.some(Boolean); k--) {
    const instr = list[k]!;
    const kw = instr.command.keyword;
    if (kw === "WORKDIR") targets.forEach((t, i) => isRelativeTarget(t) && (open[i] = false));
    // whose cache a RUN writes and which one the cleanup deletes depend on the user and HOME
    if (kw === "USER" || (kw === "ENV" && changesCacheHome(ctx.model, instr))) targets.forEach((t, i) => t.kind === "cache" && isPerUserCache(t.cache) && (open[i] = false));
    if (kw === "COPY" || kw === "ADD") {
      const dest = copyDestination(instr, wds[k]!);
      targets.forEach((t, i) => mayWrite(dest, t, wds[j]!) && (open[i] = false));
      continue;
    }
    if (kw !== "RUN") continue;
    const facts = runFacts(ctx, instr, pipNoCache);
    if (!facts) {
      open.fill(false); // it may have created anything
      break;
    }
    const { made, movesAround, mounts } = facts;
    targets.forEach((t, i) => {
      if (!open[i] || (isRelativeTarget(t) && movesAround)) return;
      // what a RUN writes into a --mount (a cache, a tmpfs) is not in its layer
      if (mounts.some((m) => insideMount(m, t, wds[j]!))) return;
      if (t.kind === "cache" && t.home === "root" && userBefore[k]) return;
      const how = creates(made, t);
      if (how === null) return;
      const f = found[i];
      if (f) {
        f.earlier.push(k);
        // enough to say so: the message names a few, and a long file is not searched to its start for each cleanup
        if (f.earlier.length === EARLIER_NAMED) {
          f.moreEarlier = true;
          open[i] = false;
        }
      } else found[i] = { target: t, nearest: k, exact: how === "exact", earlier: [], moreEarlier: false };
      // what is under a fresh directory was written by it or a later RUN: nothing before it counts
      if (how === "under") open[i] = false;
    });
  }
  return found.filter((f): f is Creator => f !== null);
}

function checkCleanup(
  ctx: RuleContext,
  inheritance: Inheritance,
  stage: Stage,
  j: number,
  cleanup: Analysis,
  commands: SimpleCommand[],
  envNames: Set<string>,
): Finding | null {
  const { model } = ctx;
  const list = stage.instructions;
  const r = list[j]!;
  const targets = dedupeTargets(commands.flatMap((c) => cleanupTargets(c)));
  if (targets.length === 0) return null;
  const creators = findCreators(ctx, stage, j, targets, envNames.has("PIP_NO_CACHE_DIR"));
  if (creators.length === 0) return null;
  const first = Math.min(...creators.map((c) => c.nearest));
  const t = list[first]!;
  if (suppressedRules(model, t).has(ID)) return null;
  const line = (i: Instruction) => inputLine(ctx, i.startLine);
  const what = describe(ctx, list, creators);
  // the cleanup RUN's command text
  const where = { rule: ID, line: r.startLine + 1, column: 1, span: argsSpan(model, r), instruction: r.index };
  // reported without a fix only what a RUN certainly wrote
  const written = creators.filter((c) => c.exact);
  const notMerged = (reason: string): Finding | null =>
    written.length === 0
      ? null
      : {
          ...where,
          message: `this RUN only deletes ${describe(ctx, list, written)}: an image built from this stage keeps them in the layer of the RUN that created them, so deleting them here saves no space; delete them there (not merged: ${reason})`,
          fix: null,
        };

  // every instruction from the creator to the cleanup: RUNs that may be merged, or metadata
  const parts: Instruction[] = [];
  for (let k = first; k <= j; k++) {
    const i = list[k]!;
    if (TRANSPARENT.has(i.command.keyword)) continue;
    if (i.command.keyword !== "RUN") return notMerged(`the ${i.command.keywordRaw.toUpperCase()} on line ${line(i)} stands between`);
    if (!isCandidate(ctx, inheritance, i)) return notMerged(`the RUN on line ${line(i)} is not a shell-form RUN without heredocs under a POSIX shell`);
    if (JSON.stringify(i.command.flags) !== JSON.stringify(r.command.flags)) return notMerged(`the RUN on line ${line(i)} has other flags`);
    if (!mountsShareable(i)) return notMerged(`the RUN on line ${line(i)} has a tmpfs or read-write bind mount, which starts afresh in each RUN and would be shared once joined`);
    if (k !== first && k !== j && suppressedRules(model, i).has(ID)) return notMerged(`the RUN on line ${line(i)} is marked dockerfile-codemod ignore=${ID}`);
    parts.push(i);
  }
  // BuildKit's linter applies a `# check=` comment to the instruction after it (its PrevComment): a
  // merge would move it into the joined RUN's continuation, where it applies to nothing (its error=true could fail a build)
  for (let l = list[first]!.endLine + 1; l < r.startLine; l++) {
    if (model.lineKinds[l] === "comment" && isCheckComment(model.lines[l]!.text)) {
      return notMerged(`the \`# check=\` comment on line ${inputLine(ctx, l)} would no longer stand before the instruction it applies to`);
    }
  }
  const analyses: Analysis[] = [];
  for (const p of parts) {
    const a = p === r ? cleanup : analyse(p.command.args);
    if (!a) return notMerged(`the RUN on line ${line(p)} has a comment or a form this rule cannot join`);
    analyses.push(a);
  }
  // a script BASH_ENV names runs at the start of each RUN's shell: joined, once
  if (envNames.has("BASH_ENV")) return notMerged("ENV or ARG sets BASH_ENV, a script each RUN's shell runs when it starts: the merged RUN would run it once");
  const errexitFromOutside = setsShellOptions(envNames) || inheritance.shellsFor(t).some((s) => shellSetsErrexit(s));
  let wrap: boolean[];
  if (parts.length === 2) {
    const plan = planJoin(stateEffects(analyses[0]!.root), analyses[0]!, cleanup, commands, errexitFromOutside);
    if ("reason" in plan) return notMerged(`the RUN on line ${line(t)} ${plan.reason}`);
    wrap = [plan.wrapInstall, plan.wrapCleanup];
  } else {
    const plan = planChain(parts.map((p, i) => ({ instr: p, analysis: analyses[i]!, effects: stateEffects(analyses[i]!.root) })), errexitFromOutside, ctx);
    if ("reason" in plan) return notMerged(plan.reason);
    wrap = plan.wrap;
  }
  const merge = mergeEdits(ctx, parts, analyses, wrap);
  if (!merge) return notMerged("the RUNs cannot be joined as planned");
  // the join checked by a reading that does not take the plan (src/shell/join-check.ts)
  const problem = checkJoin(parts.map((p) => p.command.args), merge.mergedArgs, { errexitFromOutside, lastIsCleanup: true });
  if (problem !== null) return notMerged(`the joined RUN failed its check: ${problem}`);
  const span = parts.length === 2 ? `merged into that RUN` : `merging lines ${line(t)}–${line(r)} into one RUN`;
  const how = wrap.slice(0, -1).some(Boolean) ? " (where a part changes shell state, in a subshell, so the state does not reach the parts after it)" : "";
  const expected = expectedKey(model, { ...t.command, args: merge.mergedArgs }, ctx.shells[t.index] ?? null, t.startLine);
  return {
    ...where,
    message: `this RUN only deletes ${what}: ${span}${how}, none of it reaches a layer`,
    fix: {
      safety: "safe",
      description: parts.length === 2 ? `merge into the RUN on line ${line(t)}` : `merge the RUNs of lines ${line(t)}–${line(r)}`,
      edits: merge.edits,
      declares: { removed: parts.slice(1).map((p) => p.index), replaced: new Map([[t.index, expected]]), joins: [{ into: t.index, parts: parts.map((p) => p.index), context: { errexitFromOutside, lastIsCleanup: true } }] },
    },
  };
}


/** "the apt package lists and apt's package cache, which the RUN on line 3 created (the copy from line 1 stays in its layer)". */
function describe(ctx: RuleContext, list: Instruction[], creators: Creator[]): string {
  const line = (k: number) => inputLine(ctx, list[k]!.startLine);
  const byRun = new Map<string, Creator[]>();
  for (const c of creators) {
    const key = `${c.nearest}:${c.exact}`;
    byRun.set(key, [...(byRun.get(key) ?? []), c]);
  }
  const groups = [...byRun.values()]
    .sort((a, b) => a[0]!.nearest - b[0]!.nearest || Number(b[0]!.exact) - Number(a[0]!.exact))
    .map((cs) => {
      const labels = joinWords([...new Set(cs.map((c) => targetLabel(c.target)))]);
      const k = cs[0]!.nearest;
      return cs[0]!.exact ? `${labels}, which the RUN on line ${line(k)} created` : `${labels}, in a directory the RUN on line ${line(k)} created`;
    });
  const earlier = [...new Set(creators.flatMap((c) => c.earlier))].sort((a, b) => b - a).slice(0, EARLIER_NAMED).sort((a, b) => a - b);
  const more = creators.some((c) => c.moreEarlier) ? ", and RUNs before them," : "";
  const note = earlier.length > 0 ? ` (what the RUN${earlier.length > 1 ? "s" : ""} on line${earlier.length > 1 ? "s" : ""} ${joinWords(earlier.map((k) => String(line(k))))}${more} wrote stays in ${earlier.length > 1 || more ? "their layers" : "its layer"})` : "";
  return `${groups.join("; and ")}${note}`;
}

function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

