/**
 * BuildKit's readings, recorded (../shared/buildkit-readings, see its
 * README.md): what BuildKit's own parser and shell-word lexer returned for
 * fixed inputs. The tests' judge of how a Dockerfile is read, with no parser
 * to run: the model (test/oracle.ts modelReading) must agree with every one.
 *
 * Read with gunzip and split on "\n" only: the texts hold U+2028, U+0085 and
 * other characters that some line splitters treat as line ends.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { OracleResult } from "./oracle.js";
import { ROOT } from "./helpers.js";

export const READINGS = join(ROOT, "..", "shared", "buildkit-readings");
export const HAS_READINGS = existsSync(join(READINGS, "words.jsonl.gz"));
export const NO_READINGS_MESSAGE = `BuildKit's recorded readings not found (looked in ${READINGS}): BuildKit comparisons skipped`;

/** A recorded reading: BuildKit's parser result, with its error's location. */
export interface Reading extends OracleResult {
  /** BuildKit's location error: [[start, end], ...] (1-based lines; [[0, 0]] when it gives none). */
  errorLines: [number, number][] | null;
  warnings: unknown[];
}

/** One recorded file: its text, or the bytes of a file that is not valid UTF-8. */
export interface RecordedFile {
  /** corpus.jsonl.gz: the path under ../shared/corpus. */
  path?: string;
  text?: string;
  /** The file's bytes when they are not valid UTF-8 (mutations.jsonl.gz). */
  bytes?: Buffer;
  reading: Reading;
}

export interface RecordedWords {
  text: string;
  escape: "\\" | "`";
  ok: boolean;
  error: string | null;
  words: string[] | null;
}

/** The JSON lines of one gzipped data set. */
function jsonLines<T>(name: string): T[] {
  const text = gunzipSync(readFileSync(join(READINGS, name))).toString("utf8");
  const out: T[] = [];
  for (const line of text.split("\n")) if (line !== "") out.push(JSON.parse(line) as T);
  return out;
}

export type FileSet = "corpus" | "edge-cases" | "mutations";

const cache = new Map<string, unknown[]>();

/** The recorded files of a data set, in the recorded order. */
export function recordedFiles(set: FileSet): RecordedFile[] {
  if (!cache.has(set)) {
    const raw = jsonLines<{ path?: string; text?: string; base64?: string; reading: Reading }>(`${set}.jsonl.gz`);
    cache.set(
      set,
      raw.map((r) => ({ path: r.path, text: r.text, bytes: r.base64 === undefined ? undefined : Buffer.from(r.base64, "base64"), reading: r.reading })),
    );
  }
  return cache.get(set) as RecordedFile[];
}

/** The 8,000 recorded ProcessWords results (escape `\` and `` ` ``). */
export function recordedWords(): RecordedWords[] {
  if (!cache.has("words")) cache.set("words", jsonLines<RecordedWords>("words.jsonl.gz"));
  return cache.get("words") as RecordedWords[];
}
