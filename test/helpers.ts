import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const FIXTURES = join(ROOT, "fixtures");
export const CORPUS = join(ROOT, "..", "shared", "corpus");
export const HAS_CORPUS = existsSync(CORPUS);
export const NO_CORPUS_MESSAGE = `../shared/corpus not found beside the project (looked in ${CORPUS}): corpus checks skipped`;

export interface FixtureCase {
  /** e.g. "format/style/keyword-case" */
  name: string;
  input: string;
  output: string;
  options: Record<string, unknown>;
}

/**
 * Fixture cases under fixtures/<dir>: each `<case>.in.dockerfile` with its
 * `<case>.out.dockerfile` (expected output) and optional `<case>.options.json`.
 * A case with `<case>.error.txt` instead of an output is a file that must be
 * refused (see refusalCases).
 */
export function fixtureCases(dir: string): FixtureCase[] {
  const base = join(FIXTURES, dir);
  const cases: FixtureCase[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".in.dockerfile")) {
        const stem = p.slice(0, -".in.dockerfile".length);
        if (!existsSync(`${stem}.out.dockerfile`) && existsSync(`${stem}.error.txt`)) continue;
        const optionsFile = `${stem}.options.json`;
        cases.push({
          name: relative(FIXTURES, stem),
          input: readFileSync(p, "utf8"),
          output: readFileSync(`${stem}.out.dockerfile`, "utf8"),
          options: existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, "utf8")) as Record<string, unknown>) : {},
        });
      }
    }
  };
  if (existsSync(base)) walk(base);
  return cases;
}

/** Every Dockerfile in the shared corpus (relative paths), BuildKit `result` dumps and metadata left out. */
export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) {
        if (entry !== "_licenses") walk(p);
      } else if (!entry.endsWith("__result") && entry !== "SOURCES.md" && entry !== "MANIFEST.tsv") {
        out.push(relative(CORPUS, p));
      }
    }
  };
  if (HAS_CORPUS) walk(CORPUS);
  return out;
}

export interface RefusalCase {
  /** e.g. "format/regressions/unterminated-heredoc-opened-on-continuation-line" */
  name: string;
  input: string;
  /** Where and why the file is refused: `LINE:COLUMN MESSAGE` (1-based), the first line of <case>.error.txt. */
  error: string;
}

/** The cases under fixtures/<dir> whose `<case>.in.dockerfile` has a `<case>.error.txt` and no output: files to refuse. */
export function refusalCases(dir: string): RefusalCase[] {
  const base = join(FIXTURES, dir);
  const cases: RefusalCase[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".error.txt")) {
        const stem = p.slice(0, -".error.txt".length);
        cases.push({ name: relative(FIXTURES, stem), input: readFileSync(`${stem}.in.dockerfile`, "utf8"), error: readFileSync(p, "utf8").split("\n")[0]! });
      }
    }
  };
  if (existsSync(base)) walk(base);
  return cases;
}
