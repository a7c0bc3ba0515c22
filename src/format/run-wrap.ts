/**
 * Wrapping a long package list (docs/run-layout.md): when a line of a
 * laid-out RUN is still longer than printWidth after its operators and
 * flags, and it holds a package manager's install (or add, remove...)
 * command of the top-level list ending in three or more packages
 * (`apt-get install -y a b c ...`), each package goes on its own line, one
 * level deeper than the command. A line that only continues such a list
 * (`    a b c ...` under `apt-get install -y \`) gets one package per line
 * at its own level. Other commands' arguments (paths, URLs, positional
 * arguments) are never wrapped: which words belong together is theirs to
 * know.
 *
 * The command's head stays on its line: assignments before the command,
 * its name, its verb (`install`, `add`), every option up to the last (a
 * word starting with `-` or `+`), and the value of an option known to take
 * one (`--virtual .build-deps`, `-t bookworm-backports`). A package is a
 * plain word (letters, digits, `._+:=@%^~,*` and `$NAME`/`${NAME}`), or one
 * quoted word whose value the quote scan reads as literal text without
 * blanks (`"requests>=2.31"`, `'numpy<2'`): breaks go only between words,
 * never inside quotes, expansions or redirects.
 */
import type { Break, RunContext } from "./run-breaks.js";
import type { Line } from "./run-lines.js";
import type { Token } from "./tokens.js";
import { agreedScan } from "../shell/literal-words.js";

/** Options of common package managers and downloaders that take the next word as their value. */
const VALUE_OPTIONS = new Set([
  "--virtual",
  "-t",
  "--target-release",
  "-o",
  "--option",
  "-r",
  "--requirement",
  "-c",
  "--constraint",
  "-X",
  "--repository",
  "-i",
  "--index-url",
  "--extra-index-url",
  "-f",
  "--find-links",
  "--target",
  "--prefix",
  "--root",
  "-d",
  "--directory",
]);
const PACKAGE = /^(?:[A-Za-z0-9_.+:=@%^~,*-]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})+$/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** The verbs of package managers (apt-get, apk, yum, dnf, tdnf, zypper, pip, npm, gem, conda...) whose operands are packages. */
const PACKAGE_VERBS = new Set(["install", "add", "upgrade", "remove", "purge", "del", "uninstall", "reinstall"]);
const OPTION = /^[-+]/;
const OPERATOR = new Set(["&&", "||", ";", "&"]);
const MIN_LIST = 3;

/** Breaks that put each word of the line's argument list on a line of its own (none if the line holds no such list). */
export function wrapBreaks(ctx: RunContext, line: Line): Break[] {
  if (line.start < ctx.argsStart && line.end <= ctx.argsStart) return [];
  const from = Math.max(line.start, ctx.argsStart);
  if (ctx.shell.nested(from)) return [];
  const words = wordsIn(ctx, from, line.end);
  if (words.length === 0) return [];
  const textOf = (t: Token) => ctx.text.slice(t.start, t.end);
  // a top-level operator at either end of the line belongs to the list, not to the command
  if (OPERATOR.has(textOf(words[words.length - 1]!))) words.pop();
  if (words.length > 0 && OPERATOR.has(textOf(words[0]!))) words.shift();
  if (words.length === 0) return [];
  const commandStart = ctx.shell.commandStart(words[0]!.start);
  let list: Token[];
  let sibling: boolean;
  if (commandStart < words[0]!.start && commandStart < line.start) {
    // the line continues a command: all its words are list words, if the command installs packages
    const command = wordsIn(ctx, commandStart, line.start);
    if (packageListStart(command.map(textOf)) === null) return [];
    list = words;
    sibling = true;
  } else {
    const head = packageListStart(words.map(textOf));
    if (head === null) return [];
    list = words.slice(head);
    sibling = false;
  }
  const packages = list.every((t, i) => {
    const word = textOf(t);
    return (PACKAGE.test(i === list.length - 1 ? word.replace(/;$/, "") : word) && !OPTION.test(word)) || quotedPackage(ctx, word);
  });
  if (!packages || list.length < MIN_LIST) return [];
  const breaks: Break[] = [];
  const tokens = ctx.input.line.tokens;
  for (let i = sibling ? 1 : 0; i < list.length; i++) {
    const index = tokens.indexOf(list[i]!);
    const blank = tokens[index - 1];
    if (!blank || blank.kind !== "blank" || !blank.collapsible) return [];
    breaks.push({ at: blank.start, resume: blank.end, tight: false, kind: "wrap", extras: [], sibling: sibling || undefined });
  }
  return breaks;
}

/** The word tokens in [from, to), or none if the range holds more than words and blanks (redirects, pipes, groups, comments...). */
function wordsIn(ctx: RunContext, from: number, to: number): Token[] {
  const words: Token[] = [];
  for (const t of ctx.input.line.tokens) {
    if (t.end <= from) continue;
    if (t.start >= to) break;
    if (t.kind === "word") words.push(t);
  }
  const syntax = /[|<>(){}`#'"\\]/;
  for (const t of words) {
    const word = ctx.text.slice(t.start, t.end);
    if (OPERATOR.has(word) || quotedPackage(ctx, word)) continue;
    if (syntax.test(word.replace(/;$/, ""))) return [];
  }
  return words;
}

/**
 * Whether a word is one quoted package (`"requests>=2.31"`): it starts with a
 * quote and the quote scan, in every dialect the stage's shell may read it
 * in, reads it as one word with a literal value that has no blanks and is
 * no option.
 */
function quotedPackage(ctx: RunContext, word: string): boolean {
  if (word[0] !== '"' && word[0] !== "'") return false;
  const scan = agreedScan(word, ctx.input.dialects);
  const only = scan?.words.length === 1 && scan.comment === null ? scan.words[0]! : null;
  const value = only && only.start === 0 && only.end === word.length ? only.value : null;
  return value !== null && value !== "" && !/[\s]/.test(value) && !OPTION.test(value);
}

/**
 * Where a package manager command's packages start among its words (after
 * assignments, the name, the verb, options up to the last and their
 * values), or null if the command is not one that installs packages.
 */
function packageListStart(words: readonly string[]): number | null {
  let i = 0;
  while (i < words.length && ASSIGNMENT.test(words[i]!)) i++;
  i++; // the command name
  let verb = false;
  let head = i;
  for (let k = i; k < words.length; k++) {
    const word = words[k]!;
    if (OPTION.test(word)) {
      head = k + 1;
      if (VALUE_OPTIONS.has(word) && k + 1 < words.length) head = k + 2;
    } else if (!verb && k >= head) {
      // the first operand is the verb
      if (!PACKAGE_VERBS.has(word)) return null;
      verb = true;
      head = k + 1;
    }
  }
  return verb ? head : null;
}
