/**
 * What a rule is and what it reports. Each rule lives in its own file with its
 * id, summary, documentation (What it does / Why / Example / Fix safety /
 * Facts relied on) and the safety of its fix, in the manner of Ruff.
 */
import type { JoinContext } from "../shell/join-check.js";
import type { DockerfileModel } from "../model/model.js";

/** safe: meaning kept; unsafe: may change meaning, applied with --unsafe-fixes only. */
export type FixSafety = "safe" | "unsafe";

/** A text replacement in the source (offsets after any byte-order mark). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * What a fix promises about the result's meaning, so the engine can check it:
 * the instructions it removes, and the instructions it replaces with the
 * canonical meaning key (see meaning.ts) they must have afterwards.
 */
export interface DeclaredChange {
  removed: number[];
  /** Instruction index → expected meaning key of the instruction that takes its place. */
  replaced: Map<number, string>;
  /**
   * RUNs joined into one (merge-cleanup-run, consecutive-run): the engine
   * re-reads each join in the result with src/shell/join-check.ts, which does
   * not take the rule's plan.
   */
  joins?: { into: number; parts: number[]; context: JoinContext }[];
  /**
   * Instructions whose shell-form text is an array written with single
   * quotes, replaced by the JSON array of the words it meant
   * (exec-form-single-quotes): the engine re-reads each one by swapping the
   * two quote characters and parsing JSON, not with the rule's reading.
   */
  quotedArrays?: number[];
}

export interface Fix {
  safety: FixSafety;
  edits: Edit[];
  declares: DeclaredChange;
  /** One line saying what the fix does. */
  description: string;
}

/** A range of the checked text: offsets after any byte-order mark, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface Finding {
  rule: string;
  /** 1-based line of the checked text (the engine reports it as a line of the input: see `span`). */
  line: number;
  /** 1-based; used only when `span` is absent. */
  column: number;
  /**
   * The token the finding is about (the stage name, the port, the keyword),
   * taken from the model's ranges (helpers.ts: logicalSpan, keywordSpan,
   * argsSpan): the reports' start and end positions. The engine maps it to
   * the input file, whatever earlier rounds of fixes moved. Absent: the
   * finding is at `line`:`column`, to the end of its instruction.
   */
  span?: Span;
  message: string;
  /** Instruction the finding is about. */
  instruction: number;
  /**
   * Other instructions whose suppression comments silence the finding too:
   * a linter that reports it while reading a later instruction reads the
   * suppression there (BuildKit's MultipleInstructionsDisallowed is reported
   * as the overriding instruction is dispatched, with that instruction's
   * `# check=` comment; hadolint's DL4003, DL4004 and DL3012 are reported at
   * it). The instruction's own suppressions always count.
   */
  suppressedFrom?: readonly number[];
  /** The fix, or null when the finding is reported only (with the reason in `message`). */
  fix: Fix | null;
}

export interface RuleDocs {
  whatItDoes: string;
  why: string;
  example: string;
  useInstead: string;
  fixSafety: string;
  /** The facts from shared/docs/rulebook.md (BuildKit behaviour) the rule relies on. */
  facts: string[];
}

export interface RuleContext {
  model: DockerfileModel;
  /** SHELL in effect per instruction index (null: the default /bin/sh -c). */
  shells: (string[] | null)[];
  /**
   * The 1-based line in the input file of a 0-based line of the text being
   * checked (the engine applies fixes in rounds, so lines move): every line
   * number a message names goes through it. Absent: the text is the input.
   */
  inputLine?: (line: number) => number;
  /**
   * The build context's directory, when it is at hand: the codemod runs on a
   * file on disk, whose directory is the usual context. cmd-exec-form looks
   * there at a program a COPY or ADD put in the image. Absent (stdin, the
   * plugin, an API call without it): not at hand.
   */
  context?: string;
}

export interface Rule {
  id: string;
  summary: string;
  /** The safety of the rule's usual fix (a finding may carry an unsafe variant); "none" for a rule that only reports. */
  safety: FixSafety | "none";
  docs: RuleDocs;
  check(ctx: RuleContext): Finding[];
  /** The `docker build --check` checks (BuildKit's linter rule names) the rule answers. */
  buildkit: readonly string[];
  /** The hadolint codes (DLxxxx) the rule answers. */
  hadolint: readonly string[];
  /**
   * On by default, in Ruff's manner: every rule that finds a mistake, its
   * fix safe, unsafe (reported by default, applied only with
   * --unsafe-fixes) or absent (reported only). Off by default only a rule
   * that is a matter of taste or noisy, or that changes more than the image
   * (consecutive-run: the build cache); it runs when selected.
   */
  defaultEnabled: boolean;
}

/**
 * What a rule answers and whether it runs unless asked for, in the manner of
 * Ruff: a default set of rules runs; `select` replaces that set,
 * `extendSelect` adds to it, `ignore` removes from it.
 */
export interface RuleMeta {
  /** The `docker build --check` checks (BuildKit's linter rule names) the rule answers. */
  buildkit: readonly string[];
  /** The hadolint codes (DLxxxx) the rule answers. */
  hadolint: readonly string[];
  /**
   * On by default, in Ruff's manner: every rule that finds a mistake, its
   * fix safe, unsafe (reported by default, applied only with
   * --unsafe-fixes) or absent (reported only). Off by default only a rule
   * that is a matter of taste or noisy, or that changes more than the image
   * (consecutive-run: the build cache); it runs when selected.
   */
  defaultEnabled: boolean;
}

/** A rule as the engine runs it: with its metadata. */
export type RegisteredRule = Rule & RuleMeta;
