/**
 * One tree-sitter parse per distinct shell text, shared by the formatter
 * (which blanks it may touch) and the meaning check (the tree's signature).
 * Results are cached by text: the self-check re-reads output whose shell
 * texts are mostly the input's.
 */
import { flattenShell, type FlatTree } from "./flat.js";
import { VERBATIM_GAP_TYPES, writeGap } from "./signature.js";
import { dialectsAgree, OPERATOR, quoteScan, SEPARATOR, type ShellDialect } from "./quote-scan.js";

export interface ShellAnalysis {
  /** The syntax tree without positions (see signature.ts). */
  signature: string;
  /**
   * 1 where a character belongs to something whose spelling is its value:
   * quoted strings, words (escaped blanks), ${...} expansions, comments,
   * backquoted substitutions, anything the parser could not read. Blanks
   * outside these separate tokens and may be resized or moved to a line break.
   */
  protectedMask: Uint8Array;
  hasError: boolean;
  /** Offsets of the top-level `&&`, `||`, `;` and `&` (not inside any command, group or substitution). */
  operators: { start: number; end: number; type: string }[];
  /** Whether the text has a heredoc redirect. */
  hasHeredoc: boolean;
}

const PROTECTED = new Set([
  "string",
  "raw_string",
  "ansi_c_string",
  "translated_string",
  "comment",
  "word",
  "concatenation",
  "expansion",
  "heredoc_start",
  "heredoc_body",
  "heredoc_content",
  "heredoc_end",
  "regex",
  "extglob_pattern",
  "ERROR",
]);

/** Inside a protected node, these reopen shell syntax (unless written with backquotes). */
const REOPENS = new Set(["command_substitution", "process_substitution", "arithmetic_expansion"]);

/** Cached analyses are bounded by the total length of their texts. */
const CACHE_CHARS = 16_000_000;
let cachedChars = 0;
const cache = new Map<string, ShellAnalysis>();

/**
 * Flat trees with field names, kept for shellTree (tree.ts): the rules read a
 * text's tree, then the meaning check reads its analysis, and each round of
 * fixes reads the unchanged texts again. Bounded like the analyses.
 */
const TREE_CACHE_CHARS = 4_000_000;
let treeCachedChars = 0;
const treeCache = new Map<string, FlatTree>();

export function analyzeShell(text: string): ShellAnalysis {
  const hit = cache.get(text);
  if (hit) return hit;
  const result = analyzeFlat(text, treeCache.get(text) ?? flattenShell(text, false));
  while (cachedChars + text.length > CACHE_CHARS && cache.size > 0) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    cachedChars -= oldest.length;
  }
  cache.set(text, result);
  cachedChars += text.length;
  return result;
}

/** The text's tree with field names, parsed once while it stays in the cache. */
export function flatTreeWithFields(text: string): FlatTree {
  const hit = treeCache.get(text);
  if (hit) return hit;
  const flat = flattenShell(text, true);
  while (treeCachedChars + text.length > TREE_CACHE_CHARS && treeCache.size > 0) {
    const oldest = treeCache.keys().next().value as string;
    treeCache.delete(oldest);
    treeCachedChars -= oldest.length;
  }
  treeCache.set(text, flat);
  treeCachedChars += text.length;
  return flat;
}

/**
 * The analysis as the layout may use it, for a stage whose shell may be any
 * of `dialects`: tree-sitter's reading narrowed by the quote scan's
 * (quote-scan.ts), a second reading that does not share its mistakes. A
 * blank is left unprotected only where tree-sitter and the scan in every
 * dialect agree it separates words, an operator is kept only where the scan
 * in every dialect reads its characters as an operator: where the readings
 * disagree, the text stays as written.
 */
export function layoutAnalysis(text: string, dialects: readonly ShellDialect[]): ShellAnalysis {
  const analysis = analyzeShell(text);
  const key = dialects.join(",");
  let byDialects = layoutCache.get(analysis);
  const hit = byDialects?.get(key);
  if (hit) return hit;
  const mask = analysis.protectedMask.slice();
  let operators = analysis.operators;
  let done: Uint8Array | null = null;
  for (const dialect of dialects) {
    const classes = shellScan(text, dialect, analysis);
    // where the dialects read the text alike their scans are one array: read once
    if (classes === done) continue;
    done = classes;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if ((c === 0x20 || c === 0x09) && classes[i] !== SEPARATOR) mask[i] = 1;
      else if ((c === 0x3b || c === 0x26 || c === 0x7c) && classes[i] !== OPERATOR) mask[i] = 1;
    }
    operators = operators.filter((op) => classes.subarray(op.start, op.end).every((k) => k === OPERATOR));
  }
  const result: ShellAnalysis = { ...analysis, protectedMask: mask, operators };
  if (!byDialects) layoutCache.set(analysis, (byDialects = new Map()));
  byDialects.set(key, result);
  return result;
}

/** Layout analyses, per analysis (so they live as long as it stays in the cache) and set of dialects. */
const layoutCache = new WeakMap<ShellAnalysis, Map<string, ShellAnalysis>>();

/**
 * The quote scan of `text` in `dialect` (quote-scan.ts), made once per text
 * while its analysis stays in the cache: the layout and the meaning check
 * both read it. Where the dialects read the text alike (dialectsAgree), both
 * are the same array.
 */
export function shellScan(text: string, dialect: ShellDialect, analysis: ShellAnalysis = analyzeShell(text)): Uint8Array {
  let scans = scanCache.get(analysis);
  if (!scans) scanCache.set(analysis, (scans = {}));
  const hit = scans[dialect];
  if (hit) return hit;
  const other = dialect === "bash" ? scans.posix : scans.bash;
  const classes = other && dialectsAgree(text) ? other : quoteScan(text, dialect);
  scans[dialect] = classes;
  return classes;
}

const scanCache = new WeakMap<ShellAnalysis, Partial<Record<ShellDialect, Uint8Array>>>();

function clearOwnCaches(): void {
  cache.clear();
  cachedChars = 0;
  treeCache.clear();
  treeCachedChars = 0;
}

/**
 * Every copy of this module in the process (the core's, and the one inside
 * each bundle: scripts/bundle.mjs) registers how to empty its caches here.
 */
const registry = ((globalThis as Record<symbol, Set<() => void> | undefined>)[Symbol.for("prettier-plugin-dockerfile.shell-caches")] ??= new Set());
registry.add(clearOwnCaches);

/** Empties the caches of every copy of this module in the process (benchmarks, to measure work a fresh process would do). */
export function clearShellCaches(): void {
  for (const clear of registry) clear();
}

interface Walk {
  text: string;
  t: FlatTree;
  mask: Uint8Array;
  out: string[];
  operators: ShellAnalysis["operators"];
  heredoc: boolean;
}

function analyzeFlat(text: string, t: FlatTree): ShellAnalysis {
  const w: Walk = { text, t, mask: new Uint8Array(text.length), out: [], operators: [], heredoc: false };
  walkTree(w);
  return {
    signature: w.out.join(""),
    protectedMask: w.mask,
    hasError: t.hasError,
    operators: w.operators,
    hasHeredoc: w.heredoc,
  };
}

const OPERATORS = new Set(["&&", "||", ";", "&"]);

/** A node whose children are being walked. */
interface Frame {
  node: number;
  isProtected: boolean;
  /** Its children are at the level of the top-level list. */
  listLevel: boolean;
  verbatim: boolean;
  /** The next child to visit. */
  child: number;
  /** Where the text not yet written starts. */
  pos: number;
}

/**
 * One walk of the tree, with an explicit stack (a RUN of thousands of `&&`
 * commands is a tree thousands of levels deep): writes the signature (see
 * signature.ts), marks protected characters, and collects the operators of
 * the top-level list (level 0: the program, the lists directly in it, a
 * list under a redirect, as tree-sitter-bash reads `a && b > f` as
 * (a && b) > f, and a list that ends a pipeline, as it reads
 * `a > f && b | c && d` as a > f && (b | (c && d)): the shell reads
 * (b | c) && d, `&&` binding less than `|`).
 */
function walkTree(w: Walk): void {
  const t = w.t;
  const stack: Frame[] = [];
  const enter = (n: number, insideProtected: boolean, level: 0 | 1): void => {
    const type = t.type[n]!;
    const start = t.start[n]!;
    const end = t.end[n]!;
    let isProtected = insideProtected;
    if (PROTECTED.has(type)) {
      w.mask.fill(1, start, end);
      isProtected = true;
    } else if (REOPENS.has(type)) {
      if (w.text[start] === "`") {
        w.mask.fill(1, start, end);
        isProtected = true;
      } else {
        w.mask.fill(0, start, end);
        isProtected = false;
      }
    }
    if (type.startsWith("heredoc")) w.heredoc = true;
    if (level === 0 && t.named[n] === 0 && OPERATORS.has(type)) w.operators.push({ start, end, type });
    if (t.next[n] === n + 1) {
      const leaf = w.text.slice(start, end);
      w.out.push(type === leaf ? type : `${type}=${JSON.stringify(leaf)}`, " ");
      return;
    }
    w.out.push("(", type, " ");
    const listLevel = level === 0 && (type === "program" || type === "list" || type === "redirected_statement" || type === "pipeline");
    stack.push({ node: n, isProtected, listLevel, verbatim: VERBATIM_GAP_TYPES.has(type), child: n + 1, pos: start });
  };
  enter(0, false, 0);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.child < t.next[f.node]!) {
      const child = f.child;
      const childStart = t.start[child]!;
      if (childStart > f.pos) writeGap(w.text.slice(f.pos, childStart), f.verbatim, w.out);
      f.child = t.next[child]!;
      f.pos = t.end[child]!;
      const childType = t.type[child]!;
      const parentType = t.type[f.node]!;
      const topLevel =
        f.listLevel &&
        (parentType === "pipeline"
          ? childType === "list" && f.child === t.next[f.node]
          : t.named[child] === 0 ||
            childType === "list" ||
            childType === "pipeline" ||
            (childType === "redirected_statement" && parentType !== "redirected_statement"));
      enter(child, f.isProtected, topLevel ? 0 : 1);
      continue;
    }
    const end = t.end[f.node]!;
    if (end > f.pos) writeGap(w.text.slice(f.pos, end), f.verbatim, w.out);
    w.out.push(") ");
    stack.pop();
  }
}
