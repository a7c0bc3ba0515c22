import type { Printer, Doc } from "prettier";
import { doc } from "prettier";
import { formatModel } from "../src/format/format.js";
import type { DockerfileRoot } from "./parser.js";

const { hardline, join } = doc.builders;

export const printer: Printer<DockerfileRoot> = {
  print(path, options): Doc {
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
    const lines = text.slice(0, -1).split("\n");
    return [join(hardline, lines), hardline];
  },
};
