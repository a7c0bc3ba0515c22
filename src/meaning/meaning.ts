/**
 * What a Dockerfile means: its parser directives and, per instruction, the
 * keyword, the flags, the arguments as BuildKit reads them (exec-form arrays
 * decoded, shell-form text as its tree-sitter-bash syntax tree without
 * positions and the quote scan's reading of its blanks) and the heredoc
 * bodies. Two files mean the same when these are
 * equal. Comments, blank lines, keyword case and the whitespace that the
 * instruction's parser ignores are not part of the meaning.
 */
import type { DockerfileModel, Instruction, Command } from "../model/model.js";
import { DockerfileSyntaxError, healthcheckParts, type EscapeChar } from "../model/command.js";
import { goEqualFoldAscii, goToUpper } from "../model/go.js";
import { checkCommentValue } from "../model/scan.js";
import { analyzeShell, shellScan } from "../shell/analysis.js";
import { ALL_DIALECTS, readingOf, type ShellDialect } from "../shell/quote-scan.js";
import { parseJSONArray, parseNameVal, parseWords, splitWhitespace, NotStringArrayError } from "./buildkit.js";

export type ShellKind = "posix" | "cmd" | "powershell" | "unknown";

export interface InstructionMeaning {
  /** 0-based physical line where the instruction starts. */
  line: number;
  /**
   * Canonical text of the meaning; equal strings mean equal meanings. Where
   * the instruction has POSIX shell text, its syntax tree (a tree-sitter
   * parse) is read on the first use of `key`: see sameMeaning.
   */
  readonly key: string;
  /**
   * What `key` is made of: `template` with the shell text's signature in
   * place of its last SHELL_SLOT, where `shellText` (the POSIX shell text,
   * null for none) has one. `key` is a function of these two and nothing
   * else, so equal pairs have equal keys.
   */
  readonly template: string;
  readonly shellText: string | null;
  /**
   * The `check=` settings BuildKit's linter reads from the comments before
   * the instruction (checkCommentValue), or null: they decide which build
   * checks run on it, and so what `docker build --check` reports and whether
   * a build with `check=error=true` fails.
   */
  readonly lint: string | null;
}

/**
 * Whether two instructions mean the same: their keys are equal. Where both
 * are made of the same template and the same shell text, the keys are equal
 * without computing them (the key is a function of those two): an
 * instruction a fix or the formatter left as it was costs no parse.
 */
export function sameMeaning(a: InstructionMeaning, b: InstructionMeaning): boolean {
  if (a.lint !== b.lint) return false;
  if (a.template === b.template && a.shellText === b.shellText) return true;
  return a.key === b.key;
}

export interface FileMeaning {
  directives: string[];
  instructions: InstructionMeaning[];
}

const POSIX_SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"]);

export function shellKindOf(shell: string[] | null, escape: EscapeChar): ShellKind {
  if (!shell) return escape === "`" ? "unknown" : "posix";
  const exe = executableName(shell);
  if (POSIX_SHELLS.has(exe)) return "posix";
  if (exe === "cmd") return "cmd";
  if (exe === "powershell" || exe === "pwsh") return "powershell";
  return "unknown";
}

/**
 * The dialects a POSIX shell stage's text may be read in (quote-scan.ts):
 * bash for a SHELL of bash; otherwise both, as /bin/sh (the default) is dash
 * on some images and bash on others, and the other POSIX shells are read
 * only where both readings agree.
 */
export function shellDialects(shell: string[] | null): readonly ShellDialect[] {
  return shell !== null && executableName(shell) === "bash" ? BASH_ONLY : ALL_DIALECTS;
}

const BASH_ONLY: readonly ShellDialect[] = Object.freeze(["bash"]);

/** The SHELL's program without its directory and `.exe`, in lower case. */
function executableName(shell: string[]): string {
  return (shell[0] ?? "").split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, "");
}

/** BuildKit's default SHELL on Windows images. */
const WINDOWS_DEFAULT_SHELL = ["cmd", "/S", "/C"];
/**
 * The default SHELL of a stage whose base image is not known (it depends on
 * a build argument without a default): /bin/sh or cmd, nobody can tell, so
 * its shell text is treated as a shell we do not know (kept as written).
 */
export const UNKNOWN_DEFAULT_SHELL: readonly string[] = Object.freeze(["(the default shell of an unknown base image)"]);

/**
 * The SHELL in effect for each instruction (index → exec array, or null for
 * the default). A stage built FROM an earlier stage starts with its SHELL.
 */
export function shellsInEffect(model: DockerfileModel): (string[] | null)[] {
  const result: (string[] | null)[] = new Array(model.instructions.length).fill(null);
  const finalShell: (string[] | null)[] = [];
  for (const stage of model.stages) {
    let shell: string[] | null =
      stage.parent !== null
        ? (finalShell[stage.parent] ?? null)
        : stage.windows === null
          ? (UNKNOWN_DEFAULT_SHELL as string[])
          : stage.windows
            ? WINDOWS_DEFAULT_SHELL
            : null;
    for (const instr of stage.instructions) {
      result[instr.index] = shell;
      if (instr.command.keyword === "SHELL" && instr.command.json) shell = instr.command.json;
    }
    finalShell[stage.index] = shell;
  }
  return result;
}

/**
 * POSIX shell text means its syntax tree; any other shell's text (cmd,
 * PowerShell, a shell we do not know) means itself, byte for byte: cmd's
 * `echo a   b` prints its blanks.
 */
function shellText(text: string, kind: ShellKind, posix: PosixShell): string {
  if (kind === "posix") return posix(text);
  return `${kind}:${JSON.stringify(text)}`;
}

/** What POSIX shell text contributes to a key. */
type PosixShell = (text: string) => string;

/**
 * POSIX shell text's meaning: its tree-sitter syntax tree and, as a reading
 * that does not share tree-sitter's mistakes, the quote scan's reading of
 * its blanks in both dialects (quote-scan.ts): two texts mean the same only
 * where all three agree. (Both dialects whatever the stage's shell: a rule's
 * declared result is computed without it.)
 */
const signatureOf: PosixShell = (text) => {
  const analysis = analyzeShell(text);
  const posix = shellScan(text, "posix", analysis);
  const bash = shellScan(text, "bash", analysis);
  // one reading where the dialects read the text alike (one scan where they take the same steps: the same array)
  const posixReading = JSON.stringify(readingOf(text, posix));
  const bashReading = posix === bash ? posixReading : JSON.stringify(readingOf(text, bash));
  return `sh${analysis.signature} ${posixReading === bashReading ? `posix=bash:${posixReading}` : `posix:${posixReading} bash:${bashReading}`}`;
};

function maybeJSON(args: string, kind: ShellKind, line: number, posix: PosixShell): string {
  if (args === "") return "none";
  const arr = jsonOrThrow(args, line);
  if (arr) return `exec${JSON.stringify(arr)}`;
  return shellText(args, kind, posix);
}

function jsonOrThrow(args: string, line: number): string[] | null {
  try {
    return parseJSONArray(args);
  } catch (e) {
    if (e instanceof NotStringArrayError) throw new DockerfileSyntaxError(e.message, line + 1, 1);
    throw e;
  }
}

export function commandMeaning(cmd: Command, kind: ShellKind, escape: EscapeChar, line: number): string {
  return meaningWith(cmd, kind, escape, line, signatureOf);
}

function meaningWith(cmd: Command, kind: ShellKind, escape: EscapeChar, line: number, posix: PosixShell): string {
  const kw = cmd.keyword;
  const head = `${kw}${cmd.flags.length ? JSON.stringify(cmd.flags) : ""}`;
  const args = cmd.args;
  switch (kw) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
      return `${head} ${maybeJSON(args, kind, line, posix)}`;
    case "SHELL": {
      const arr = args === "" ? null : jsonOrThrow(args, line);
      return `${head} ${arr ? JSON.stringify(arr) : JSON.stringify(args)}`;
    }
    case "ADD":
    case "COPY":
    case "VOLUME": {
      const arr = jsonOrThrow(args, line);
      return `${head} ${arr ? `json${JSON.stringify(arr)}` : JSON.stringify(splitWhitespace(args))}`;
    }
    case "ENV":
    case "LABEL":
      return `${head} ${JSON.stringify(parseNameVal(args, kw, escape, line))}`;
    case "ARG":
      return `${head} ${JSON.stringify(parseWords(args, escape))}`;
    case "EXPOSE":
      return `${head} ${JSON.stringify(splitWhitespace(args))}`;
    case "FROM": {
      // instructions/parse.go compares `AS` without regard to case
      const words = splitWhitespace(args);
      if (words.length === 3 && goEqualFoldAscii(words[1]!, "as")) words[1] = "AS";
      return `${head} ${JSON.stringify(words)}`;
    }
    case "HEALTHCHECK": {
      const parts = healthcheckParts(args);
      if (!parts) return `${head} none`;
      return `${head} ${goToUpper(parts.type)} ${maybeJSON(parts.rest, kind, line, posix)}`;
    }
    case "ONBUILD":
      return `${head} (${cmd.trigger ? meaningWith(cmd.trigger, kind, escape, line, posix) : ""})`;
    default:
      // MAINTAINER, STOPSIGNAL, USER, WORKDIR keep their text; unknown instructions too.
      return `${head} ${JSON.stringify(args)}`;
  }
}

/**
 * Heredoc bodies, their line endings aside: BuildKit keeps a CRLF file's
 * CRLF in the body, and the line endings written are the ones the user asks
 * the formatter for (a CR before a line ending goes with it: `a\r` + CRLF,
 * written with LF, reads as `a` + CRLF).
 */
function heredocMeaning(instr: Instruction): string {
  if (instr.heredocs.length === 0) return "";
  return ` heredocs${JSON.stringify(
    instr.heredocs.map((h) => [h.name, h.chomp, h.expand, h.fd, h.content.replace(/\r+\n/g, "\n")]),
  )}`;
}

/**
 * Stands for the signature of the instruction's POSIX shell text in a
 * template. An instruction has at most one such text (RUN, CMD, ENTRYPOINT,
 * HEALTHCHECK CMD, or one of these under ONBUILD), and what follows it in
 * the key is JSON (heredoc bodies) or `)`, where a NUL is always escaped:
 * the slot is the template's last NUL.
 */
const SHELL_SLOT = "\u0000";

class LazyMeaning implements InstructionMeaning {
  #key: string | null;
  constructor(
    readonly line: number,
    readonly template: string,
    readonly shellText: string | null,
    readonly lint: string | null,
  ) {
    this.#key = shellText === null ? template : null;
  }

  get key(): string {
    if (this.#key === null) {
      const at = this.template.lastIndexOf(SHELL_SLOT);
      this.#key = this.template.slice(0, at) + signatureOf(this.shellText!) + this.template.slice(at + SHELL_SLOT.length);
    }
    return this.#key;
  }
}

/**
 * An instruction's meaning. Everything but the POSIX shell text's syntax tree
 * is read now (a JSON array with a non-string throws here, as BuildKit's
 * parser rejects it); the tree is parsed when the key is first read.
 */
export function instructionMeaning(
  model: DockerfileModel,
  instr: Instruction,
  shell: string[] | null,
): InstructionMeaning {
  const kind = shellKindOf(shell, model.escape);
  let posixText: string | null = null;
  const slot: PosixShell = (text) => {
    posixText = text;
    return SHELL_SLOT;
  };
  const template = meaningWith(instr.command, kind, model.escape, instr.startLine, slot) + heredocMeaning(instr);
  return new LazyMeaning(instr.startLine, template, posixText, checkCommentValue(instr.prevComments));
}

const meaningCache = new WeakMap<DockerfileModel, FileMeaning>();

/** The model's meaning, computed once per model. */
export function meaningOf(model: DockerfileModel): FileMeaning {
  let meaning = meaningCache.get(model);
  if (!meaning) {
    meaning = computeMeaning(model);
    meaningCache.set(model, meaning);
  }
  return meaning;
}

function computeMeaning(model: DockerfileModel): FileMeaning {
  const shells = shellsInEffect(model);
  return {
    directives: model.directives.map((d) => `${d.name}=${d.value}`),
    instructions: model.instructions.map((instr) => instructionMeaning(model, instr, shells[instr.index] ?? null)),
  };
}

export interface MeaningDifference {
  /** 0-based line in the first file (or -1 for directives). */
  lineA: number;
  lineB: number;
  message: string;
}

/** The first difference between two meanings, or null when they are the same. */
export function compareMeanings(a: FileMeaning, b: FileMeaning): MeaningDifference | null {
  if (a.directives.join("\n") !== b.directives.join("\n")) {
    return {
      lineA: -1,
      lineB: -1,
      message: `parser directives differ: [${a.directives.join(", ")}] vs [${b.directives.join(", ")}]`,
    };
  }
  const n = Math.max(a.instructions.length, b.instructions.length);
  for (let i = 0; i < n; i++) {
    const x = a.instructions[i];
    const y = b.instructions[i];
    if (!x || !y) {
      return {
        lineA: x?.line ?? -1,
        lineB: y?.line ?? -1,
        message: `instruction count differs: ${a.instructions.length} vs ${b.instructions.length}`,
      };
    }
    if (x.lint !== y.lint) {
      return { lineA: x.line, lineB: y.line, message: `the check= comment before instruction ${i + 1} differs: ${x.lint} vs ${y.lint}` };
    }
    if (!sameMeaning(x, y)) {
      return { lineA: x.line, lineB: y.line, message: `instruction ${i + 1} differs:\n  ${x.key}\n  ${y.key}` };
    }
  }
  return null;
}
