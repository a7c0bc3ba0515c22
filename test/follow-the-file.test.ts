/**
 * The default follows the file (issue 18): the indent unit and operator
 * position a file shows are read once per model (src/format/detect-style.ts)
 * and followed where at least 80% of the lines that show them agree; the
 * fallback (4 spaces, operators at the line start) covers the rest. The
 * fixtures in fixtures/format/follow-the-file show it on whole files; here:
 * the counting, the threshold, that the formatter's output is read as the
 * style it was printed in, and the round trips over a sample of the corpus.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, detectStyle, DockerfileSyntaxError, formatText, initShell, type FormatOptions } from "../src/index.js";
import { FALLBACK_INDENT, FALLBACK_OPERATOR_POSITION, resolveOptions } from "../src/format/options.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE } from "./helpers.js";
// @ts-expect-error: a plain ESM script without types
import { TRIPS, roundTrip, corpusFiles } from "../scripts/round-trips.mjs";

beforeAll(async () => {
  await initShell();
});

const detect = (text: string) => detectStyle(buildModel(text));
/** The style the formatter prints the text in under the defaults. */
const effective = (text: string) => {
  const o = resolveOptions({}, buildModel(text));
  return { indent: o.indent, operatorPosition: o.operatorPosition };
};

describe("reading a file's style", () => {
  test("the indent unit: tabs, or spaces, 2 or 4 as each RUN's shallowest line says", () => {
    expect(detect("FROM a\nRUN a && \\\n\tb \\\n\t\tc\n").indent).toBe("tab");
    expect(detect("FROM a\nRUN a && \\\n    b \\\n        c\n").indent).toBe("4");
    expect(detect("FROM a\nRUN a && \\\n  b \\\n    c\n").indent).toBe("2");
    // a 2-space file whose lines are mostly at 4 (a package list at level 2): each RUN's shallowest line decides
    expect(detect("FROM a\nRUN a && \\\n  b \\\n    c \\\n    d \\\n    e \\\n    f \\\n    g\n").indent).toBe("2");
    expect(detect("FROM a\nRUN a && \\\n    b \\\n      c\n").indent).toBe("4");
    expect(detect("FROM a\nRUN a && \\\n   b\n").indent).toBe(null);
    expect(detect("FROM a\nRUN a && b\n")).toMatchObject({ indent: null, operatorPosition: null });
  });

  test("the operator position, at every depth; a lone operator line and a quoted && are neither", () => {
    expect(detect("FROM a\nRUN a && \\\n    b\n").operatorPosition).toBe("end");
    expect(detect("FROM a\nRUN a \\\n    || b\n").operatorPosition).toBe("start");
    expect(detect("FROM a\nRUN if x; then \\\n        a \\\n        && b; \\\n    fi\n").operatorPosition).toBe("start");
    expect(detect("FROM a\nRUN a \\\n    && \\\n    b\n").counts).toMatchObject({ end: 0, start: 0 });
    expect(detect("FROM a\nRUN echo 'a && \\\n    b'\n").counts).toMatchObject({ end: 0, start: 0 });
    expect(detect("FROM a\nRUN a; \\\n    b\n").operatorPosition).toBe(null);
    // a no-break space is not a blank to the shell: `\u00a0&&` is a word and an operator at the line end, not a lone operator
    expect(detect("FROM a\nRUN a \\\n\u00a0&& \\\n    b\n").counts).toMatchObject({ end: 1, start: 0 });
  });

  test("a line that continues a word or a quoted string shows no indentation; nor do non-POSIX shells' RUNs", () => {
    expect(detect('FROM a\nRUN echo "x \\\n\ty" && \\\n  b\n').counts).toMatchObject({ tab: 0, spaces2: 1 });
    expect(detect('FROM a\nSHELL ["pwsh", "-c"]\nRUN a && \\\n\tb\n').counts).toMatchObject({ tab: 0, end: 0 });
  });

  test("the file is followed when at least 80% of its lines agree, else the fallback", () => {
    const file = (end: number, start: number) =>
      "FROM a\n" + "RUN a && \\\n    b\n".repeat(end) + "RUN a \\\n    && b\n".repeat(start);
    expect(detect(file(4, 1)).operatorPosition).toBe("end");
    expect(detect(file(1, 4)).operatorPosition).toBe("start");
    expect(detect(file(3, 2)).operatorPosition).toBe(null);
    expect(effective(file(3, 2)).operatorPosition).toBe(FALLBACK_OPERATOR_POSITION);
    expect(effective("FROM a\nRUN a\n").indent).toBe(" ".repeat(Number(FALLBACK_INDENT)));
    const indents = (tabs: number, spaces: number) => "FROM a\n" + "RUN a && \\\n\tb\n".repeat(tabs) + "RUN a && \\\n    b\n".repeat(spaces);
    expect(detect(indents(4, 1)).indent).toBe("tab");
    expect(detect(indents(3, 2)).indent).toBe(null);
  });

  test("pinned options win over the file; the core's legacy tabWidth and useTabs pin the indent where indent is not given", () => {
    const text = "FROM a\nRUN a \\\n  && b\n";
    expect(formatText(text)).toBe(text);
    expect(formatText(text, { indent: "tab", operatorPosition: "end" })).toBe("FROM a\nRUN a && \\\n\tb\n");
    expect(formatText(text, { useTabs: true })).toBe("FROM a\nRUN a \\\n\t&& b\n");
    expect(formatText(text, { tabWidth: 4 })).toBe("FROM a\nRUN a \\\n    && b\n");
    expect(formatText(text, { tabWidth: 4, indent: "auto" })).toBe(text);
    expect(() => formatText(text, { indent: "3" as "2" })).toThrow(/dockerfileIndent must be "auto" or "tab" or "2" or "4"/);
  });
});

// Every 20th corpus file (about 70) for the round trips, every 60th for the reading of the output: the full corpus
// runs in `npm run round-trips`, and test/run-layout.test.ts formats all of it twice under "auto" (idempotent).
const files: string[] = HAS_CORPUS ? corpusFiles(CORPUS) : [];
const sample = files.filter((_, k) => k % 20 === 0);
const rejected = (e: unknown) => e instanceof DockerfileSyntaxError;
/** Without the self-check (its cost is the meaning comparison, which test/run-layout.test.ts makes over the whole corpus). */
const fast = (text: string, options: FormatOptions = {}) => formatText(text, { ...options, verify: false });

describe("a sample of the corpus", () => {
  test.skipIf(!HAS_CORPUS)("the formatter's output is read as the style it was printed in (formatting is idempotent under auto)", () => {
    const changed: string[] = [];
    for (const file of files.filter((_, k) => k % 60 === 30)) {
      const text = readFileSync(join(CORPUS, file), "utf8");
      let out: string;
      try {
        out = fast(text);
      } catch (e) {
        if (rejected(e)) continue;
        throw e;
      }
      if (JSON.stringify(effective(out)) !== JSON.stringify(effective(text)) || fast(out) !== out) changed.push(file);
    }
    expect(changed).toEqual([]);
  });

  for (const trip of TRIPS as { name: string }[]) {
    test.skipIf(!HAS_CORPUS)(`round trip ${trip.name} gives back the first output`, () => {
      const differ = sample.filter((file) => roundTrip(fast, readFileSync(join(CORPUS, file), "utf8"), trip, rejected) !== null);
      expect(differ).toEqual([]);
    });
  }
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
