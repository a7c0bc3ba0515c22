import type { Printer, Doc } from "prettier";
import { formatModel, MeaningChangedError, type FormatOptions } from "../src/format/format.js";
import { insertPragma } from "../src/format/pragma.js";
import { DockerfileSyntaxError } from "../src/model/scan.js";
import { prettierSyntaxError, type DockerfileRoot } from "./parser.js";

/**
 * Prettier writes every line feed of the printed text with the endOfLine
 * asked for, heredoc bodies' too, and BuildKit keeps a heredoc body's
 * carriage returns: with "crlf", a body written with LF would gain them (a
 * `RUN <<EOF` script then fails under dash with `set: Illegal option -`, a
 * `COPY <<EOF` file changes). A body cannot be kept with LF inside a CRLF
 * file (Prettier converts the whole string), so the file is refused, at the
 * first body line that would change, unless the file on disk already ends
 * every body line with CRLF (then the bytes are the same).
 */
export const HEREDOC_CRLF_REFUSAL =
  'endOfLine "crlf" would add a carriage return to this heredoc body line, and BuildKit keeps it in the script or file the heredoc writes: use "lf" (or "auto" on a file whose heredoc bodies already have CRLF line endings)';

function refuseCarriageReturnsInHeredocs(node: DockerfileRoot): void {
  for (const instr of node.model.instructions) {
    for (const h of instr.heredocs) {
      for (let l = h.bodyStart; l < h.terminatorLine; l++) {
        if (node.crlfLines?.has(l)) continue;
        throw prettierSyntaxError({ message: HEREDOC_CRLF_REFUSAL, line: l + 1, column: 1 });
      }
    }
  }
}

export const printer: Printer<DockerfileRoot> = {
  print(path, options): Doc {
    // BuildKit splits lines at line feeds only: with CR line endings it would read the file as one line
    if (options.endOfLine === "cr") {
      throw prettierSyntaxError({ message: 'endOfLine "cr" would write a Dockerfile that BuildKit reads as one line: use "lf", "crlf" or "auto"', line: 1, column: 1 });
    }
    const node = path.node;
    if (options.endOfLine === "crlf") refuseCarriageReturnsInHeredocs(node);
    const text = formatOrRefuse(node, {
      // Prettier's tabWidth and useTabs are not read: dockerfileIndent decides (src/format/options.ts)
      indent: (options as { dockerfileIndent?: FormatOptions["indent"] }).dockerfileIndent ?? "auto",
      printWidth: options.printWidth,
      verify: (options as { dockerfileVerify?: boolean }).dockerfileVerify !== false,
      shellLayout: (options as { dockerfileShellLayout?: "auto" | "preserve" }).dockerfileShellLayout ?? "auto",
      operatorPosition: (options as { dockerfileOperatorPosition?: FormatOptions["operatorPosition"] }).dockerfileOperatorPosition ?? "auto",
    });
    // The text is final and checked: it is returned as one string, not as lines
    // joined by hardline, because Prettier trims the blanks before every
    // hardline, and a heredoc line's trailing blanks are part of the file or
    // script it writes. Prettier writes the string as it is, with its line
    // feeds turned into the endOfLine asked for (the doc has no group whose
    // width a line break could upset); Markdown's embed turns them into
    // literal lines, so a ```dockerfile block keeps them too (test/prettier-path.test.ts).
    return text;
  },
  insertPragma,
};

/** The formatted text; a refusal is reported as Prettier reports a syntax error: message, line and column, no stack trace. */
function formatOrRefuse(node: DockerfileRoot, options: Parameters<typeof formatModel>[1]): string {
  try {
    return formatModel(node.model, options);
  } catch (error) {
    if (error instanceof MeaningChangedError || error instanceof DockerfileSyntaxError) throw prettierSyntaxError(error);
    throw error;
  }
}
