/**
 * The model's reading of a Dockerfile in the shape of BuildKit's parser
 * result (parser.Node: what ../shared/buildkit-readings records for each
 * file, see test/readings.ts), and the comparisons tests make between two
 * readings. BuildKit's compiled parser is no longer at hand: its recorded
 * readings judge the model (test/buildkit-oracle.test.ts: the model agrees
 * with all of them), and the model then judges what the formatter and the
 * fixes write.
 */
import { buildkitNode, type BuildkitNode } from "../src/meaning/buildkit.js";
import { DockerfileSyntaxError, checkCommentValue, scan, type ScanResult } from "../src/model/scan.js";
import { goEqualFoldAscii, goToLower, goToUpper } from "../src/model/go.js";

export interface OracleHeredoc {
  name: string;
  content: string;
  expand: boolean;
  chomp: boolean;
  fileDescriptor: number;
}

export interface OracleNode {
  value: string;
  original: string;
  startLine: number;
  endLine: number;
  flags: string[];
  attributes: { json?: boolean };
  next: string[];
  heredocs: OracleHeredoc[];
  /** The comments BuildKit keeps for the instruction (its linter reads `check=` there). */
  prevComment: string[];
  subCommand: OracleNode | null;
}

export interface OracleResult {
  ok: boolean;
  error: string | null;
  escape: string | null;
  directives: { name: string; value: string; line: number }[];
  children: OracleNode[];
}

/** The model's reading; where it refuses the file, the line and column it points at. */
export interface ModelReading extends OracleResult {
  errorAt: { line: number; column: number } | null;
}

/** The model's reading of a text, in the oracle's shape (what BuildKit's parser itself decides: no instruction-level checks). */
export function modelReading(text: string): ModelReading {
  let scanned: ScanResult;
  try {
    scanned = scan(text);
  } catch (e) {
    if (!(e instanceof DockerfileSyntaxError)) throw e;
    // BuildKit stops at a line over 64 KiB; with no instruction before it, it reports "file with no instructions"
    if (e.message.startsWith("dockerfile line greater") && modelReading(text.split("\n").slice(0, e.line - 1).join("\n")).children.length === 0) {
      return { ok: false, error: "file with no instructions", errorAt: null, escape: null, directives: [], children: [] };
    }
    return { ok: false, error: e.message, errorAt: { line: e.line, column: e.column }, escape: null, directives: [], children: [] };
  }
  return scannedReading(scanned);
}

/** The reading of a scanned file (a ScanResult, or a DockerfileModel, which holds the same entries). */
export function scannedReading(scanned: Pick<ScanResult, "entries" | "escape" | "directives">): ModelReading {
  const children: OracleNode[] = [];
  for (const entry of scanned.entries) {
    if (entry.type !== "instruction") continue;
    const node = buildkitNode(entry.command, entry.logical, scanned.escape);
    children.push({
      ...toOracle(node),
      startLine: entry.startLine + 1,
      endLine: entry.endLine + 1,
      heredocs: entry.heredocs.map((h) => ({ name: h.name, content: h.content, expand: h.expand, chomp: h.chomp, fileDescriptor: h.fd ?? 0 })),
      prevComment: entry.prevComments.map((c) => c.text),
    });
  }
  return {
    ok: true,
    error: null,
    errorAt: null,
    escape: scanned.escape,
    directives: scanned.directives.map((d) => ({ name: d.name, value: d.value, line: d.line + 1 })),
    children,
  };
}

function toOracle(node: BuildkitNode): OracleNode {
  return {
    value: node.value,
    original: node.original,
    startLine: 0,
    endLine: 0,
    flags: node.flags,
    attributes: node.json ? { json: true } : {},
    next: node.next,
    heredocs: [],
    prevComment: [],
    subCommand: node.child ? toOracle(node.child) : null,
  };
}

/** The parts of a reading that two readings of one text must share (BuildKit's "file with no instructions" is an empty file to us). */
export function comparableReading(r: OracleResult): unknown {
  if ((!r.ok && r.error === "file with no instructions") || (r.ok && r.children.length === 0)) return { noInstructions: true };
  if (!r.ok) return { ok: false };
  return {
    ok: true,
    escape: r.escape,
    directives: r.directives.map((d) => `${d.name}=${d.value}@${d.line}`),
    children: r.children.map(comparableNode),
  };
}

function comparableNode(n: OracleNode): unknown {
  return {
    value: n.value,
    original: n.original,
    lines: `${n.startLine}-${n.endLine}`,
    flags: n.flags,
    json: n.attributes.json === true,
    next: n.next,
    heredocs: n.heredocs.map((h) => ({ ...h })),
    prevComment: n.prevComment ?? [],
    sub: n.subCommand ? comparableNode({ ...n.subCommand, startLine: 0, endLine: 0 }) : null,
  };
}

/** How the shell text of an instruction is compared: as a tree-sitter-bash tree (POSIX shells) or byte for byte. */
export type ShellComparison = (a: string, b: string) => boolean;

/**
 * Whether BuildKit reads two texts (an input and its formatted output) as
 * the same file: the same instructions with the same keywords (case aside),
 * flags, exec-form values, arguments and heredoc bodies; shell-form text
 * compared by `sameShell` (the formatter may change blanks between shell
 * words). Returns the first difference, or null.
 */
export function readingDifference(a: OracleResult, b: OracleResult, sameShell: (index: number) => ShellComparison): string | null {
  if (a.ok !== b.ok) return `ok ${a.ok} vs ${b.ok}`;
  if (!a.ok) return null;
  if (a.escape !== b.escape) return `escape ${a.escape} vs ${b.escape}`;
  const dirs = (r: OracleResult) => r.directives.map((d) => `${d.name}=${d.value}`).join("\n");
  if (dirs(a) !== dirs(b)) return `directives ${dirs(a)} vs ${dirs(b)}`;
  if (a.children.length !== b.children.length) return `instruction count ${a.children.length} vs ${b.children.length}`;
  for (let i = 0; i < a.children.length; i++) {
    const d = nodeDifference(a.children[i]!, b.children[i]!, sameShell(i));
    if (d) return `instruction ${i + 1} (line ${a.children[i]!.startLine}): ${d}`;
  }
  return null;
}

const SHELL_FORM = new Set(["run", "cmd", "entrypoint"]);

function nodeDifference(x: OracleNode, y: OracleNode, sameShell: ShellComparison): string | null {
  const kw = goToLower(x.value);
  if (kw !== goToLower(y.value)) return `keyword ${x.value} vs ${y.value}`;
  if (JSON.stringify(x.flags) !== JSON.stringify(y.flags)) return `flags ${JSON.stringify(x.flags)} vs ${JSON.stringify(y.flags)}`;
  if ((x.attributes.json === true) !== (y.attributes.json === true)) return "exec form differs";
  // the formatter may re-indent comments, but what BuildKit's linter reads from them must stay
  const lint = (n: OracleNode) => checkCommentValue((n.prevComment ?? []).map((text) => ({ text })));
  if (lint(x) !== lint(y)) return `check= comment ${lint(x)} vs ${lint(y)}`;
  const heredocs = (n: OracleNode) => JSON.stringify(n.heredocs.map((h) => ({ ...h, content: h.content.replace(/\r+\n/g, "\n") })));
  if (heredocs(x) !== heredocs(y)) return `heredocs ${heredocs(x)} vs ${heredocs(y)}`;
  if ((x.subCommand === null) !== (y.subCommand === null)) return "ONBUILD trigger differs";
  if (x.subCommand && y.subCommand) return nodeDifference(x.subCommand, y.subCommand, sameShell);
  const xs = [...x.next];
  const ys = [...y.next];
  if (xs.length !== ys.length) return `arguments ${JSON.stringify(xs)} vs ${JSON.stringify(ys)}`;
  let shellAt = -1;
  if (SHELL_FORM.has(kw) && x.attributes.json !== true) shellAt = 0;
  if (kw === "healthcheck") {
    xs[0] = goToUpper(xs[0] ?? "");
    ys[0] = goToUpper(ys[0] ?? "");
    if (xs[0] === "CMD" && x.attributes.json !== true) shellAt = 1;
  }
  if (kw === "from" && xs.length === 3 && goEqualFoldAscii(xs[1]!, "as") && goEqualFoldAscii(ys[1]!, "as")) xs[1] = ys[1] = "AS";
  for (let k = 0; k < xs.length; k++) {
    if (k === shellAt) {
      if (!sameShell(xs[k]!, ys[k]!)) return `shell text ${JSON.stringify(xs[k])} vs ${JSON.stringify(ys[k])}`;
    } else if (xs[k] !== ys[k]) return `argument ${JSON.stringify(xs[k])} vs ${JSON.stringify(ys[k])}`;
  }
  return null;
}
