/**
 * An instruction's logical line (the text BuildKit reads, continuation lines
 * joined) with its tokens: what the printers of instruction.ts and
 * run-layout.ts share. Printing a range of it collapses the blank runs its
 * parser ignores and keeps everything else byte for byte.
 */
import type { Token } from "./tokens.js";

export class LogicalLine {
  constructor(
    readonly text: string,
    readonly tokens: readonly Token[],
    /** Token index -> the spelling to print (keywords upper case). */
    readonly upper: ReadonlyMap<number, string>,
  ) {}

  /**
   * The part in [from, to). Collapsible blanks become one space inside the
   * range and disappear at its edges (a line break takes their place), except
   * at the very start of the text (`first`) where they vanish too. With
   * `exactEnd`, the trailing blanks of the range are kept as written.
   */
  print(from: number, to: number, first: boolean, exactEnd = false): string {
    const { text, tokens, upper } = this;
    let out = "";
    for (let i = from === 0 ? 0 : this.indexAt(from); i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.end <= from && t.start !== t.end) continue;
      if (t.start >= to) break;
      const s = Math.max(t.start, from);
      const e = Math.min(t.end, to);
      if (t.kind === "blank" && t.collapsible) {
        // at the start of a continuation line the indent takes its place
        if (s === from && !first) continue;
        if (e === to) {
          if (exactEnd) out += text.slice(s, e);
          continue;
        }
        // at the start of the text, nothing
        if (s !== from) out += " ";
        continue;
      }
      const piece = text.slice(s, e);
      out += s === t.start && e === t.end ? (upper.get(i) ?? piece) : piece;
    }
    return out;
  }

  /** The collapsible blank run that holds `pos` (its ends included), if any. */
  blankAt(pos: number): Token | undefined {
    const k = this.blankIndexAt(pos);
    return k < 0 ? undefined : this.tokens[k];
  }

  /** Index of the collapsible blank token holding `pos` (its ends included), or -1. */
  blankIndexAt(pos: number): number {
    const tokens = this.tokens;
    const lo = this.indexAt(pos);
    for (let k = lo; k >= 0 && k >= lo - 1; k--) {
      const t = tokens[k]!;
      if (t.kind === "blank" && t.collapsible && t.start <= pos && pos <= t.end) return k;
    }
    return -1;
  }

  /** Whether a line break at `offset` falls in a collapsible blank run (a "loose" break) rather than inside a word or value. */
  isLooseAt(offset: number): boolean {
    return this.blankAt(offset) !== undefined;
  }

  /** Index of the last token starting at or before `pos` (0 if none), by binary search. */
  private indexAt(pos: number): number {
    const tokens = this.tokens;
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (tokens[mid]!.start <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
