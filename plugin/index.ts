/**
 * The Prettier plugin: a declarative entry over the core. Nothing runs at
 * import but the making of its list of names (dockerfileFilenames, a few
 * hundred string comparisons); tree-sitter is initialised on the first parse.
 */
import type { Plugin, SupportLanguage, SupportOptions } from "prettier";
import { parser } from "./parser.js";
import { printer } from "./printer.js";
import { dockerfileFilenames, isDockerfileName } from "../src/names.js";

/** The one definition of a Dockerfile name (src/names.ts), re-exported for the plugin's users. */
export { isDockerfileName };

export const languages: SupportLanguage[] = [
  {
    name: "Dockerfile",
    parsers: ["dockerfile"],
    // Markdown fences name the language as users write it: ```dockerfile, ```Dockerfile
    aliases: ["dockerfile", "containerfile", "Dockerfile", "Containerfile"],
    // exact names, matched before any language's extensions: Dockerfile, Containerfile, and each
    // Dockerfile.<suffix> whose suffix Prettier gives a language of its own (Dockerfile.webapp: JSON)
    filenames: dockerfileFilenames(),
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
      { value: "preserve", description: "Keep your own line breaks and operator positions inside RUN; lines are indented by the shell structure." },
    ],
  },
  dockerfileIndent: {
    type: "choice",
    category: "Dockerfile",
    default: "auto",
    description:
      "One level of indentation of continuation lines. Prettier's useTabs and tabWidth are not read for Dockerfiles (a project's .prettierrc is usually written for its JavaScript).",
    choices: [
      {
        value: "auto",
        description:
          "Follow the file: the unit (tab, 2 or 4 spaces) at least 80% of its RUN continuation lines use; 4 spaces where the file shows none or mixes them.",
      },
      { value: "tab", description: "A tab (docker-library's style)." },
      { value: "2", description: "Two spaces." },
      { value: "4", description: "Four spaces (Docker's documentation)." },
    ],
  },
  dockerfileOperatorPosition: {
    type: "choice",
    category: "Dockerfile",
    default: "auto",
    description: "Where && and || go when a RUN command breaks next to them, at every depth (; and & always end their line).",
    choices: [
      {
        value: "auto",
        description:
          "Follow the file: the side at least 80% of its breaks next to && and || use; the line start where the file shows none or mixes them.",
      },
      { value: "end", description: "At the end of the line, before the backslash: `apt-get update && \\` (docker-library's style)." },
      {
        value: "start",
        description: "At the start of the next line: `\\` then `    && rm -rf /var/lib/apt/lists/*` (the style of Docker's documentation and nginx).",
      },
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
