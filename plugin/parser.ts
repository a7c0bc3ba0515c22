import type { Parser } from "prettier";
import { buildModel, type DockerfileModel } from "../src/model/model.js";
import { DockerfileSyntaxError } from "../src/model/scan.js";
import { meaningOf } from "../src/meaning/meaning.js";
import { initShell } from "../src/shell/bash.js";
import { hasIgnorePragma, hasPragma } from "../src/format/pragma.js";

export interface DockerfileRoot {
  type: "dockerfile";
  model: DockerfileModel;
  start: number;
  end: number;
}

/** A syntax error the way Prettier reports it: message, then line and column. */
function prettierSyntaxError(error: DockerfileSyntaxError): Error {
  const e = new SyntaxError(`${error.message} (${error.line}:${error.column})`) as SyntaxError & {
    loc: { start: { line: number; column: number } };
    cause: unknown;
  };
  e.loc = { start: { line: error.line, column: error.column } };
  e.cause = error;
  return e;
}

export const parser: Parser<DockerfileRoot> = {
  astFormat: "dockerfile",
  async parse(text) {
    await initShell();
    try {
      // Prettier has removed the byte-order mark (and will put it back)
      const model = buildModel(text, { bomStripped: true });
      // Reading the meaning validates what BuildKit would reject (JSON arrays of non-strings, ENV without value).
      meaningOf(model);
      return { type: "dockerfile", model, start: 0, end: text.length };
    } catch (error) {
      if (error instanceof DockerfileSyntaxError) throw prettierSyntaxError(error);
      throw error;
    }
  },
  hasPragma,
  hasIgnorePragma,
  locStart: (node) => node.start,
  locEnd: (node) => node.end,
};
