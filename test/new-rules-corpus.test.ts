/**
 * The safe fixes of the BuildKit-check rules over ../shared/corpus and the
 * rule fixtures, judged by the model's reading in BuildKit's shape
 * (modelReading), which BuildKit's recorded readings judge in turn
 * (test/buildkit-oracle.test.ts: it agrees with all of them): for every file
 * a rule changes, the result must read with exactly the change the rule
 * declares and nothing else. Each rule runs alone; the counts are printed.
 *
 * - legacy-key-value-format: only ENV/LABEL nodes change, from (k, V, "")
 *   to (k, W, "="), and W expands to the string V expands to (through the
 *   model's lexer, which gives BuildKit's recorded ProcessWords results);
 * - expose-protocol-case: only EXPOSE words change, only in the case of the
 *   letters after their last `/`;
 * - expose-host-port: only EXPOSE words change, each to its part after the
 *   last `:`;
 * - stage-name-case: only the `AS` name of a FROM, COPY --from and RUN
 *   --mount from= values change, each to its lower case;
 * - consecutive-run: only RUNs change: each RUN of the result is the RUNs
 *   it replaces, their shell tokens in the same order (as tree-sitter-bash
 *   reads BuildKit's text) with only `&&`, `(` and `)` added.
 * Comments are not compared (BuildKit's PrevComment): see `same`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { fixSync } from "../src/codemod/fix.js";
import { DockerfileSyntaxError, initShell } from "../src/index.js";
import { processWord } from "../src/model/lex.js";
import { checkCommentValue } from "../src/model/scan.js";
import { shellTree, type ShellNode } from "../src/shell/tree.js";
import { RULES } from "../src/rules/index.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles, fixtureCases } from "./helpers.js";
import { modelReading, type OracleNode, type OracleResult } from "./oracle.js";
import { modelWords } from "./oracle-words.js";

/**
 * The same node, lines aside, and comments aside but for what BuildKit's
 * linter reads from them: BuildKit keeps the comments since the previous
 * instruction in PrevComment (for `# check=` lint settings and stage and ARG
 * descriptions), and a join moves comments, but never the `check=` settings
 * an instruction has.
 */
const same = (a: OracleNode, b: OracleNode) => JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
const comparable = (n: OracleNode) => ({
  ...n,
  startLine: 0,
  endLine: 0,
  original: "",
  prevComment: checkCommentValue((n.prevComment ?? []).map((text) => ({ text }))),
});
const lower = (s: string) => s.toLowerCase();

/** Why a changed node is not the change the rule declares, or null when it is. */
type Judge = (before: OracleNode, after: OracleNode, escape: "\\" | "`") => string | null;

const sameExceptNext = (a: OracleNode, b: OracleNode): string | null => {
  if (lower(a.value) !== lower(b.value)) return `keyword ${a.value} -> ${b.value}`;
  if (JSON.stringify(a.flags) !== JSON.stringify(b.flags)) return `flags ${JSON.stringify(a.flags)} -> ${JSON.stringify(b.flags)}`;
  if (JSON.stringify(a.heredocs) !== JSON.stringify(b.heredocs) || JSON.stringify(a.attributes) !== JSON.stringify(b.attributes)) return "heredocs or attributes";
  return null;
};

const wordwise = (keyword: string, ok: (before: string, after: string) => boolean): Judge => (a, b) => {
  if (lower(a.value) !== keyword) return `a ${a.value} changed`;
  const d = sameExceptNext(a, b);
  if (d) return d;
  if (a.next.length !== b.next.length) return `words ${JSON.stringify(a.next)} -> ${JSON.stringify(b.next)}`;
  for (let i = 0; i < a.next.length; i++) if (a.next[i] !== b.next[i] && !ok(a.next[i]!, b.next[i]!)) return `word ${a.next[i]} -> ${b.next[i]}`;
  return null;
};

/** Values to compare through the lexer, collected while judging. */
const pendingExpansions: { w: string; expected: string; escape: "\\" | "`"; where: string }[] = [];

const JUDGES: Record<string, Judge> = {
  "legacy-key-value-format": (a, b, escape) => {
    if (!["env", "label"].includes(lower(a.value))) return `a ${a.value} changed`;
    const d = sameExceptNext(a, b);
    if (d) return d;
    if (a.next.length !== 3 || a.next[2] !== "" || b.next.length !== 3 || b.next[2] !== "=" || a.next[0] !== b.next[0]) return `pairs ${JSON.stringify(a.next)} -> ${JSON.stringify(b.next)}`;
    pendingExpansions.push({ w: b.next[1]!, expected: processWord(a.next[1]!, { escape }).result, escape, where: a.original });
    return null;
  },
  "expose-protocol-case": wordwise("expose", (x, y) => {
    const slash = x.lastIndexOf("/");
    return slash !== -1 && y.slice(0, slash + 1) === x.slice(0, slash + 1) && y.slice(slash + 1) === lower(x.slice(slash + 1));
  }),
  "expose-host-port": wordwise("expose", (x, y) => x.includes(":") && y === x.slice(x.lastIndexOf(":") + 1)),
  "stage-name-case": (a, b) => {
    const kw = lower(a.value);
    if (lower(b.value) !== kw || JSON.stringify(a.heredocs) !== JSON.stringify(b.heredocs)) return "keyword or heredocs";
    if (kw === "from") {
      if (JSON.stringify(a.flags) !== JSON.stringify(b.flags) || a.next.length !== 3 || b.next.length !== 3) return "FROM shape";
      return a.next[0] === b.next[0] && a.next[1] === b.next[1] && b.next[2] === lower(a.next[2]!) ? null : `FROM ${a.next.join(" ")} -> ${b.next.join(" ")}`;
    }
    if (kw !== "copy" && kw !== "run") return `a ${a.value} changed`;
    if (JSON.stringify(a.next) !== JSON.stringify(b.next)) return "arguments changed";
    if (a.flags.length !== b.flags.length) return "flag count";
    for (let i = 0; i < a.flags.length; i++) {
      if (a.flags[i] === b.flags[i]) continue;
      if (lower(a.flags[i]!) !== lower(b.flags[i]!) || !/^--(from|mount)=/.test(a.flags[i]!)) return `flag ${a.flags[i]} -> ${b.flags[i]}`;
    }
    return null;
  },
};

/** The leaves of the shell tree (words, operators, quotes), in order. */
function leaves(text: string): string[] {
  const out: string[] = [];
  const visit = (n: ShellNode) => {
    if (n.children.length === 0) out.push(n.text);
    else n.children.forEach(visit);
  };
  visit(shellTree(text));
  return out;
}

/** Whether `merged` is the leaves of `parts` with only `(`, `)` and `&&` added. */
function isJoinOf(merged: string[], parts: string[][]): boolean {
  const expected = parts.flat();
  let j = 0;
  let added = 0;
  for (const t of merged) {
    if (j < expected.length && t === expected[j]) j++;
    else if (t === "(" || t === ")" || t === "&&") added++;
    else return false;
  }
  return j === expected.length && added >= parts.length - 1 && added <= 5 * (parts.length - 1);
}

/** consecutive-run: each RUN of the result is consecutive RUNs of the input, the same commands in the same order. */
function judgeJoins(a: OracleResult, b: OracleResult): { difference: string | null; changed: number } {
  let i = 0;
  let changed = 0;
  for (const node of b.children) {
    const x = a.children[i];
    if (!x) return { difference: "more instructions after", changed };
    if (same(x, node)) {
      i++;
      continue;
    }
    if (lower(x.value) !== "run" || lower(node.value) !== "run") return { difference: `${x.value} -> ${node.value}`, changed };
    const merged = leaves(node.next[0]!);
    const parts: string[][] = [];
    let k = i;
    let found = false;
    while (k < a.children.length && lower(a.children[k]!.value) === "run" && JSON.stringify(a.children[k]!.flags) === JSON.stringify(node.flags) && a.children[k]!.attributes.json !== true) {
      parts.push(leaves(a.children[k]!.next[0]!));
      k++;
      if (parts.length >= 2 && isJoinOf(merged, parts)) {
        found = true;
        break;
      }
    }
    if (!found) return { difference: `RUN at line ${x.startLine} is not the join of the RUNs it replaces`, changed };
    changed += k - i;
    i = k;
  }
  return { difference: i === a.children.length ? null : "instructions lost", changed };
}

beforeAll(async () => {
  await initShell();
});

describe("the new rules' safe fixes over the corpus and the fixtures, read as BuildKit reads", () => {
  const texts = new Map<string, string>();
  const load = () => {
    if (texts.size > 0) return texts;
    for (const f of corpusFiles()) {
      const text = readFileSync(join(CORPUS, f), "utf8");
      try {
        fixSync(text, { select: [] });
        texts.set(f, text);
      } catch (e) {
        if (!(e instanceof DockerfileSyntaxError)) throw e;
      }
    }
    return texts;
  };

  // the rule fixtures too: the corpus has few upper-case protocols or stage names
  const fixtureTexts = () => {
    const out = new Map<string, string>();
    for (const rule of RULES) for (const c of fixtureCases(`rules/${rule.id}`)) out.set(`fixtures/${c.name}`, c.input);
    return out;
  };

  for (const rule of [...Object.keys(JUDGES), "consecutive-run"]) {
    for (const source of ["corpus", "fixtures"] as const) test.skipIf(source === "corpus" && !HAS_CORPUS)(`${rule} (${source})`, () => {
      const changed: { file: string; before: string; after: string }[] = [];
      for (const [file, text] of source === "corpus" ? load() : fixtureTexts()) {
        const r = fixSync(text, { select: [rule] });
        for (const f of r.fixes) expect(f.safety, file).toBe("safe");
        if (r.output !== text) changed.push({ file, before: text, after: r.output });
      }
      const before = changed.map((c) => modelReading(c.before));
      const after = changed.map((c) => modelReading(c.after));
      pendingExpansions.length = 0;
      let instructions = 0;
      const unexpected: string[] = [];
      changed.forEach((c, n) => {
        const a = before[n]!;
        const b = after[n]!;
        if (!a.ok || !b.ok || a.escape !== b.escape || JSON.stringify(a.directives) !== JSON.stringify(b.directives)) {
          unexpected.push(`${c.file}: parse ${a.ok}/${b.ok} or directives`);
          return;
        }
        if (rule === "consecutive-run") {
          const j = judgeJoins(a, b);
          instructions += j.changed;
          if (j.difference) unexpected.push(`${c.file}: ${j.difference}`);
          return;
        }
        if (a.children.length !== b.children.length) {
          unexpected.push(`${c.file}: instruction count ${a.children.length} -> ${b.children.length}`);
          return;
        }
        for (let i = 0; i < a.children.length; i++) {
          const x = a.children[i]!;
          const y = b.children[i]!;
          if (same(x, y)) continue;
          instructions++;
          const d = JUDGES[rule]!(x, y, (a.escape ?? "\\") as "\\" | "`");
          if (d) unexpected.push(`${c.file}:${x.startLine}: ${d}`);
        }
      });
      // the quoted values, expanded by the lexer
      for (const escape of ["\\", "`"] as const) {
        const list = pendingExpansions.filter((p) => p.escape === escape);
        const words = modelWords(list.map((p) => p.w), escape);
        list.forEach((p, k) => {
          const w = words[k]!;
          const got = p.w.startsWith('"') ? (w.words[0] ?? "") : null;
          // an unquoted W is V itself (nothing to expand differently)
          if (!w.ok || (got !== null && (w.words.length > 1 || got !== p.expected))) unexpected.push(`${p.where}: ${p.w} expands to ${JSON.stringify(w.words)}, not ${JSON.stringify(p.expected)}`);
        });
      }
      console.log(`${rule}: ${changed.length} ${source} files changed, ${instructions} instructions changed, ${unexpected.length} unexpected differences`);
      expect(unexpected).toEqual([]);
    });
  }
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
