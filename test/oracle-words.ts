/**
 * Word splitting as BuildKit's shell lexer does it
 * (`shell.NewLex(escape).ProcessWords(text, emptyEnv)`), through the model's
 * lexer (src/model/lex.ts processWords): test/buildkit-oracle.test.ts proves
 * it gives exactly BuildKit's recorded words and errors on 8,000 cases
 * (../shared/buildkit-readings/words.jsonl.gz, both escape characters).
 * Unset variables expand to nothing, `${X:-d}` to `d`.
 */
import { LexError, processWords } from "../src/model/lex.js";

export interface WordsResult {
  input: string;
  ok: boolean;
  error: string | null;
  words: string[];
}

/** ProcessWords of each text, in order. */
export function modelWords(texts: readonly string[], escape: "\\" | "`" = "\\"): WordsResult[] {
  return texts.map((input) => {
    try {
      return { input, ok: true, error: null, words: processWords(input, { escape }) };
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      return { input, ok: false, error: e.message, words: [] };
    }
  });
}
