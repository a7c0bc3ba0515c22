/**
 * The fix engine: runs every selected rule, applies one fix at a time and
 * checks it, until nothing changes. A fix is kept only if the result's
 * meaning differs from the input's exactly as the fix declares; otherwise it
 * is dropped and its finding reported as not applied.
 */
import { buildModel, type DockerfileModel } from "../model/model.js";
import { meaningOf, shellsInEffect, validateModel, type FileMeaning } from "../meaning/meaning.js";
import { RULES } from "../rules/index.js";
import type { DeclaredChange, Edit, Finding, FixSafety } from "../rules/types.js";
import { initShell } from "../shell/bash.js";

export interface FixOptions {
  /** Only these rules (ids). */
  select?: readonly string[];
  /** Not these rules (ids). */
  ignore?: readonly string[];
  /** Also apply fixes marked unsafe. */
  unsafeFixes?: boolean;
}

export interface AppliedFix {
  rule: string;
  /** Where the finding was, in the input text (1-based). */
  line: number;
  column: number;
  message: string;
  description: string;
  safety: FixSafety;
  /** The replaced range of the input text (offsets, byte-order mark excluded). */
  range: { start: number; end: number };
}

export interface ReportedFinding {
  rule: string;
  line: number;
  column: number;
  message: string;
  /** Why it was not fixed: no fix, unsafe (needs --unsafe-fixes), or the check refused it. */
  reason: "no-fix" | "unsafe" | "meaning-check";
}

export interface FixResult {
  output: string;
  changed: boolean;
  fixes: AppliedFix[];
  /** Findings left in the output, with the reason they were not fixed. */
  remaining: ReportedFinding[];
}

const MAX_FIXES = 64;

/** Fixes a Dockerfile. Loads tree-sitter on first use. */
export async function fix(text: string, options: FixOptions = {}): Promise<FixResult> {
  await initShell();
  return fixSync(text, options);
}

/** fix() for callers that have awaited initShell(). Throws DockerfileSyntaxError for invalid input. */
export function fixSync(text: string, options: FixOptions = {}): FixResult {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  let body = bom ? text.slice(1) : text;
  const rules = RULES.filter(
    (r) => (!options.select || options.select.includes(r.id)) && !(options.ignore ?? []).includes(r.id),
  );
  const applied: AppliedFix[] = [];
  const appliedEdits: Edit[][] = [];
  const refused = new Map<string, ReportedFinding>();
  let remaining: ReportedFinding[] = [];
  let model = buildModel(body);
  validateModel(model);
  // The meaning (one tree-sitter parse per shell text) is read only when a fix is checked.
  let meaning: FileMeaning | null = null;
  for (let round = 0; round <= MAX_FIXES; round++) {
    const ctx = { model, shells: shellsInEffect(model) };
    const findings = rules.flatMap((r) => r.check(ctx)).sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
    remaining = [];
    let next: { finding: Finding; text: string; model: DockerfileModel; meaning: FileMeaning } | null = null;
    for (const f of findings) {
      const key = findingKey(model, f);
      const line = originalLine(text, bom, mapBack(appliedEdits, offsetOfLine(model, f.line - 1)));
      const where = { rule: f.rule, line, column: f.column, message: f.message };
      if (!f.fix) {
        remaining.push({ ...where, reason: "no-fix" });
        continue;
      }
      if (f.fix.safety === "unsafe" && !options.unsafeFixes) {
        remaining.push({ ...where, reason: "unsafe" });
        continue;
      }
      if (refused.has(key)) {
        remaining.push(refused.get(key)!);
        continue;
      }
      if (next || round === MAX_FIXES) {
        continue;
      }
      const candidate = applyEdits(body, f.fix.edits);
      meaning ??= meaningOf(model);
      const checked = check(model, meaning, candidate, f.fix.declares);
      if (!checked) {
        const r: ReportedFinding = { ...where, message: `${f.message} (not fixed: the result would not keep the meaning this fix promises)`, reason: "meaning-check" };
        refused.set(key, r);
        remaining.push(r);
        continue;
      }
      next = { finding: f, text: candidate, ...checked };
    }
    if (!next) break;
    const f = next.finding;
    const edits = [...f.fix!.edits].sort((a, b) => a.start - b.start);
    const start = mapBack(appliedEdits, edits[0]!.start);
    const end = mapBack(appliedEdits, edits[edits.length - 1]!.end);
    applied.push({
      rule: f.rule,
      line: originalLine(text, bom, mapBack(appliedEdits, offsetOfLine(model, f.line - 1))),
      column: f.column,
      message: f.message,
      description: f.fix!.description,
      safety: f.fix!.safety,
      range: { start, end },
    });
    appliedEdits.push(edits);
    body = next.text;
    model = next.model;
    meaning = next.meaning;
  }
  const output = bom + body;
  return { output, changed: output !== text, fixes: applied, remaining };
}

function findingKey(model: DockerfileModel, f: Finding): string {
  const instr = model.instructions[f.instruction];
  return `${f.rule}\u0000${instr ? instr.logical : f.line}\u0000${f.message}`;
}

/** Applies non-overlapping edits (any order) to a text. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
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
    outModel = buildModel(candidate);
    outMeaning = meaningOf(outModel);
  } catch {
    return null;
  }
  if (outMeaning.directives.join("\n") !== meaning.directives.join("\n")) return null;
  const removed = new Set(declares.removed);
  const expected: string[] = [];
  meaning.instructions.forEach((m, i) => {
    if (removed.has(i)) return;
    expected.push(declares.replaced.get(i) ?? m.key);
  });
  const actual = outMeaning.instructions.map((m) => m.key);
  if (expected.length !== actual.length) return null;
  for (let i = 0; i < expected.length; i++) if (expected[i] !== actual[i]) return null;
  // heredoc-free instructions carry no heredoc suffix; stage structure must hold too
  if (outModel.stages.length !== model.stages.length) return null;
  return { model: outModel, meaning: outMeaning };
}

/** Maps an offset in the current text back to the input text, through the edits applied so far. */
function mapBack(history: Edit[][], offset: number): number {
  let p = offset;
  for (let k = history.length - 1; k >= 0; k--) {
    // edits of one fix were applied together, from the end: map against their original positions
    const edits = history[k]!;
    let shift = 0;
    for (const e of edits) {
      const newStart = e.start + shift;
      const newEnd = newStart + e.text.length;
      if (p < newStart) break;
      if (p < newEnd) {
        p = e.start; // inside a replacement: where it started
        shift = 0;
        break;
      }
      shift += e.text.length - (e.end - e.start);
    }
    p -= shift;
  }
  return p;
}

function offsetOfLine(model: DockerfileModel, line: number): number {
  return model.lines[line]?.start ?? 0;
}

function originalLine(text: string, bom: string, offset: number): number {
  const body = bom ? text.slice(1) : text;
  let line = 1;
  for (let i = 0; i < offset && i < body.length; i++) if (body.charCodeAt(i) === 10) line++;
  return line;
}
