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
  type Directive,
  type EscapeChar,
  type LineKind,
  type PhysicalLine,
  type ScanOptions,
  type ScannedInstruction,
  type TopLevelEntry,
  logicalPosition,
} from "./scan.js";
import { KNOWN_INSTRUCTIONS, commandHead, parseCommand, type Command } from "./command.js";
import { globalArgs, isWindowsImage, isWindowsPlatform, stageBase, stageName, type StageBase } from "./base.js";

export { DockerfileSyntaxError, KNOWN_INSTRUCTIONS, parseCommand, type Command };

export interface Instruction extends ScannedInstruction {
  index: number;
  stage: number;
}

export interface Stage {
  index: number;
  /** Index of the FROM instruction; -1 for instructions before any FROM. */
  from: number;
  name: string | null;
  /** What FROM names, resolved through the global ARGs (null for instructions before any FROM). */
  base: StageBase | null;
  /** Stage index this stage is built FROM, if its resolved base names an earlier stage. */
  parent: number | null;
  /**
   * Whether the stage builds on a Windows image (see base.ts: by name, or
   * `--platform=windows/...`, or FROM such a stage): there the default
   * SHELL is cmd, not /bin/sh. Null when the base depends on a build
   * argument the file gives no default for: then nobody can tell.
   */
  windows: boolean | null;
  instructions: Instruction[];
}

export interface DockerfileModel {
  source: string;
  bom: boolean;
  eol: "\n" | "\r\n";
  escape: EscapeChar;
  lines: PhysicalLine[];
  /** What each physical line is (comment, heredoc body, ...): rules never read heredoc bodies as instructions or comments. */
  lineKinds: LineKind[];
  directives: Directive[];
  entries: (TopLevelEntry | Instruction)[];
  instructions: Instruction[];
  stages: Stage[];
  /** dockerfile-ast's view, parsed on first use. */
  readonly ast: Dockerfile;
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

/**
 * Rejects what BuildKit's flag parser rejects before any build: a flag with
 * no value, pointed at where the flag is written. An ONBUILD trigger's flags
 * are not read until an image built FROM this one runs the trigger (BuildKit's
 * parser keeps the trigger as text), so they are not checked here.
 */
function checkFlags(command: Command, instr: ScannedInstruction, lines: PhysicalLine[], escape: EscapeChar): void {
  command.flags.forEach((flag, k) => {
    const name = flag.slice(2).split("=", 1)[0]!;
    const hasValue = flag.includes("=");
    const needsValue = STRING_FLAGS[command.keyword]?.has(name) ?? false;
    if ((needsValue && !hasValue) || (hasValue && flag.endsWith("=") && BOOLEAN_FLAGS.has(name))) {
      // the k-th flag word of the logical line (where BuildKit's byte-wise reading maps onto characters)
      const word = commandHead(instr.logical, escape)?.flagWords[k];
      const at = word ? logicalPosition(lines, instr.lines, word.start) : { line: instr.startLine, column: 0 };
      throw new DockerfileSyntaxError(`missing a value on flag: --${name}`, at.line + 1, at.column + 1);
    }
  });
}

export function buildModel(source: string, options: ScanOptions = {}): DockerfileModel {
  const scanned = scan(source, options);
  const instructions: Instruction[] = [];
  const entries: (TopLevelEntry | Instruction)[] = [];
  const stages: Stage[] = [];
  const stageByName = new Map<string, number>();
  let args: Map<string, string | undefined> | null = null;
  let current: Stage | null = null;
  for (const entry of scanned.entries) {
    if (entry.type !== "instruction") {
      entries.push(entry);
      continue;
    }
    const command = entry.command;
    checkFlags(command, entry, scanned.lines, scanned.escape);
    if (command.keyword === "FROM" || current === null) {
      const index: number = stages.length;
      let name: string | null = null;
      let parent: number | null = null;
      let base: StageBase | null = null;
      let windows: boolean | null = false;
      if (command.keyword === "FROM") {
        args ??= globalArgs(
          scanned.entries.flatMap((e) => (e.type === "instruction" ? [e.command] : [])),
          scanned.escape,
        );
        name = stageName(command);
        base = stageBase(command, args, scanned.escape);
        // BuildKit looks the base up among earlier stages exactly (their names are stored lower case)
        if (base.resolved !== null && stageByName.has(base.resolved)) parent = stageByName.get(base.resolved)!;
        if (parent !== null) windows = stages[parent]!.windows;
        else if (base.platform !== null && isWindowsPlatform(base.platform)) windows = true;
        else windows = base.resolved === null ? null : isWindowsImage(base.resolved);
      }
      current = { index, from: command.keyword === "FROM" ? instructions.length : -1, name, base, parent, windows, instructions: [] };
      if (name) stageByName.set(name, index);
      stages.push(current);
    }
    // the scanner's entry becomes the instruction (no copy: this runs for every instruction of every file)
    const instruction = entry as Instruction;
    instruction.index = instructions.length;
    instruction.stage = current.index;
    current.instructions.push(instruction);
    instructions.push(instruction);
    entries.push(instruction);
  }
  return new Model(source, scanned.bom, scanned.eol, scanned.escape, scanned.lines, scanned.lineKinds, scanned.directives, entries, instructions, stages);
}

class Model implements DockerfileModel {
  #ast: Dockerfile | null = null;
  constructor(
    readonly source: string,
    readonly bom: boolean,
    readonly eol: "\n" | "\r\n",
    readonly escape: EscapeChar,
    readonly lines: PhysicalLine[],
    readonly lineKinds: LineKind[],
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
