/**
 * The check of a join that does not trust the plan that made it: given the
 * shell texts of the separate RUNs and the joined text, it re-derives from
 * their trees which part stands where in the joined text (plain, or alone in
 * a subshell), that nothing else was added, dropped or regrouped, and, from
 * the shell-state model, that no part's state can reach a later part
 * (stateSeen: working directory, variables, options, traps, umask, aliases,
 * functions, the command hash) and that errexit stops where it stopped. The
 * rules ask it before they emit a fix (merge-cleanup-run, consecutive-run);
 * it takes no plan, so a wrong plan is caught here. Where each part stands is
 * read from tree-sitter's trees; the quote scan (quote-scan.ts), a reading
 * that does not share them, must then read the joined text as exactly those
 * parts joined with `&&`, in dash's and in bash's dialect, so a tree-sitter
 * misreading of a quote cannot pass a join that splits words otherwise.
 */
import { allCommands, andOrChain, topLevelStatements, type ShellNode, type Statement } from "./tree.js";
import { analyse, isAndChain, stateSeen, type Analysis } from "./join-plan.js";
import { isFlatStatement, readsShellPosition, stateEffects, type ShellStateEffects } from "./shell-state.js";
import { ALL_DIALECTS, OPERATOR, SEPARATOR, quoteScan, separatorReading, type ShellDialect } from "./quote-scan.js";

export interface JoinContext {
  /** errexit may be on before the first part (a SHELL with -e, SHELLOPTS or BASH_ENV from ENV or ARG). */
  errexitFromOutside: boolean;
  /** The last part is a cleanup (simple commands deleting files, no expansions): the state it can see is less than arbitrary text's. */
  lastIsCleanup: boolean;
}

interface Part {
  analysis: Analysis;
  effects: ShellStateEffects;
  /** In the joined text alone in a subshell. */
  wrapped: boolean;
}

/**
 * Null when `joined` runs each of `originals` as it ran in its own shell,
 * one after the other, stopping at the first that fails; otherwise why not.
 */
export function checkJoin(originals: string[], joined: string, context: JoinContext): string | null {
  if (originals.length < 2) return "fewer than two parts";
  const analyses: Analysis[] = [];
  for (const o of originals) {
    const a = analyse(o);
    if (!a || !topLevelStatements(a.root)?.length) return "a part cannot be read as one shell text";
    analyses.push(a);
  }
  const j = analyse(joined);
  if (!j) return "the joined text cannot be read as one shell text";
  const wrapped = placeParts(analyses, j.root);
  if (wrapped === null) return "the joined text is not the parts joined with `&&`, each as written or alone in a subshell";
  // the second reading: the parts as tree-sitter placed them, joined, must split into the joined text's words
  for (const dialect of ALL_DIALECTS) {
    const expected = originals.map((o, i) => (wrapped[i] ? `( ${o} )` : withoutFinalSemicolon(o, dialect))).join(" && ");
    if (separatorReading(expected, dialect) !== separatorReading(joined, dialect)) return `the quote scan (${dialect}) does not read the joined text as the parts joined with \`&&\``;
  }
  const parts: Part[] = analyses.map((analysis, i) => ({ analysis, effects: stateEffects(analysis.root), wrapped: wrapped[i]! }));
  return stateKeptApart(parts, context);
}

/**
 * Where the parts stand in the joined tree: for each, whether it is alone in
 * a subshell. Read from the end: each part after the first is the last
 * items of the joined text's last `&&`/`||` chain (a subshell whose text is
 * the part, or the part's own single chain item by item), after `&&`; the
 * first part is what is left, statement by statement. Null when the parts
 * do not make up the joined text.
 */
function placeParts(parts: Analysis[], joined: ShellNode): boolean[] | null {
  const statements = topLevelStatements(joined);
  if (!statements || statements.length === 0 || statements[statements.length - 1]!.separator !== null) return null;
  const chain = andOrChain(statements[statements.length - 1]!.node);
  const wrapped: boolean[] = parts.map(() => false);
  let end = chain.items.length;
  for (let p = parts.length - 1; p >= 0; p--) {
    const own = topLevelStatements(parts[p]!.root)!;
    const last = end - 1;
    const item = chain.items[last];
    if (!item) return null;
    const isSubshellOfPart = item.type === "subshell" && sameStatements(own, statementsOf(item));
    if (p === 0) {
      // the first part: all that is left
      if (isSubshellOfPart && end === 1 && statements.length === 1) {
        wrapped[0] = true;
        return wrapped;
      }
      if (statements.length !== own.length || !sameStatements(own.slice(0, -1), statements.slice(0, -1))) return null;
      const mine = andOrChain(own[own.length - 1]!.node);
      if (mine.items.length !== end || !sameChain(mine, chain, 0)) return null;
      return wrapped;
    }
    let k: number;
    if (isSubshellOfPart) {
      wrapped[p] = true;
      k = 1;
    } else {
      if (own.length !== 1 || (own[0]!.separator !== null && own[0]!.separator !== ";")) return null;
      const mine = andOrChain(own[0]!.node);
      k = mine.items.length;
      if (end - k < 1 || !sameChain(mine, chain, end - k)) return null;
    }
    if (end - k < 1 || chain.operators[end - k - 1] !== "&&") return null;
    end -= k;
  }
  return null;
}

/** The statements of a program or a subshell, with the separator after each. */
function statementsOf(node: ShellNode): Statement[] {
  const out: Statement[] = [];
  for (const c of node.children) {
    if (c.type === "(" || c.type === ")") continue;
    if (!c.named) {
      if (out.length > 0) out[out.length - 1]!.separator = c.type;
      continue;
    }
    out.push({ node: c, separator: null });
  }
  return out;
}

/** The same statements, the same text, the same separators between them (a `;` after the last one may go). */
function sameStatements(a: Statement[], b: Statement[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => {
    const t = b[i]!;
    if (!sameTree(s.node, t.node)) return false;
    if (i < a.length - 1) return s.separator === t.separator;
    return (s.separator ?? ";") === (t.separator ?? ";");
  });
}

/** `mine`'s items and operators stand in `chain` from item `from` on, the same trees. */
function sameChain(mine: { items: ShellNode[]; operators: string[] }, chain: { items: ShellNode[]; operators: string[] }, from: number): boolean {
  return mine.items.every((n, i) => chain.items[from + i] !== undefined && sameTree(chain.items[from + i]!, n)) && mine.operators.every((o, i) => chain.operators[from + i] === o);
}

/**
 * The same tree: the same node types in the same order, the same text in
 * every leaf (words, string contents, operators). Blanks between tokens are
 * no node, so a join laid out over lines (a part's continuation lines moved)
 * is the same tree; a blank inside a string or a word is in a leaf.
 */
function sameTree(a: ShellNode, b: ShellNode): boolean {
  const stack: [ShellNode, ShellNode][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x.type !== y.type || x.children.length !== y.children.length) return false;
    if (x.children.length === 0) {
      if (x.text !== y.text) return false;
      continue;
    }
    x.children.forEach((c, i) => stack.push([c, y.children[i]!]));
  }
  return true;
}

/**
 * No part's shell state reaches a later one: every part before the last that
 * is not alone in a subshell leaves nothing a later part can see; nothing
 * starts in the background; and where errexit may be on, nothing that
 * errexit would stop stands left of `&&` where it no longer stops (the
 * parts before the last are never in a subshell and end in a flat
 * statement, and a last part in a subshell is not run under an errexit an
 * earlier part turned on).
 */
function stateKeptApart(parts: Part[], context: JoinContext): string | null {
  const n = parts.length;
  const errexit = context.errexitFromOutside || parts.slice(0, -1).some((p) => p.effects.errexit);
  for (let i = 0; i < n; i++) {
    const p = parts[i]!;
    if (i < n - 1 && p.effects.background) return `part ${i + 1} starts a background job`;
    if (i > 0 && !p.wrapped && !isAndChain(p.analysis)) return `part ${i + 1} is more than one \`&&\` chain and not in a subshell`;
    if (i > 0 && readsShellPosition(p.analysis.root)) return `part ${i + 1} reads $LINENO, $SECONDS, $_ or the like`;
    if (i === n - 1) break;
    if (errexit) {
      if (p.wrapped) return `part ${i + 1} is in a subshell left of \`&&\` while errexit may be on (errexit is ignored there)`;
      const statements = topLevelStatements(p.analysis.root)!;
      if (!isFlatStatement(statements[statements.length - 1]!.node)) return `part ${i + 1} ends in a compound command left of \`&&\` while errexit may be on`;
    }
    if (p.wrapped) continue;
    const later = parts.slice(i + 1).map((q) => q.analysis);
    const cleanup = context.lastIsCleanup && i === n - 2 ? allCommands(parts[n - 1]!.analysis.root) : null;
    const seen = stateSeen(p.effects, later, cleanup);
    if (seen !== null) return `part ${i + 1} ${seen}`;
  }
  const last = parts[n - 1]!;
  if (last.wrapped && parts.slice(0, -1).some((p) => p.effects.errexitLeaks)) return `the last part is a list in a subshell, and an earlier part turns errexit on or off for it`;
  return null;
}

/** A part as `&&` may follow it, read by the quote scan: a `;` that ends it (an operator, not `;;`) dropped, as a join drops it. */
function withoutFinalSemicolon(text: string, dialect: ShellDialect): string {
  const classes = quoteScan(text, dialect);
  let k = text.length - 1;
  while (k >= 0 && classes[k] === SEPARATOR) k--;
  const isSemicolon = (i: number) => i >= 0 && text.charCodeAt(i) === 0x3b && classes[i] === OPERATOR;
  return isSemicolon(k) && !isSemicolon(k - 1) ? text.slice(0, k) : text;
}
