/**
 * What a Dockerfile means: its parser directives and, per instruction, the
 * keyword, the flags, the arguments as BuildKit reads them (exec-form arrays
 * decoded, shell-form text as its tree-sitter-bash syntax tree without
 * positions) and the heredoc bodies. Two files mean the same when these are
 * equal. Comments, blank lines, keyword case and the whitespace that the
 * instruction's parser ignores are not part of the meaning.
 */
import type { DockerfileModel, Instruction, Command } from "../model/model.js";
import { DockerfileSyntaxError, type EscapeChar } from "../model/scan.js";
import { analyzeShell } from "../shell/analysis.js";
import { parseJSONArray, parseNameVal, parseWords, splitWhitespace, NotStringArrayError } from "./buildkit.js";

export type ShellKind = "posix" | "cmd" | "powershell" | "unknown";

export interface InstructionMeaning {
  /** 0-based physical line where the instruction starts. */
  line: number;
  /** Canonical text of the meaning; equal strings mean equal meanings. */
  key: string;
}

export interface FileMeaning {
  directives: string[];
  instructions: InstructionMeaning[];
}

const POSIX_SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"]);

export function shellKindOf(shell: string[] | null, escape: EscapeChar): ShellKind {
  if (!shell) return escape === "`" ? "unknown" : "posix";
  const exe = (shell[0] ?? "").split(/[\\/]/).pop()!.toLowerCase().replace(/\.exe$/, "");
  if (POSIX_SHELLS.has(exe)) return "posix";
  if (exe === "cmd") return "cmd";
  if (exe === "powershell" || exe === "pwsh") return "powershell";
  return "unknown";
}

/** BuildKit's default SHELL on Windows images. */
const WINDOWS_DEFAULT_SHELL = ["cmd", "/S", "/C"];

/**
 * The SHELL in effect for each instruction (index → exec array, or null for
 * the default). A stage built FROM an earlier stage starts with its SHELL.
 */
export function shellsInEffect(model: DockerfileModel): (string[] | null)[] {
  const result: (string[] | null)[] = new Array(model.instructions.length).fill(null);
  const finalShell: (string[] | null)[] = [];
  for (const stage of model.stages) {
    let shell: string[] | null = stage.parent !== null ? (finalShell[stage.parent] ?? null) : stage.windows ? WINDOWS_DEFAULT_SHELL : null;
    for (const instr of stage.instructions) {
      result[instr.index] = shell;
      if (instr.command.keyword === "SHELL" && instr.command.json) shell = instr.command.json;
    }
    finalShell[stage.index] = shell;
  }
  return result;
}

/** Non-POSIX shell text: blank runs outside quotes are one separator. */
export function normaliseOpaqueShell(text: string): string {
  let out = "";
  let quote = "";
  let pendingSpace = false;
  for (const ch of text) {
    if (quote) {
      out += ch;
      if (ch === quote) quote = "";
      continue;
    }
    if (ch === " " || ch === "\t") {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && out !== "") out += " ";
    pendingSpace = false;
    if (ch === '"' || ch === "'") quote = ch;
    out += ch;
  }
  return out;
}

function shellText(text: string, kind: ShellKind): string {
  if (kind === "posix") return `sh${analyzeShell(text).signature}`;
  return `${kind}:${JSON.stringify(normaliseOpaqueShell(text))}`;
}

function maybeJSON(args: string, kind: ShellKind, line: number): string {
  if (args === "") return "none";
  const arr = jsonOrThrow(args, line);
  if (arr) return `exec${JSON.stringify(arr)}`;
  return shellText(args, kind);
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
  const kw = cmd.keyword;
  const head = `${kw}${cmd.flags.length ? JSON.stringify(cmd.flags) : ""}`;
  const args = cmd.args;
  switch (kw) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
      return `${head} ${maybeJSON(args, kind, line)}`;
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
      if (words.length === 3 && words[1]!.toUpperCase() === "AS") words[1] = "AS";
      return `${head} ${JSON.stringify(words)}`;
    }
    case "HEALTHCHECK": {
      const m = /[\s]/.exec(args);
      const type = m ? args.slice(0, m.index) : args;
      const rest = m ? args.slice(m.index).trimStart() : "";
      return `${head} ${type.toUpperCase()} ${maybeJSON(rest, kind, line)}`;
    }
    case "ONBUILD":
      return `${head} (${cmd.trigger ? commandMeaning(cmd.trigger, kind, escape, line) : ""})`;
    default:
      // MAINTAINER, STOPSIGNAL, USER, WORKDIR keep their text; unknown instructions too.
      return `${head} ${JSON.stringify(args)}`;
  }
}

function heredocMeaning(instr: Instruction): string {
  if (instr.heredocs.length === 0) return "";
  return ` heredocs${JSON.stringify(
    instr.heredocs.map((h) => [h.name, h.chomp, h.expand, h.fd, h.content.replace(/\r\n/g, "\n")]),
  )}`;
}

export function instructionMeaning(
  model: DockerfileModel,
  instr: Instruction,
  shell: string[] | null,
): InstructionMeaning {
  const kind = shellKindOf(shell, model.escape);
  return { line: instr.startLine, key: commandMeaning(instr.command, kind, model.escape, instr.startLine) + heredocMeaning(instr) };
}

/**
 * Throws the DockerfileSyntaxError BuildKit's parser would raise (a JSON
 * array of non-strings, ENV or LABEL without a value), without reading any
 * shell text: the cheap part of meaningOf, for callers that may never need
 * the meaning itself.
 */
export function validateModel(model: DockerfileModel): void {
  for (const instr of model.instructions) validateCommand(instr.command, model.escape, instr.startLine);
}

function validateCommand(cmd: Command, escape: EscapeChar, line: number): void {
  switch (cmd.keyword) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
    case "SHELL":
    case "ADD":
    case "COPY":
    case "VOLUME":
      if (cmd.args.startsWith("[")) jsonOrThrow(cmd.args, line);
      return;
    case "HEALTHCHECK": {
      const rest = cmd.args.replace(/^\S+\s*/, "");
      if (rest.startsWith("[")) jsonOrThrow(rest, line);
      return;
    }
    case "ENV":
    case "LABEL":
      parseNameVal(cmd.args, cmd.keyword, escape, line);
      return;
    case "ONBUILD":
      if (cmd.trigger) validateCommand(cmd.trigger, escape, line);
      return;
  }
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
    if (x.key !== y.key) {
      return { lineA: x.line, lineB: y.line, message: `instruction ${i + 1} differs:\n  ${x.key}\n  ${y.key}` };
    }
  }
  return null;
}
