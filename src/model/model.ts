/**
 * The one model of a Dockerfile: built once per file, printed by the
 * formatter, read by the rules, reduced to its meaning by the verifier.
 *
 * Lines, comments, continuations and heredocs come from the BuildKit-faithful
 * scanner (scan.ts); dockerfile-ast, the project's parser of record, is parsed
 * lazily for the rules that want its richer view (flag ranges, images).
 */
import { createRequire } from "node:module";
import type { Dockerfile, DockerfileParser as DockerfileParserType } from "dockerfile-ast";
import {
  DockerfileSyntaxError,
  scan,
  splitKeyword,
  stripFlags,
  jsonArrayValue,
  type Directive,
  type EscapeChar,
  type PhysicalLine,
  type ScannedInstruction,
  type TopLevelEntry,
} from "./scan.js";

export { DockerfileSyntaxError };

export const KNOWN_INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/** What an instruction's arguments are, after BuildKit's flag extraction. */
export interface Command {
  /** Keyword as written. */
  keywordRaw: string;
  /** Keyword upper case. */
  keyword: string;
  /** Processed flag words (`--mount=type=cache,target=/x`), as BuildKit lists them. */
  flags: string[];
  /** Argument text after flags, trimmed. */
  args: string;
  /** Exec form: the whole argument text is a JSON array of strings. */
  json: string[] | null;
  /** For ONBUILD: the trigger. For HEALTHCHECK: the CMD part is in `args` after the type word. */
  trigger: Command | null;
}

export interface Instruction extends ScannedInstruction {
  index: number;
  command: Command;
  stage: number;
}

export interface Stage {
  index: number;
  /** Index of the FROM instruction; -1 for instructions before any FROM. */
  from: number;
  name: string | null;
  /** Stage index this stage is built FROM, if it names an earlier stage. */
  parent: number | null;
  /**
   * Whether the stage builds on a Windows image (its base names windows,
   * nanoserver or servercore, or it builds FROM such a stage): there the
   * default SHELL is cmd, not /bin/sh.
   */
  windows: boolean;
  instructions: Instruction[];
}

export interface DockerfileModel {
  source: string;
  bom: boolean;
  eol: "\n" | "\r\n";
  escape: EscapeChar;
  lines: PhysicalLine[];
  directives: Directive[];
  entries: (TopLevelEntry | Instruction)[];
  instructions: Instruction[];
  stages: Stage[];
  /** dockerfile-ast's view, parsed on first use. */
  readonly ast: Dockerfile;
}

export function parseCommand(logical: string, escape: EscapeChar): Command {
  const { keyword: keywordRaw, rest } = splitKeyword(logical);
  const keyword = keywordRaw.toUpperCase();
  const { flags, args } = stripFlags(rest, escape);
  let json: string[] | null = null;
  // args starts with no blank (stripFlags skipped them), so this is the array JSON.parse(args) gives
  const parsed = jsonArrayValue(args);
  if (parsed !== null && parsed.every((v) => typeof v === "string")) json = parsed as string[];
  let trigger: Command | null = null;
  if (keyword === "ONBUILD" && rest !== "") trigger = parseCommand(rest, escape);
  return { keywordRaw, keyword, flags, args, json, trigger };
}

/**
 * The flags BuildKit defines that need `=value` (instructions/parse.go and the
 * RUN flag handlers); its boolean flags (`--link`, `--parents`, ...) need none.
 * Flags we do not know are left for BuildKit to judge.
 */
const STRING_FLAGS: Record<string, Set<string>> = {
  RUN: new Set(["mount", "network", "security", "device"]),
  COPY: new Set(["chown", "from", "chmod", "exclude"]),
  ADD: new Set(["chown", "chmod", "checksum", "exclude"]),
  FROM: new Set(["platform"]),
  HEALTHCHECK: new Set(["interval", "timeout", "start-period", "start-interval", "retries"]),
};
const BOOLEAN_FLAGS = new Set(["link", "keep-git-dir", "unpack", "parents"]);

/** Rejects what BuildKit's flag parser rejects before any build: a flag with no value. */
function checkFlags(command: Command, instr: ScannedInstruction, lines: PhysicalLine[]): void {
  for (const flag of command.flags) {
    if (flag === "--") break;
    const name = flag.slice(2).split("=", 1)[0]!;
    const hasValue = flag.includes("=");
    const needsValue = STRING_FLAGS[command.keyword]?.has(name) ?? false;
    if ((needsValue && !hasValue) || (hasValue && flag.endsWith("=") && BOOLEAN_FLAGS.has(name))) {
      let line = instr.startLine;
      let column = 0;
      for (const l of instr.lines) {
        const at = lines[l.line]!.text.indexOf(`--${name}`);
        if (at !== -1) {
          line = l.line;
          column = at;
          break;
        }
      }
      throw new DockerfileSyntaxError(`missing a value on flag: --${name}`, line + 1, column + 1);
    }
  }
  if (command.trigger) checkFlags(command.trigger, instr, lines);
}

/** Image references that are Windows images (mcr.microsoft.com/windows/..., .../nanoserver, ...-servercore-...). */
const WINDOWS_IMAGE = /(^|[/:_.-])(windows|nanoserver|servercore|windowsservercore)([/:_.-]|$)/i;

export function buildModel(source: string): DockerfileModel {
  const scanned = scan(source);
  const instructions: Instruction[] = [];
  const entries: (TopLevelEntry | Instruction)[] = [];
  const stages: Stage[] = [];
  const stageByName = new Map<string, number>();
  let current: Stage | null = null;
  for (const entry of scanned.entries) {
    if (entry.type !== "instruction") {
      entries.push(entry);
      continue;
    }
    const command = parseCommand(entry.logical, scanned.escape);
    checkFlags(command, entry, scanned.lines);
    if (command.keyword === "FROM" || current === null) {
      const index: number = stages.length;
      let name: string | null = null;
      let parent: number | null = null;
      if (command.keyword === "FROM") {
        const words = command.args.split(/[\t\v\f\r ]+/).filter(Boolean);
        if (words.length >= 3 && words[1]!.toUpperCase() === "AS") name = words[2]!.toLowerCase();
        const base = words[0]?.toLowerCase();
        if (base !== undefined && stageByName.has(base)) parent = stageByName.get(base)!;
        else if (base !== undefined && /^\d+$/.test(base) && Number(base) < index) parent = Number(base);
      }
      const base = command.keyword === "FROM" ? (command.args.split(/[\t\v\f\r ]+/)[0] ?? "") : "";
      const windows = parent !== null ? stages[parent]!.windows : WINDOWS_IMAGE.test(base);
      current = { index, from: command.keyword === "FROM" ? instructions.length : -1, name, parent, windows, instructions: [] };
      if (name) stageByName.set(name, index);
      stages.push(current);
    }
    // the scanner's entry becomes the instruction (no copy: this runs for every instruction of every file)
    const instruction = entry as Instruction;
    instruction.index = instructions.length;
    instruction.command = command;
    instruction.stage = current.index;
    current.instructions.push(instruction);
    instructions.push(instruction);
    entries.push(instruction);
  }
  return new Model(source, scanned.bom, scanned.eol, scanned.escape, scanned.lines, scanned.directives, entries, instructions, stages);
}

class Model implements DockerfileModel {
  #ast: Dockerfile | null = null;
  constructor(
    readonly source: string,
    readonly bom: boolean,
    readonly eol: "\n" | "\r\n",
    readonly escape: EscapeChar,
    readonly lines: PhysicalLine[],
    readonly directives: Directive[],
    readonly entries: (TopLevelEntry | Instruction)[],
    readonly instructions: Instruction[],
    readonly stages: Stage[],
  ) {}

  get ast(): Dockerfile {
    this.#ast ??= loadDockerfileParser().parse(this.bom ? this.source.slice(1) : this.source);
    return this.#ast;
  }
}

let dockerfileParser: typeof DockerfileParserType | null = null;

/**
 * dockerfile-ast (CommonJS, with its language-server dependencies) is loaded
 * on the first read of `model.ast`: loading it cost about 60 ms of start-up
 * for every process, and the formatter and most rules never read it.
 */
function loadDockerfileParser(): typeof DockerfileParserType {
  dockerfileParser ??= (createRequire(import.meta.url)("dockerfile-ast") as typeof import("dockerfile-ast")).DockerfileParser;
  return dockerfileParser;
}

/** Offset in the source (after any byte-order mark) of a line and column (0-based). */
export function offsetOf(model: DockerfileModel, line: number, column = 0): number {
  const l = model.lines[line];
  return l ? l.start + column : model.source.length - (model.bom ? 1 : 0);
}
