/**
 * apt-lists-not-removed (hadolint DL3009): a RUN that downloads the apt
 * package lists (`apt-get update`) in a stage where no RUN removes them.
 * Reported; the fix that adds the cleanup is unsafe.
 */
import type { Instruction, Stage } from "../model/model.js";
import { shellKindOf } from "../meaning/meaning.js";
import { goToLower } from "../model/go.js";
import { allCommands, literalWord, shellTree, walk, type SimpleCommand } from "../shell/tree.js";
import { analyseRun, appendToRun, isJoinableRun, setsShellStartup, type RunAnalysis } from "./consecutive-run.js";
import { argsLogicalOffset, expectedKey, logicalSpan, runMounts, suppressedRules } from "./helpers.js";
import { planJoin } from "../shell/join-plan.js";
import { shellSetsErrexit, stateEffects } from "../shell/shell-state.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "apt-lists-not-removed";
const LISTS = "/var/lib/apt/lists";
const CLEANUP = `rm -rf ${LISTS}/*`;

/** apt-get options that take the next word as their value. */
const OPTIONS_WITH_VALUE = new Set(["-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release", "--host-architecture"]);

function programName(cmd: SimpleCommand): string | null {
  const first = cmd.words[0] ? literalWord(cmd.words[0]) : null;
  return first ? (first.split("/").pop() ?? first) : null;
}

/** The apt-get / apt subcommand of a command (`update`, `install`, ...), options and their values skipped. */
function aptSubcommand(cmd: SimpleCommand): string | null {
  const name = programName(cmd);
  if (name !== "apt-get" && name !== "apt") return null;
  const rest = cmd.words.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const v = literalWord(rest[i]!);
    if (v === null) return null;
    if (OPTIONS_WITH_VALUE.has(v)) {
      i++;
      continue;
    }
    if (!v.startsWith("-")) return v;
  }
  return null;
}

/**
 * Whether a path, as written (a trailing `*` or `/*` aside), may be the
 * lists directory, inside it, or above it: an absolute path that is, or a
 * relative one that could be from some working directory (`apt` after
 * `cd /var/lib`, `*` after `cd /var/lib/apt/lists`).
 */
function touchesLists(path: string): boolean {
  const p = path.replace(/\/?\*$/, "").replace(/\/+$/, "");
  if (!path.startsWith("/")) {
    if (p === "" || p === ".") return true;
    return `${LISTS}/`.includes(`/${p.replace(/^\.\//, "")}/`) || LISTS.endsWith(`/${p}`);
  }
  if (p === "") return false;
  return LISTS.startsWith(`${p}/`) || p.startsWith(LISTS);
}

/** apt-get subcommands that read the package lists. */
const NEEDS_LISTS = new Set(["install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source", "download", "satisfy", "reinstall"]);

/**
 * Whether a RUN after `r` in its stage runs an apt-get that reads the lists
 * before any update of its own: the cleanup appended to `r` would make it
 * fail, so no fix is offered.
 */
function laterRunNeedsLists(stage: Stage, r: Instruction): boolean {
  for (const i of stage.instructions) {
    if (i.index <= r.index || i.command.keyword !== "RUN" || !i.command.args.includes("apt")) continue;
    for (const c of commandsOf(i.command.args).commands) {
      const sub = aptSubcommand(c);
      if (sub === "update") return false;
      if (sub !== null && NEEDS_LISTS.has(sub)) return true;
    }
  }
  return false;
}

/** The simple commands of shell text (comments and all: only to see which commands it runs). */
function commandsOf(text: string): RunAnalysis {
  const root = shellTree(text);
  return { root, commands: allCommands(root) };
}

/**
 * Whether the RUN's commands may delete the package lists: `rm` or `find`
 * of a path at, inside or above /var/lib/apt/lists, or of a path with an
 * expansion (which could be one; false reports are worse than misses here).
 */
function mayRemoveLists(a: RunAnalysis): boolean {
  for (const c of a.commands) {
    // apt 2.7 and later (Debian 13, Ubuntu 24.04): `apt-get dist-clean` removes the lists too
    if (aptSubcommand(c) === "dist-clean") return true;
    const name = programName(c);
    if (name !== "rm" && name !== "find" && name !== "rmdir") continue;
    for (const w of c.words.slice(1)) {
      const v = literalWord(w);
      if (v !== null) {
        if (touchesLists(v)) return true;
        continue;
      }
      let expanded = false;
      for (const n of walk(w)) if (n.type === "simple_expansion" || n.type === "expansion" || n.type === "command_substitution") expanded = true;
      if (expanded || touchesLists(w.text.replace(/["']/g, ""))) return true;
    }
  }
  return false;
}

/** A cache or tmpfs mount at or above /var/lib/apt/lists: the lists never land in the layer. */
function listsMounted(instr: Instruction): boolean {
  const mounts = runMounts(instr.command);
  if (mounts === null) return true; // quoted mount flags: cannot tell, so say nothing
  return mounts.some((m) => {
    const type = goToLower(m.get("type") ?? "bind");
    const target = m.get("target") ?? m.get("dst") ?? m.get("destination") ?? "";
    const t = target.replace(/\/+$/, "");
    return (type === "cache" || type === "tmpfs") && t !== "" && (t === LISTS || LISTS.startsWith(`${t}/`));
  });
}

/** A stage whose files reach no image: not the last one, no stage built on it, and read only through COPY --from or --mount from=. */
function builderOnly(ctx: RuleContext, stage: Stage): boolean {
  const { model } = ctx;
  if (stage.index === model.stages.length - 1) return false;
  if (model.stages.some((s) => s.parent === stage.index)) return false;
  const names = new Set([String(stage.index), ...(stage.name ? [stage.name] : [])]);
  return model.instructions.some((i) => {
    for (const f of i.command.flags) {
      // BuildKit looks COPY --from and --mount from= up through strings.ToLower
      if (i.command.keyword === "COPY" && f.startsWith("--from=") && names.has(goToLower(f.slice(7)))) return true;
    }
    if (i.command.keyword !== "RUN") return false;
    const mounts = runMounts(i.command);
    // a quoted mount flag may name the stage
    return mounts === null || mounts.some((m) => m.has("from") && names.has(goToLower(m.get("from")!)));
  });
}

export const aptListsNotRemoved: RegisteredRule = {
  id: ID,
  summary: "Report an `apt-get update` whose package lists no RUN of the stage removes (the fix that adds the cleanup is unsafe)",
  safety: "unsafe",
  buildkit: [],
  hadolint: ["DL3009"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      `Finds a RUN that runs \`apt-get update\` (or \`apt update\`) in a stage where no RUN deletes ${LISTS} (with \`rm\`, \`find\`, or \`apt-get dist-clean\`), and reports it. With --unsafe-fixes it appends \`&& ${CLEANUP}\` to that RUN. A RUN with a cache or tmpfs mount on the lists, and a stage whose files reach no image (read only through COPY --from or --mount from=), are not reported. On by default (it reports; the fix is unsafe, applied only with --unsafe-fixes): the lists are dead weight in every image built, as hadolint's DL3009 says by default.`,
    why: `\`apt-get update\` downloads the package lists, often 20-50 MB, into ${LISTS}; left there they are part of the layer and of every image built on it, and they go stale (hadolint DL3009). A cleanup in a later RUN saves nothing (merge-cleanup-run joins such a cleanup onto the install).`,
    example: "FROM debian:12\nRUN apt-get update && apt-get install -y curl",
    useInstead: `FROM debian:12\nRUN apt-get update && apt-get install -y curl && \\\n    ${CLEANUP}`,
    fixSafety:
      `Unsafe, and not offered where a later RUN of the stage installs without its own update: a later \`apt-get install\` without its own \`apt-get update\`, in this stage, in a stage built on it, or in an image built FROM this one, then finds no package lists and fails. The cleanup is joined with merge-cleanup-run's shell-state rules (planJoin): the RUN is wrapped in ( ) where its shell state could reach the \`rm\` (PATH, for one), and where errexit may be on nothing is wrapped and the RUN must end in a simple statement, or no fix is offered.`,
    facts: [
      "Each RUN's file changes are a layer; a file deleted by a later RUN still takes space in the layer that wrote it.",
      "apt-get update writes the package lists to /var/lib/apt/lists; `apt-get clean` empties /var/cache/apt/archives, not the lists; `apt-get dist-clean` (apt 2.7 and later) removes the lists too; apt-get install reads the lists and fails without them (\"Unable to locate package\").",
      "A RUN --mount of type cache or tmpfs at the lists directory keeps them out of the layer.",
      "A stage's files reach an image only if it is the target, another stage is built FROM it, or files are copied out of it.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    let startup: boolean | null = null;
    for (const stage of model.stages) {
      const runs = stage.instructions.filter((i) => i.command.keyword === "RUN" && !i.command.json && i.heredocs.length === 0 && i.command.args.includes("apt"));
      if (runs.length === 0) continue;
      const posix = (i: Instruction) => shellKindOf(ctx.shells[i.index] ?? null, model.escape) === "posix";
      const updates = runs.filter((r) => posix(r) && commandsOf(r.command.args).commands.some((c) => aptSubcommand(c) === "update") && !listsMounted(r));
      if (updates.length === 0) continue;
      // any RUN of the stage that may remove the lists silences the report (exec form, heredocs and other shells: if they name the directory)
      const removed = stage.instructions.some((i) => {
        if (i.command.keyword !== "RUN") return false;
        if (i.command.json || i.heredocs.length > 0 || !posix(i)) return i.command.args.includes("/var/lib/apt") || i.heredocs.some((h) => h.content.includes("/var/lib/apt"));
        const args = i.command.args;
        return (args.includes("rm") || args.includes("find") || args.includes("dist-clean")) && mayRemoveLists(commandsOf(args));
      });
      if (removed || builderOnly(ctx, stage)) continue;
      for (const r of updates) {
        if (suppressedRules(model, r).has(ID)) continue;
        // the `apt-get update` command in the RUN's shell text
        const update = commandsOf(r.command.args).commands.find((c) => aptSubcommand(c) === "update")!;
        const argsAt = argsLogicalOffset(r);
        const where = { rule: ID, line: r.startLine + 1, column: 1, span: logicalSpan(model, r, argsAt + update.node.start, argsAt + update.node.end), instruction: r.index };
        const message = `apt-get update leaves the package lists in this layer and no RUN of the stage removes them: add \`&& ${CLEANUP}\` to this RUN`;
        const unsafe = "an unsafe fix: a later apt-get install without its own apt-get update (here, in a stage built on this one, or in an image built FROM it) would find no lists and fail";
        if (laterRunNeedsLists(stage, r)) {
          findings.push({ ...where, message: `${message} (no fix offered: a later RUN of the stage runs apt-get install without its own apt-get update, and would fail)`, fix: null });
          continue;
        }
        const a1 = analyseRun(r.command.args);
        startup ??= setsShellStartup(model);
        const a2 = a1 && isJoinableRun(ctx, r) ? analyseRun(CLEANUP) : null;
        const planned = a1 && a2 ? planJoin(stateEffects(a1.root), a1, a2, a2.commands, startup || shellSetsErrexit(ctx.shells[r.index] ?? null)) : null;
        const plan = planned && !("reason" in planned) ? planned : null;
        const joined = a1 && plan ? appendToRun(ctx, r, a1, { source: CLEANUP, args: CLEANUP }, plan) : null;
        if (!joined) {
          findings.push({ ...where, message: `${message} (no fix offered: the RUN's shell text or state does not allow appending to it)`, fix: null });
          continue;
        }
        findings.push({
          ...where,
          message: `${message}; ${unsafe}`,
          fix: {
            safety: "unsafe",
            description: `append && ${CLEANUP}`,
            edits: joined.edits,
            declares: { removed: [], replaced: new Map([[r.index, expectedKey(model, { ...r.command, args: joined.mergedArgs }, ctx.shells[r.index] ?? null, r.startLine)]]) },
          },
        });
      }
    }
    return findings;
  },
};
