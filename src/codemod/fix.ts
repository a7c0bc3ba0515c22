/**
 * The fix engine: runs every selected rule, applies one fix at a time and
 * checks it, until nothing changes. A fix is kept only if the result's
 * meaning differs from the input's exactly as the fix declares; otherwise it
 * is dropped and its finding reported as not applied.
 */
import { buildModel, type DockerfileModel } from "../model/model.js";
import { meaningOf, sameMeaning, shellsInEffect, type FileMeaning } from "../meaning/meaning.js";
import { RULES, selectedRules } from "../rules/index.js";
import { isSuppressed, readSuppressions } from "./suppressions.js";
import { checkJoin } from "../shell/join-check.js";
import type { DeclaredChange, Edit, Finding, Fix, FixSafety, RuleContext, Span } from "../rules/types.js";
import { commandHead, healthcheckParts, jsonArrayValue, type Command } from "../model/command.js";
import { goToUpper } from "../model/go.js";
import { agreedScan, shellDialects } from "../shell/literal-words.js";
import { initShell, shellReady } from "../shell/bash.js";

/**
 * Which rules run, as in Ruff: the default set (the rules whose usual fix is
 * safe: see each rule's `defaultEnabled`), which `select` replaces,
 * `extendSelect` adds to and `ignore` removes from; `ALL` names every rule.
 */
export interface FixOptions {
  /** Only these rules (rule ids, ALL, hadolint codes or BuildKit check names: see resolveSelector): replaces the default set. */
  select?: readonly string[];
  /** These rules too (selectors, as for select), on top of the default set or `select`. */
  extendSelect?: readonly string[];
  /** Not these rules (selectors, as for select); wins over select and extendSelect. */
  ignore?: readonly string[];
  /** Also apply fixes marked unsafe. */
  unsafeFixes?: boolean;
  /**
   * The most rounds of fixes (default: roundLimit, which no real file
   * reaches); what is still fixable after them is reported (reason
   * "round-limit"), never dropped.
   */
  maxRounds?: number;
  /** The build context's directory, when at hand (the command line gives the Dockerfile's directory): see RuleContext.context. Absent or null: not at hand. */
  context?: string | null;
}

export interface AppliedFix {
  rule: string;
  /** Where the finding was, in the input text (1-based; the column in UTF-16 units): the start of `span`. */
  line: number;
  column: number;
  /** The token the finding is about, as offsets of the input text (see Finding.span). */
  span: Span;
  message: string;
  description: string;
  safety: FixSafety;
  /** The replaced range of the input text (offsets, byte-order mark excluded). */
  range: { start: number; end: number };
  /** The fix's edits, as offsets of the input text (a later round's edits, where they touch text an earlier round wrote, start where that text did: see dependsOn). */
  edits: Edit[];
  /** How many instructions the fix removed (a merge removes the RUNs it joins, a shadowed CMD goes). */
  removed: number;
  /**
   * The fixes of earlier rounds (indices into FixResult.fixes, every one
   * needed, in order) whose written text this fix's edits touch: applied
   * alone to the input, the edits would not make this fix's change (a RUN
   * joined onto a RUN an earlier fix made). Empty: `edits` applied alone to
   * the input make exactly this fix's change.
   */
  dependsOn: number[];
}

/** A fix that was not applied, as the reports show it. */
export interface UnappliedFix {
  safety: FixSafety;
  description: string;
  /** Offsets of the input text (see AppliedFix.edits). */
  edits: Edit[];
  /** The applied fixes it needs first (see AppliedFix.dependsOn). */
  dependsOn: number[];
}

export interface ReportedFinding {
  rule: string;
  /** Where the finding is, in the input text (see AppliedFix.line). */
  line: number;
  column: number;
  /** The token the finding is about, as offsets of the input text (see Finding.span). */
  span: Span;
  message: string;
  /**
   * Why it was not fixed: no fix, unsafe (needs --unsafe-fixes), the check
   * refused it, or the rounds of fixes ran out (rules that undo each other's
   * fixes: a bug to report; run again to go on).
   */
  reason: "no-fix" | "unsafe" | "meaning-check" | "round-limit";
  /** The instruction it is about, as offsets of the input text. */
  range?: { start: number; end: number };
  /** The fix it has, if any. */
  fix?: UnappliedFix;
}

export interface FixResult {
  output: string;
  changed: boolean;
  fixes: AppliedFix[];
  /** Findings left in the output, with the reason they were not fixed. */
  remaining: ReportedFinding[];
  /** Suppression comments that name no rule, code or check (1-based lines of the input). */
  warnings: { line: number; message: string }[];
}

/**
 * How many rounds of fixes a file gets. Each round applies a fix or refuses
 * one (a refused finding is not tried again). On a real file a fix removes
 * an instruction (a merge, a shadowed CMD) or rewrites one into a form the
 * rule that made it does not fix again, so the fixes number at most one per
 * instruction and rule, plus one per instruction removed, and as many
 * refusals: the bound below, twice that, is reached only by rules that undo
 * each other's fixes. Never fewer than 64 rounds.
 */
export function roundLimit(model: DockerfileModel, ruleCount: number): number {
  return Math.max(64, 2 * (model.instructions.length + 1) * (ruleCount + 1));
}

/** Fixes a Dockerfile. Loads tree-sitter on first use. */
export async function fix(text: string, options: FixOptions = {}): Promise<FixResult> {
  await initShell();
  return fixSync(text, options);
}

/**
 * fix() for callers that have awaited initShell(), or that retry after
 * awaiting it when this throws with shellReady() false (a file that needs no
 * shell parsing then never loads tree-sitter). Throws DockerfileSyntaxError
 * for invalid input.
 */
export function fixSync(text: string, options: FixOptions = {}): FixResult {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  let body = bom ? text.slice(1) : text;
  const rules = withBuildContext(selectedRules(options), options.context ?? undefined);
  const applied: AppliedFix[] = [];
  // per round, the edits applied (sorted) and the applied fix (index into `applied`) each came from
  const appliedEdits: Edit[][] = [];
  const editOwners: number[][] = [];
  const refused = new Map<string, ReportedFinding>();
  let remaining: ReportedFinding[] = [];
  let warnings: FixResult["warnings"] = [];
  let model = buildModel(body, { bomStripped: true });
  // The meaning (one tree-sitter parse per shell text) is read only when a fix is checked.
  let meaning: FileMeaning | null = null;
  // 1-based line and column of an offset in the input: built on the first finding (most files have none)
  let positionOf: ((offset: number) => { line: number; column: number }) | null = null;
  const input = body;
  const positionInInput = (offset: number) => (positionOf ??= linePositions(input))(offset);
  const lineOfOffset = (offset: number) => positionInInput(offset).line;
  const limit = options.maxRounds ?? roundLimit(model, rules.length);
  for (let round = 0; ; round++) {
    const current = model;
    // messages name lines of the input file, whatever earlier rounds moved
    const inputLine = (line: number) => lineOfOffset(mapBack(appliedEdits, offsetOfLine(current, line)));
    const ctx = { model, shells: shellsInEffect(model), inputLine };
    // suppressions are read again each round: a fix may remove or merge instructions
    const suppressions = readSuppressions(model, RULES);
    if (round === 0) warnings = suppressions.warnings;
    const findings = rules
      .flatMap((r) => r.check(ctx))
      .filter((f) => ![f.instruction, ...(f.suppressedFrom ?? [])].some((i) => isSuppressed(suppressions, i, f.rule)))
      .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
    remaining = [];
    const candidates: { finding: Finding; where: Omit<ReportedFinding, "reason"> }[] = [];
    const unappliedOf = (f: Finding): UnappliedFix | undefined =>
      f.fix ? { safety: f.fix.safety, description: f.fix.description, edits: mapEdits(appliedEdits, f.fix.edits), dependsOn: dependencies(appliedEdits, editOwners, applied, f.fix) } : undefined;
    for (const f of findings) {
      const key = findingKey(model, f);
      const instr = model.instructions[f.instruction];
      const range = instr ? { start: mapBack(appliedEdits, offsetOfLine(model, instr.startLine)), end: mapBack(appliedEdits, instructionEnd(model, instr)) } : undefined;
      const span = inputSpan(appliedEdits, model, f, instr);
      const { line, column } = positionInInput(span.start);
      const where = { rule: f.rule, line, column, span, message: f.message, range, fix: unappliedOf(f) };
      if (!f.fix) remaining.push({ ...where, reason: "no-fix" });
      else if (f.fix.safety === "unsafe" && !options.unsafeFixes) remaining.push({ ...where, reason: "unsafe" });
      else if (refused.has(key)) remaining.push(refused.get(key)!);
      else candidates.push({ finding: f, where });
    }
    if (candidates.length === 0) break;
    if (round === limit) {
      // never dropped silently: what is still fixable is reported, so the run fails
      for (const c of candidates) {
        remaining.push({ ...c.where, message: `${c.where.message} (not fixed: still fixable after ${limit} rounds of fixes; run again)`, reason: "round-limit" });
      }
      remaining.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
      break;
    }
    // All fixes that touch different text and different instructions go in one batch,
    // checked together; if the batch fails its check, they are tried one by one.
    const batch = disjoint(candidates);
    meaning ??= meaningOf(model);
    let accepted: typeof batch = [];
    let next: { text: string; model: DockerfileModel; meaning: FileMeaning } | null = null;
    const tryFixes = (fixes: typeof batch) => {
      const textAfter = applyEdits(body, fixes.flatMap((c) => c.finding.fix!.edits));
      const checked = check(model, meaning!, textAfter, mergeDeclared(fixes.map((c) => c.finding.fix!.declares)));
      return checked ? { text: textAfter, ...checked } : null;
    };
    next = tryFixes(batch);
    if (next) accepted = batch;
    else {
      for (const c of batch) {
        const one = tryFixes([c]);
        if (one) {
          next = one;
          accepted = [c];
          break;
        }
        const f = c.finding;
        const r: ReportedFinding = {
          ...c.where,
          message: `${f.message} (not fixed: the result would not keep the meaning this fix promises)`,
          reason: "meaning-check",
        };
        refused.set(findingKey(model, f), r);
        remaining.push(r);
      }
    }
    if (!next) continue;
    const roundEdits: { edit: Edit; owner: number }[] = [];
    for (const c of accepted) {
      const f = c.finding;
      const edits = [...f.fix!.edits].sort((x, y) => x.start - y.start);
      for (const edit of edits) roundEdits.push({ edit, owner: applied.length });
      applied.push({
        rule: f.rule,
        line: c.where.line,
        column: c.where.column,
        span: c.where.span,
        message: f.message,
        description: f.fix!.description,
        safety: f.fix!.safety,
        range: { start: mapBack(appliedEdits, edits[0]!.start), end: mapBack(appliedEdits, edits[edits.length - 1]!.end, true) },
        edits: mapEdits(appliedEdits, edits),
        removed: f.fix!.declares.removed.length,
        dependsOn: dependencies(appliedEdits, editOwners, applied, f.fix!),
      });
    }
    roundEdits.sort((x, y) => x.edit.start - y.edit.start);
    appliedEdits.push(roundEdits.map((e) => e.edit));
    editOwners.push(roundEdits.map((e) => e.owner));
    body = next.text;
    model = next.model;
    meaning = next.meaning;
  }
  const output = bom + body;
  return { output, changed: output !== text, fixes: applied, remaining, warnings };
}

/** The largest set of candidates, in order, whose edits and instructions do not overlap. */
function disjoint<T extends { finding: Finding }>(candidates: T[]): T[] {
  const chosen: T[] = [];
  const ranges: [number, number][] = [];
  const instructions = new Set<number>();
  for (const c of candidates) {
    const fix = c.finding.fix!;
    const touched = [...fix.declares.removed, ...fix.declares.replaced.keys(), c.finding.instruction];
    if (touched.some((i) => instructions.has(i))) continue;
    if (fix.edits.some((e) => overlaps(ranges, e))) continue;
    chosen.push(c);
    for (const i of touched) instructions.add(i);
    for (const e of fix.edits) insertRange(ranges, [e.start, e.end]);
  }
  return chosen;
}

/** Sorted, non-overlapping ranges: binary search for a neighbour that overlaps [start, end). */
function overlaps(ranges: [number, number][], e: Edit): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![0] < e.start) lo = mid + 1;
    else hi = mid;
  }
  for (const i of [lo - 1, lo]) {
    const r = ranges[i];
    if (r && ((e.start < r[1] && r[0] < e.end) || e.start === r[0] || e.start === r[1] || e.end === r[0])) return true;
  }
  return false;
}

function insertRange(ranges: [number, number][], r: [number, number]): void {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![0] < r[0]) lo = mid + 1;
    else hi = mid;
  }
  ranges.splice(lo, 0, r);
}

function mergeDeclared(all: DeclaredChange[]): DeclaredChange {
  const removed: number[] = [];
  const replaced = new Map<number, string>();
  const joins: NonNullable<DeclaredChange["joins"]> = [];
  const quotedArrays: number[] = [];
  for (const d of all) {
    removed.push(...d.removed);
    for (const [k, v] of d.replaced) replaced.set(k, v);
    if (d.joins) joins.push(...d.joins);
    if (d.quotedArrays) quotedArrays.push(...d.quotedArrays);
  }
  return { removed, replaced, joins, quotedArrays };
}

/**
 * 1-based line and column of an offset in a text (binary search over line
 * starts); columns count UTF-16 code units, SARIF's default `columnKind`. A
 * leading byte-order mark is not a column: offsets count after it, as edits do.
 */
export function linePositions(text: string): (offset: number) => { line: number; column: number } {
  const bom = text.startsWith("\uFEFF") ? 1 : 0;
  const starts = [bom];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = offset + bom;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo]! + 1 };
  };
}

/** Where a finding points, as offsets of the input: its span, or its line and column to the end of its instruction. */
function inputSpan(history: Edit[][], model: DockerfileModel, f: Finding, instr: DockerfileModel["instructions"][number] | undefined): Span {
  let start: number;
  let end: number;
  if (f.span) {
    start = f.span.start;
    end = f.span.end;
  } else {
    const line = model.lines[f.line - 1];
    start = line ? line.start + Math.min(Math.max(0, f.column - 1), line.text.length) : 0;
    end = instr ? Math.max(start, instructionEnd(model, instr)) : line ? line.start + line.text.length : start;
  }
  const s = mapBack(history, start);
  return { start: s, end: Math.max(s, mapBack(history, end, true)) };
}

/**
 * The applied fixes (indices into `applied`, with what they need in turn,
 * ascending) whose written text edits of the current text touch or overlap:
 * walking back round by round, an edit range that meets text a round wrote
 * (or spans text a round deleted) depends on the fix that made that edit. A
 * fix that joins RUNs moves text from one to the other: all it spans counts
 * (a join across a CMD an earlier fix removed needs that fix).
 */
function dependencies(history: Edit[][], owners: number[][], applied: readonly AppliedFix[], fix: Pick<Fix, "edits" | "declares">): number[] {
  if (history.length === 0 || fix.edits.length === 0) return [];
  const direct = new Set<number>();
  const ranges: readonly { start: number; end: number }[] = fix.declares.joins?.length
    ? [{ start: Math.min(...fix.edits.map((e) => e.start)), end: Math.max(...fix.edits.map((e) => e.end)) }]
    : fix.edits;
  for (const e of ranges) {
    let start = e.start;
    let end = e.end;
    for (let k = history.length - 1; k >= 0; k--) {
      const round = history[k]!;
      const table = shiftTable(round);
      // the round's edits are sorted and apart: from the first that ends at or after `start`, while they start by `end`
      let lo = 0;
      let hi = round.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (table.newEnd[mid]! < start) lo = mid + 1;
        else hi = mid;
      }
      for (let j = lo; j < round.length && table.newStart[j]! <= end; j++) {
        const [ns, ne] = [table.newStart[j]!, table.newEnd[j]!];
        // text the round wrote, met or touched; a deletion, only when the edit spans where it was
        const meets = ne > ns ? ns <= end && start <= ne : start < ns && ns < end;
        if (meets) direct.add(owners[k]![j]!);
      }
      start = mapBackThrough(round, start, false);
      end = mapBackThrough(round, end, true);
    }
  }
  const all = new Set<number>();
  for (const d of direct) {
    all.add(d);
    for (const x of applied[d]!.dependsOn) all.add(x);
  }
  return [...all].sort((a, b) => a - b);
}

function findingKey(model: DockerfileModel, f: Finding): string {
  const instr = model.instructions[f.instruction];
  return `${f.rule}\u0000${instr ? instr.logical : f.line}\u0000${f.message}`;
}

/** Applies non-overlapping edits (any order) to a text, in one pass. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let pos = 0;
  for (const e of sorted) {
    parts.push(text.slice(pos, e.start), e.text);
    pos = e.end;
  }
  parts.push(text.slice(pos));
  return parts.join("");
}

/** The candidate text's model and meaning, if its meaning is the input's changed exactly as declared. */
function check(
  model: DockerfileModel,
  meaning: FileMeaning,
  candidate: string,
  declares: DeclaredChange,
): { model: DockerfileModel; meaning: FileMeaning } | null {
  let outModel: DockerfileModel;
  let outMeaning: FileMeaning;
  try {
    outModel = buildModel(candidate, { bomStripped: true });
    outMeaning = meaningOf(outModel);
  } catch (e) {
    if (!shellReady()) throw e; // not a verdict on the candidate: the caller initialises tree-sitter and retries
    return null;
  }
  if (outMeaning.directives.join("\n") !== meaning.directives.join("\n")) return null;
  const removed = new Set(declares.removed);
  // per instruction of the result: the instruction it must equal, or the declared meaning of a replacement
  const expected: { original: FileMeaning["instructions"][number]; declared: string | undefined }[] = [];
  meaning.instructions.forEach((m, i) => {
    if (removed.has(i)) return;
    expected.push({ original: m, declared: declares.replaced.get(i) });
  });
  const actual = outMeaning.instructions;
  if (expected.length !== actual.length) return null;
  for (let i = 0; i < expected.length; i++) {
    const { original, declared } = expected[i]!;
    const a = actual[i]!;
    // no fix declares a change to the check= settings an instruction has
    if (declared !== undefined ? declared !== a.key || original.lint !== a.lint : !sameMeaning(original, a)) return null;
  }
  // heredoc-free instructions carry no heredoc suffix; stage structure must hold too
  if (outModel.stages.length !== model.stages.length) return null;
  if (!execFormsConfirmed(model, outModel, declares)) return null;
  if (!joinsConfirmed(model, outModel, declares)) return null;
  return { model: outModel, meaning: outMeaning };
}

/**
 * Every shell-form CMD or ENTRYPOINT a fix replaced by exec form (and
 * every shell-form RUN replaced by an exec-form CMD), confirmed
 * by a reading the rule did not make: the array must be the words the quote
 * scan of src/shell/literal-words.ts says the stage's shell (`/bin/sh -c`:
 * dash's and bash's dialects, which must agree) passes to the program, a
 * leading `exec` dropped; or that shell running `exec` and the same one
 * simple command. Called with the instruction counts already equal.
 */
export function execFormsConfirmed(model: DockerfileModel, outModel: DockerfileModel, declares: DeclaredChange): boolean {
  const removed = new Set(declares.removed);
  let shells: (string[] | null)[] | null = null;
  let k = 0;
  for (const before of model.instructions) {
    if (removed.has(before.index)) continue;
    const after = outModel.instructions[k++]!;
    const kw = before.command.keyword;
    if (!declares.replaced.has(before.index)) continue;
    if (declares.quotedArrays?.includes(before.index)) {
      if (!quotedArrayConfirmed(before.command, after.command)) return false;
      continue;
    }
    if (kw !== "CMD" && kw !== "ENTRYPOINT" && kw !== "RUN") continue;
    // a CMD or ENTRYPOINT in exec form, or a RUN made an exec-form CMD (app-run-at-build-time)
    if (before.command.json !== null || after.command.json === null || after.command.keyword !== (kw === "RUN" ? "CMD" : kw)) continue;
    const head = commandHead(before.logical, model.escape);
    if (head === null) return false;
    // the text after the keyword, the words BuildKit took for flags included (a CMD has none it accepts)
    const text = before.logical.slice(head.flagWords[0]?.start ?? head.argsStart, head.argsEnd);
    shells ??= shellsInEffect(model);
    const shell = shells[before.index] ?? null;
    const scan = agreedScan(text, shellDialects(shell));
    if (scan === null) return false;
    const words = scan.words.length > 1 && scan.words[0]!.value === "exec" ? scan.words.slice(1) : scan.words;
    const array = after.command.json;
    const literal = words.every((w) => w.value !== null) ? words.map((w) => w.value!) : null;
    const viaShell = [...(shell ?? ["/bin/sh", "-c"]), `exec ${text.slice(words[0]!.start, words[words.length - 1]!.end)}`];
    const same = (a: readonly string[] | null, b: readonly string[]) => a !== null && a.length === b.length && a.every((x, j) => x === b[j]);
    if (!same(literal, array) && !same(viaShell, array)) return false;
  }
  return true;
}

/** The array text of an exec-form-capable instruction: its arguments, or for HEALTHCHECK what follows its CMD word. */
function arrayText(command: Command): string | null {
  if (command.keyword !== "HEALTHCHECK") return command.args;
  const parts = healthcheckParts(command.args);
  return parts && goToUpper(parts.type) === "CMD" ? parts.rest : null;
}

/**
 * An array written with single quotes, replaced by a JSON array: with no
 * backslash in it, swapping `'` and `"` in the text before must give the
 * JSON of the array after, its words' quotes swapped the same way (a reading
 * by JSON.parse, not the rule's).
 */
function quotedArrayConfirmed(before: Command, after: Command): boolean {
  if (before.keyword !== after.keyword || before.json !== null) return false;
  const was = arrayText(before);
  const now = arrayText(after);
  if (was === null || now === null || was.includes("\\")) return false;
  const swap = (s: string) => [...s].map((c) => (c === "'" ? '"' : c === '"' ? "'" : c)).join("");
  const meant = jsonArrayValue(swap(was));
  const written = jsonArrayValue(now);
  if (meant === null || written === null || meant.length === 0 || meant.length !== written.length) return false;
  return meant.every((w, k) => typeof w === "string" && swap(w) === written[k]);
}

/**
 * Every join of RUNs a fix declares, re-read in the result by a reading that
 * does not take the rule's plan (src/shell/join-check.ts): the joined RUN's
 * shell text must be the parts joined with `&&`, each as written or alone in
 * a subshell, and the shell-state model must find that no part's state
 * reaches a later one. Called with the instruction counts already equal.
 */
export function joinsConfirmed(model: DockerfileModel, outModel: DockerfileModel, declares: DeclaredChange): boolean {
  if (!declares.joins?.length) return true;
  const removed = [...new Set(declares.removed)].sort((a, b) => a - b);
  for (const j of declares.joins) {
    const at = j.into - removed.filter((r) => r < j.into).length;
    const joined = outModel.instructions[at];
    const parts = j.parts.map((k) => model.instructions[k]);
    if (!joined || joined.command.keyword !== "RUN" || parts.some((p) => !p || p.command.keyword !== "RUN")) return false;
    if (checkJoin(parts.map((p) => p!.command.args), joined.command.args, j.context) !== null) return false;
  }
  return true;
}

/** The rules, each given the build context's directory (when at hand) in its RuleContext. */
function withBuildContext<R extends { check(ctx: RuleContext): Finding[] }>(rules: R[], context: string | undefined): R[] {
  if (context === undefined) return rules;
  return rules.map((r) => ({ ...r, check: (ctx: RuleContext) => r.check({ ...ctx, context }) }));
}

/**
 * Maps an offset in the current text back to the input text, through the
 * edits applied so far. An offset inside text a round wrote goes to where
 * the replaced text started, or, for the end of a range (`end`), where it ended.
 */
function mapBack(history: Edit[][], offset: number, end = false): number {
  let p = offset;
  for (let k = history.length - 1; k >= 0; k--) p = mapBackThrough(history[k]!, p, end);
  return p;
}

/** Where the edits of one round (sorted, applied together) start and end in the text they produced. */
const shifted = new WeakMap<Edit[], { newStart: number[]; newEnd: number[]; shiftBefore: number[] }>();

function shiftTable(edits: Edit[]): { newStart: number[]; newEnd: number[]; shiftBefore: number[] } {
  let table = shifted.get(edits);
  if (!table) {
    const newStart: number[] = [];
    const newEnd: number[] = [];
    const shiftBefore: number[] = [];
    let shift = 0;
    for (const e of edits) {
      shiftBefore.push(shift);
      newStart.push(e.start + shift);
      newEnd.push(e.start + shift + e.text.length);
      shift += e.text.length - (e.end - e.start);
    }
    shiftBefore.push(shift);
    table = { newStart, newEnd, shiftBefore };
    shifted.set(edits, table);
  }
  return table;
}

function mapBackThrough(edits: Edit[], p: number, end = false): number {
  const table = shiftTable(edits);
  // the last edit starting at or before p
  let lo = -1;
  let hi = edits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (table.newStart[mid]! <= p) lo = mid;
    else hi = mid - 1;
  }
  if (lo === -1) return p;
  // inside a replacement: where it started (the end of a range: where it ended, unless at its very start)
  if (p < table.newEnd[lo]!) return end && p > table.newStart[lo]! ? edits[lo]!.end : edits[lo]!.start;
  return p - table.shiftBefore[lo + 1]!;
}

/** Edits of the current text as edits of the input text. */
function mapEdits(history: Edit[][], edits: readonly Edit[]): Edit[] {
  return [...edits]
    .sort((a, b) => a.start - b.start)
    .map((e) => {
      const start = mapBack(history, e.start);
      return { start, end: Math.max(start, mapBack(history, e.end, e.end > e.start)), text: e.text };
    });
}

/** Where an instruction's text ends (its last continuation line; heredoc bodies excluded). */
function instructionEnd(model: DockerfileModel, instr: DockerfileModel["instructions"][number]): number {
  const last = model.lines[instr.lines[instr.lines.length - 1]!.line]!;
  return last.start + last.text.length;
}

function offsetOfLine(model: DockerfileModel, line: number): number {
  return model.lines[line]?.start ?? 0;
}

