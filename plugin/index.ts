/**
 * The Prettier plugin: a declarative entry over the core. Nothing runs at
 * import; tree-sitter is initialised on the first parse.
 */
import type { Plugin, SupportLanguage, SupportOptions } from "prettier";
import { parser } from "./parser.js";
import { printer } from "./printer.js";
import { isDockerfileName } from "../src/names.js";

/** The one definition of a Dockerfile name (src/names.ts), re-exported for the plugin's users. */
export { isDockerfileName };

export const languages: SupportLanguage[] = [
  {
    name: "Dockerfile",
    parsers: ["dockerfile"],
    // Markdown fences name the language as users write it: ```dockerfile, ```Dockerfile
    aliases: ["dockerfile", "containerfile", "Dockerfile", "Containerfile"],
    filenames: ["Dockerfile", "Containerfile"],
    extensions: [".dockerfile", ".containerfile"],
    linguistLanguageId: 89,
    vscodeLanguageIds: ["dockerfile"],
    isSupported: ({ filepath }: { filepath: string }) => isDockerfileName(filepath),
  } as SupportLanguage,
];

export const options: SupportOptions = {
  dockerfileShellLayout: {
    type: "choice",
    category: "Dockerfile",
    default: "auto",
    description: "How the shell inside RUN is laid out.",
    choices: [
      {
        value: "auto",
        description:
          "A RUN that does not fit on one line (or was written on several) gets one command per line, broken after && || ; with your own breaks inside a command kept.",
      },
      { value: "preserve", description: "Keep your own line breaks inside RUN; only indentation is normalised." },
    ],
  },
  dockerfileVerify: {
    type: "boolean",
    category: "Dockerfile",
    default: true,
    description:
      "Check that the formatted Dockerfile means what the input meant (and refuse to format otherwise). Turn off only for speed.",
  },
};

export const parsers = { dockerfile: parser };
export const printers = { dockerfile: printer };

const plugin: Plugin = { languages, options, parsers, printers };
export default plugin;
