/**
 * What a shell script leaves behind for text that runs after it in the same
 * shell: the facts merge-cleanup-run needs before it joins `R1 && R2`
 * (rulebook rewrite 1: "cd, set -e, exit, traps and variables of R1 leak into
 * R2"). Read from the tree-sitter-bash tree, never from the text.
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
  /** `set` turns errexit on or off somewhere, even inside a subshell. */
  errexit: boolean;
  /** `set` turns errexit on or off at the level of the script (it outlives the script). */
  errexitLeaks: boolean;
  /** A command started in the background (`&`, or bash's `coproc`) anywhere. */
  background: boolean;
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

export function stateEffects(root: ShellNode): ShellStateEffects {
  const e: ShellStateEffects = {
    cwd: false,
    variables: false,
    variableNames: new Set(),
    commandLookup: false,
    control: false,
    errexit: false,
    errexitLeaks: false,
    background: false,
  };
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
        case "command":
          commandEffects(node, e, changeVariable);
          break;
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
  else if (CONTROL.has(name)) e.control = true;
  else if (name === "printf" && args.some((a) => literalWord(a) === "-v")) changeVariable(undefined);
  else if (name === "set") {
    classifySet(args, e, (errexit) => {
      e.errexit ||= errexit;
      e.errexitLeaks ||= errexit;
    });
  }
}

/** `set` arguments: harmless options (e/u/x/v, pipefail) and positional parameters, or control. */
function classifySet(args: ShellNode[], e: ShellStateEffects, onErrexit: (touched: boolean) => void): void {
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
