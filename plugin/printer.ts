import type { Printer, Doc } from "prettier";
import { formatModel } from "../src/format/format.js";
import { insertPragma } from "../src/format/pragma.js";
import type { DockerfileRoot } from "./parser.js";

export const printer: Printer<DockerfileRoot> = {
  print(path, options): Doc {
    // BuildKit splits lines at line feeds only: with CR line endings it would read the file as one line
    if (options.endOfLine === "cr") {
      throw new Error('endOfLine "cr" would write a Dockerfile that BuildKit reads as one line: use "lf", "crlf" or "auto"');
    }
    const node = path.node;
    const text = formatModel(node.model, {
      tabWidth: options.tabWidth,
      useTabs: options.useTabs,
      printWidth: options.printWidth,
      verify: (options as { dockerfileVerify?: boolean }).dockerfileVerify !== false,
      shellLayout: (options as { dockerfileShellLayout?: "auto" | "preserve" }).dockerfileShellLayout ?? "auto",
      operatorPosition: (options as { dockerfileOperatorPosition?: "end" | "start" }).dockerfileOperatorPosition ?? "end",
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
