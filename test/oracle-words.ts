/**
 * BuildKit's shell lexer as an oracle: `buildkit-parse --words` runs
 * `shell.NewLex(escape).ProcessWords(text, emptyEnv)` on each text (see
 * ../shared/tools/buildkit-parse/README.md). Unset variables expand to
 * nothing, `${X:-d}` to `d`.
 */
import { spawnSync } from "node:child_process";
import { BUILDKIT_PARSE } from "./oracle.js";

export interface OracleWords {
  input: string;
  ok: boolean;
  error: string | null;
  words: string[];
}

/** ProcessWords of each text, in order (many texts per call). */
export function oracleWords(texts: readonly string[], escape: "\\" | "`" = "\\"): OracleWords[] {
  const out: OracleWords[] = [];
  for (let k = 0; k < texts.length; k += 500) {
    const args = ["--words", ...(escape === "`" ? ["--escape=`"] : []), "--", ...texts.slice(k, k + 500)];
    const r = spawnSync(BUILDKIT_PARSE, args, { encoding: "utf8", maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`buildkit-parse --words failed (${r.status}): ${r.stderr}`);
    for (const line of r.stdout.split("\n")) if (line) out.push(JSON.parse(line) as OracleWords);
  }
  if (out.length !== texts.length) throw new Error(`buildkit-parse --words gave ${out.length} results for ${texts.length} texts`);
  return out;
}
