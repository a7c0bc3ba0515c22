/**
 * What a shell script leaves behind for text that runs after it in the same
 * shell: the facts merge-cleanup-run and consecutive-run need before they
 * join `R1 && R2` (rulebook rewrite 1: "cd, set -e, exit, traps and
 * variables of R1 leak into R2"), and whether a later part can see them
 * (reachesLater). Separate RUNs each start a fresh shell; joined, R2
 * inherits R1's working directory, variables, `set` and `shopt` options,
 * umask, traps, aliases, functions and the command hash (where the shell
 * found each program R1 ran: dash and bash both remember it, and bash does
 * not look again, so a program R1 installed earlier on PATH, such as a new
 * pip3 after `pip3 install --upgrade pip`, is not the one R2 runs; pypa/pip#5221).
 * Read from the tree-sitter-bash tree, never from the text.
 */
import { literalWord, walk, type ShellNode } from "./tree.js";

export interface ShellStateEffects {
  /** cd, pushd, popd (or `command cd`): the working directory may change. */
  cwd: boolean;
  /** Variables assigned, exported or unset (including `${x:=y}`, `$((i++))`, read, getopts). */
  variables: boolean;
  /** Names of the variables changed, when all are literal; null when one is not. */
  variableNames: Set<string> | null;
  /** Functions, aliases, hash, enable: what a command name runs may change. */
  commandLookup: boolean;
  /** exit, exec, return, trap, eval, source, umask, ulimit, shopt, a `set` option other than e/u/x/v/pipefail, a command name that is not literal. */
  control: boolean;
  /** The first of those, as a report names it (`trap`, `set -f`, ...). */
  controlBy: string | null;
  /** `set` turns errexit on or off somewhere, even inside a subshell. */
  errexit: boolean;
  /** `set` turns errexit on or off at the level of the script (it outlives the script). */
  errexitLeaks: boolean;
  /** A command started in the background (`&`, or bash's `coproc`) anywhere. */
  background: boolean;
  /** A `set` option (any, e/u/x/v/pipefail included) changed at the level of the script. */
  options: boolean;
  /** Names the shell looks up on PATH and remembers (its command hash); null when a command name is not literal. */
  hashed: Set<string> | null;
  /** Anything may have created, replaced or removed a program: every command not known to write no file (or a system package manager), every redirect into a file. */
  mayChangePrograms: boolean;
  /** A system package manager ran: it may install programs, at the paths its packages name, never a package manager earlier on PATH. */
  systemPackages: boolean;
}

const CWD = new Set(["cd", "pushd", "popd"]);
const VARIABLES = new Set(["export", "unset", "readonly", "declare", "typeset", "local", "read", "getopts", "mapfile", "readarray", "let"]);
const LOOKUP = new Set(["alias", "unalias", "hash", "enable"]);
const CONTROL = new Set([
  "exit", "exec", "return", "trap", "eval", "source", ".", "umask", "ulimit", "shopt", "shift", "break", "continue",
  "command", "builtin", "coproc", "disown", "newgrp",
]);
/** `set` options whose effect on a later cleanup (simple commands, no expansions, no pipes, no redirects) is nil or only on the build log. */
const HARMLESS_SET_LETTERS = new Set(["e", "u", "x", "v"]);
const HARMLESS_SET_OPTIONS = new Set(["errexit", "nounset", "xtrace", "verbose", "pipefail"]);
/** Nodes whose inside runs in a child process: state changed there is lost. */
const ISOLATING = new Set(["subshell", "command_substitution", "process_substitution"]);
const ARITHMETIC_ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", "++", "--"]);

/** Trees are shared per text (tree.ts caches them), and a round of fixes asks about the same parts again and again: each answer is kept with its tree. */
const effectsCache = new WeakMap<ShellNode, ShellStateEffects>();
const namesCache = new WeakMap<ShellNode, Set<string> | null>();
const beforeLookupCache = new WeakMap<ShellNode, Map<string, { anything: boolean; packages: boolean }>>();

export function stateEffects(root: ShellNode): ShellStateEffects {
  let hit = effectsCache.get(root);
  if (hit === undefined) {
    hit = computeStateEffects(root);
    effectsCache.set(root, hit);
  }
  return hit;
}

function computeStateEffects(root: ShellNode): ShellStateEffects {
  const e: ShellStateEffects = {
    cwd: false,
    variables: false,
    variableNames: new Set(),
    commandLookup: false,
    control: false,
    controlBy: null,
    errexit: false,
    errexitLeaks: false,
    background: false,
    options: false,
    hashed: new Set(),
    mayChangePrograms: false,
    systemPackages: false,
  };
  programEffects(root, e);
  const changeVariable = (name: ShellNode | undefined) => {
    e.variables = true;
    const v = name ? literalWord(name) ?? (name.type === "variable_name" ? name.text : null) : null;
    if (v === null) e.variableNames = null;
    else e.variableNames?.add(v);
  };
  // preorder, left to right, with an explicit stack: a RUN of thousands of `&&` commands is a tree thousands of levels deep
  const stack: [ShellNode, boolean, boolean][] = [[root, false, false]];
  while (stack.length > 0) {
    const [node, isolated, arithmetic] = stack.pop()!;
    if (node.type === "&") e.background = true;
    // `cmd &> f` is a redirect to bash but `cmd &` then `> f` to dash: which /bin/sh is cannot be told
    if (node.type === "file_redirect" && node.children.some((c) => c.type === "&>" || c.type === "&>>")) e.background = true;
    const inArithmetic = arithmetic || node.type === "arithmetic_expansion" || node.type === "c_style_for_statement" || (node.type === "compound_statement" && node.text.startsWith("(("));
    if (!isolated) {
      switch (node.type) {
        case "variable_assignment":
          // `X=1 cmd` sets X for cmd only (commandEffects marks those; before a special builtin it stays)
          if (!prefixAssignments.has(node)) changeVariable(node.children.find((c) => c.field === "name"));
          break;
        case "declaration_command":
        case "unset_command":
          e.variables = true;
          e.variableNames = null;
          break;
        case "function_definition":
          e.commandLookup = true;
          break;
        case "for_statement":
          // `for NAME in ...` and `select NAME in ...` assign NAME, as NAME=value does
          changeVariable(node.children.find((c) => c.field === "variable"));
          break;
        case "expansion":
          if (node.children.some((c) => c.field === "operator" && (c.type === ":=" || c.type === "="))) changeVariable(node.children.find((c) => c.type === "variable_name"));
          break;
        case "command": {
          commandEffects(node, e, changeVariable);
          // the command hash is the shell's: a lookup in a subshell, a command substitution or an earlier pipeline element dies with it
          const names = lookedUpNames(node);
          if (names === null) e.hashed = null;
          else for (const name of names) e.hashed?.add(name);
          break;
        }
        default:
          if (inArithmetic && node.field === "operator" && ARITHMETIC_ASSIGN.has(node.type)) {
            e.variables = true;
            e.variableNames = null;
          }
      }
    } else if (node.type === "command") {
      // errexit inside a subshell still matters once that subshell is the left side of `&&`
      const name = node.children.find((c) => c.type === "command_name")?.children[0];
      if (name && literalWord(name) === "set") classifySet(argumentsOf(node), { ...e, errexit: false }, (errexit) => (e.errexit ||= errexit));
    }
    const childIsolated = isolated || ISOLATING.has(node.type);
    const named = node.children.filter((c) => c.named);
    const lastNamed = named[named.length - 1];
    for (let i = node.children.length - 1; i >= 0; i--) {
      const c = node.children[i]!;
      // every element of a pipeline but the last runs in a subshell (zsh and bash's lastpipe run the last one in the shell)
      const isolatedByPipe = node.type === "pipeline" && c.named && c !== lastNamed;
      stack.push([c, childIsolated || isolatedByPipe, inArithmetic]);
    }
  }
  return e;
}

/** Assignments written before a command name, which last only for that command. */
const prefixAssignments = new WeakSet<ShellNode>();
/** POSIX special builtins: an assignment written before one outlives it. */
const SPECIAL_BUILTINS = new Set([":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift", "times", "trap", "unset"]);

function argumentsOf(command: ShellNode): ShellNode[] {
  return command.children.filter((c) => c.field === "argument");
}

function commandEffects(node: ShellNode, e: ShellStateEffects, changeVariable: (name: ShellNode | undefined) => void): void {
  const nameNode = node.children.find((c) => c.type === "command_name");
  if (!nameNode) return; // assignments only: handled as variable_assignment
  const word = nameNode.children[0];
  const name = word ? literalWord(word) : null;
  if (name === null) {
    e.control = true; // `$CMD args` could be anything
    e.controlBy ??= "a command whose name is not literal";
    return;
  }
  if (!SPECIAL_BUILTINS.has(name)) for (const c of node.children) if (c.type === "variable_assignment") prefixAssignments.add(c);
  // bash's coproc runs its command in the background, as `&` does (dash has no coproc: it is a command there)
  if (name === "coproc") e.background = true;
  const args = argumentsOf(node);
  const first = args[0] ? literalWord(args[0]) : null;
  if (name === "command" && (first === "-v" || first === "-V")) return; // only prints what a name is
  if (CWD.has(name)) e.cwd = true;
  else if (VARIABLES.has(name)) {
    e.variables = true;
    e.variableNames = null;
  } else if (LOOKUP.has(name)) e.commandLookup = true;
  else if (CONTROL.has(name)) {
    e.control = true;
    e.controlBy ??= `\`${name}\``;
  }
  else if (name === "printf" && args.some((a) => literalWord(a) === "-v")) changeVariable(undefined);
  else if (name === "set") {
    if (args.length > 0) e.options = true;
    classifySet(args, e, (errexit) => {
      e.errexit ||= errexit;
      e.errexitLeaks ||= errexit;
    });
  }
}

/** `set` arguments: harmless options (e/u/x/v, pipefail) and positional parameters, or control. */
function classifySet(args: ShellNode[], e: ShellStateEffects, onErrexit: (touched: boolean) => void): void {
  const before = e.control;
  classifySetOptions(args, e, onErrexit);
  if (e.control && !before) e.controlBy ??= `\`set ${args.map((a) => a.text).join(" ")}\``;
}

function classifySetOptions(args: ShellNode[], e: ShellStateEffects, onErrexit: (touched: boolean) => void): void {
  const values = args.map(literalWord);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      e.control = true;
      return;
    }
    if (v === "--" || v === "-") return; // the rest are positional parameters (a cleanup uses none)
    if (!/^[-+][A-Za-z]+$/.test(v)) {
      if (/^[-+]/.test(v)) e.control = true;
      return; // positional parameters
    }
    for (const letter of v.slice(1)) {
      if (letter === "o") {
        const option = values[++i];
        if (option === null || option === undefined || !HARMLESS_SET_OPTIONS.has(option)) e.control = true;
        else if (option === "errexit") onErrexit(true);
      } else if (!HARMLESS_SET_LETTERS.has(letter)) e.control = true;
      else if (letter === "e") onErrexit(true);
    }
  }
}

/** Whether a SHELL exec array turns errexit on (`-e`, `-ec`, `-euxo pipefail`, `-o errexit`). */
export function shellSetsErrexit(shell: readonly string[] | null): boolean {
  if (!shell) return false;
  for (let i = 1; i < shell.length; i++) {
    const a = shell[i]!;
    if (a === "-o" && shell[i + 1] === "errexit") return true;
    if (/^-[A-Za-z]+$/.test(a) && a.includes("e")) return true;
  }
  return false;
}

/** Nodes that, as the left side of `&&`, switch errexit off for the commands inside them. */
const COMPOUND = new Set([
  "subshell", "compound_statement", "if_statement", "while_statement", "for_statement", "c_style_for_statement",
  "case_statement", "function_definition", "command_substitution", "process_substitution",
]);

/** A statement made only of simple commands, pipelines, `!` and `&&`/`||`: nothing inside it that errexit could stop. */
export function isFlatStatement(node: ShellNode): boolean {
  for (const n of walk(node)) if (COMPOUND.has(n.type)) return false;
  return true;
}

/** Builtins of both dash and bash: never looked up on PATH, never in the command hash. */
const BUILTINS = new Set([
  ".", ":", "[", "alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fc", "fg", "getopts",
  "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap", "true", "type",
  "ulimit", "umask", "unalias", "unset", "wait",
]);
/** Commands known to write no file (given no redirect): builtins that run nothing else, and a few programs that only read. */
const WRITES_NO_FILE = new Set([
  ...[...BUILTINS].filter((b) => !["eval", "exec", "command", ".", "fc"].includes(b)),
  "cat", "ls", "grep", "egrep", "fgrep", "head", "tail", "wc", "uname", "id", "whoami", "sleep", "date", "which", "dirname", "basename",
]);
/**
 * System package managers: they install programs only where their packages
 * put them, under /usr and /bin, and no distribution's package puts one of
 * these names anywhere but where it already is (assumed, and said in the
 * rules' docs): after them a remembered path of one of these names is
 * still the one a fresh shell finds.
 */
const SYSTEM_PACKAGE_MANAGERS = new Set(["apt-get", "apt", "aptitude", "dpkg", "apk", "yum", "dnf", "microdnf", "tdnf", "zypper", "rpm", "pacman"]);
/** Redirect targets that are no file on disk. */
const NOT_FILES = new Set(["/dev/null", "/dev/stdout", "/dev/stderr"]);
/** `command` and `type` with these options only say what a name is (dash remembers it, as a lookup). */
const DESCRIBE_OPTIONS = new Set(["-v", "-V", "-p", "-pv", "-pV", "-a", "-t", "-P", "-f"]);

/**
 * The names a command's shell looks up on PATH (the command hash), for
 * `command`, `exec` and `type` the name they are given too; null when the
 * command name is not literal (it may be anything).
 */
function lookedUpNames(cmd: ShellNode): string[] | null {
  const nameNode = cmd.children.find((c) => c.type === "command_name");
  if (!nameNode) return [];
  const name = nameNode.children[0] ? literalWord(nameNode.children[0]) : null;
  if (name === null) return null;
  const out: string[] = [];
  if (!BUILTINS.has(name) && !name.includes("/")) out.push(name);
  if (name === "command" || name === "exec" || name === "type") {
    for (const a of argumentsOf(cmd)) {
      const v = literalWord(a);
      if (v === null) return null;
      if (v.startsWith("-") && name !== "type") continue;
      if (!v.startsWith("-") && !BUILTINS.has(v) && !v.includes("/")) out.push(v);
      if (name !== "type") break;
    }
  }
  return out;
}

/** Whether a command may write a file ("packages": only as a system package manager does). */
function mayWriteFiles(cmd: ShellNode): boolean | "packages" {
  const nameNode = cmd.children.find((c) => c.type === "command_name");
  if (!nameNode) return false;
  const name = nameNode.children[0] ? literalWord(nameNode.children[0]) : null;
  if (name === null) return true;
  if (SYSTEM_PACKAGE_MANAGERS.has(name.slice(name.lastIndexOf("/") + 1))) return "packages";
  if (name === "command" || name === "type") {
    const first = argumentsOf(cmd)[0];
    const v = first ? literalWord(first) : null;
    return name === "command" && !(v !== null && DESCRIBE_OPTIONS.has(v));
  }
  return !WRITES_NO_FILE.has(name);
}

/** A redirect that may create or replace a file. */
function writesFile(redirect: ShellNode): boolean {
  const op = redirect.children.find((c) => !c.named)?.type ?? "";
  if (op === "<" || op === "<&" || op === "<<<") return false;
  const dest = redirect.children.find((c) => c.field === "destination");
  if (op === ">&" || op === "<&-" || op === ">&-") return !(dest && dest.type === "number");
  const target = dest ? literalWord(dest) : null;
  return !(target !== null && NOT_FILES.has(target));
}

/** Whether programs may change: every command and redirect of the text, in subshells too (the files outlive them). */
function programEffects(root: ShellNode, e: ShellStateEffects): void {
  for (const n of walk(root)) {
    if (n.type === "command") {
      const writes = mayWriteFiles(n);
      if (writes === "packages") e.systemPackages = true;
      else if (writes) e.mayChangePrograms = true;
    } else if (n.type === "file_redirect" && writesFile(n)) e.mayChangePrograms = true;
    else if (n.type === "ERROR") e.mayChangePrograms = true;
  }
}

/** The names later text runs through PATH (the command hash); null when it may run any (a name not literal, eval, source). */
export function namesRun(root: ShellNode): Set<string> | null {
  if (namesCache.has(root)) return namesCache.get(root)!;
  const names = computeNamesRun(root);
  namesCache.set(root, names);
  return names;
}

function computeNamesRun(root: ShellNode): Set<string> | null {
  const out = new Set<string>();
  for (const n of walk(root)) {
    if (n.type !== "command") continue;
    const nameNode = n.children.find((c) => c.type === "command_name");
    const name = nameNode?.children[0] ? literalWord(nameNode.children[0]) : nameNode ? null : "";
    if (name === null || name === "eval" || name === "source" || name === ".") return null;
    const names = lookedUpNames(n);
    if (names === null) return null;
    for (const x of names) out.add(x);
  }
  return out;
}

/**
 * What may change programs in a later part before it first looks `name` up
 * (source order; with a function defined in it, anywhere in it: a call may
 * run earlier text later). After that lookup the separate RUN remembers its
 * own path, as the joined shell does.
 */
function changesBeforeLookup(root: ShellNode, name: string): { anything: boolean; packages: boolean } {
  let byName = beforeLookupCache.get(root);
  if (byName === undefined) beforeLookupCache.set(root, (byName = new Map()));
  let hit = byName.get(name);
  if (hit === undefined) byName.set(name, (hit = computeChangesBeforeLookup(root, name)));
  return hit;
}

function computeChangesBeforeLookup(root: ShellNode, name: string): { anything: boolean; packages: boolean } {
  const out = { anything: false, packages: false };
  const functions = [...walk(root)].some((n) => n.type === "function_definition");
  for (const n of walk(root)) {
    if (n.type === "command") {
      if (!functions && (lookedUpNames(n) ?? []).includes(name)) break;
      const writes = mayWriteFiles(n);
      if (writes === "packages") out.packages = true;
      else if (writes) out.anything = true;
    } else if ((n.type === "file_redirect" && writesFile(n)) || n.type === "ERROR") out.anything = true;
  }
  return out;
}

/**
 * Whether a part's command hash can reach a later part: the part looked up
 * a name a later part runs, and between that lookup and the later part's
 * own first lookup of the name (in the part itself, the parts between, the
 * later part before it) a program may have been created, replaced or
 * removed: then the later part, in its own shell, would have found another.
 * System package managers change no package manager's place. The name, or null.
 */
export function hashReaches(e: ShellStateEffects, later: { root: ShellNode; effects: ShellStateEffects }[]): string | null {
  let anything = e.mayChangePrograms;
  let packages = e.systemPackages;
  const changes = (name: string, a: boolean, p: boolean) => a || (p && !SYSTEM_PACKAGE_MANAGERS.has(name));
  for (const l of later) {
    const names = namesRun(l.root);
    if (e.hashed === null || names === null) {
      if (anything || packages || l.effects.mayChangePrograms || l.effects.systemPackages) return "a program";
    } else {
      for (const n of names) {
        if (!e.hashed.has(n)) continue;
        const before = changesBeforeLookup(l.root, n);
        if (changes(n, anything || before.anything, packages || before.packages)) return `\`${n}\``;
      }
    }
    anything ||= l.effects.mayChangePrograms;
    packages ||= l.effects.systemPackages;
  }
  return null;
}

/** Whether a part changes any shell state that arbitrary later text could see (the command hash aside: hashReaches). */
export function changesShellState(e: ShellStateEffects): boolean {
  return e.cwd || e.variables || e.commandLookup || e.control || e.options || e.errexit;
}

/** Variables whose value tells where or when a command runs in its shell (line number, elapsed time, last argument): joined, they read otherwise. */
const POSITION_VARIABLES = new Set(["LINENO", "BASH_LINENO", "BASH_COMMAND", "SECONDS", "BASH_SUBSHELL", "_", "EPOCHREALTIME", "BASHPID"]);

/** Whether text reads one of them. */
export function readsShellPosition(root: ShellNode): boolean {
  for (const n of walk(root)) {
    if ((n.type === "variable_name" || n.type === "special_variable_name") && POSITION_VARIABLES.has(n.text)) return true;
  }
  return false;
}

/**
 * Variables the shell reads when it starts: BASH_ENV names a script bash
 * runs at the start of every non-interactive shell (joined, it runs once
 * instead of once per RUN), ENV the one an interactive sh runs, SHELLOPTS
 * and BASHOPTS the options it starts with (errexit among them).
 */
export const SHELL_STARTUP_VARIABLES: ReadonlySet<string> = new Set(["SHELLOPTS", "BASH_ENV", "ENV", "BASHOPTS"]);
