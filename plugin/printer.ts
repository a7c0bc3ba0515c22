import type { Printer, Doc } from "prettier";
import { doc } from "prettier";
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
    if (text === "") return "";
    // The text is final and checked: literal lines, because Prettier trims the
    // blanks before every hardline, and a heredoc line's trailing blanks are
    // part of the file or script it writes.
    return doc.utils.replaceEndOfLine(text);
  },
  insertPragma,
};
