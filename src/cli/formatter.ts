/**
 * --reformat: the result formatted as `prettier --write` would format it.
 */
import { resolve } from "node:path";
import { initShell } from "../shell/bash.js";
import type { Io } from "./main.js";
import type { Style } from "./style.js";

const PACKAGE_NAME = "prettier-plugin-dockerfile";

/** Formats a Dockerfile's text; `file` (absolute) picks the configuration. */
export type Formatter = (text: string, file: string) => Promise<string>;

/**
 * The formatter, loaded only when --reformat asks for it: Prettier itself
 * (a peer dependency) with this package's plugin, so the result is what
 * `prettier --write` gives for the file: its configuration from
 * .prettierrc and .editorconfig with overrides (prettier.resolveConfig),
 * nothing for files .gitignore or .prettierignore exclude (the ignore files
 * the prettier command reads by default, from the working directory), and
 * Prettier's endOfLine (default "lf": CRLF becomes LF; "auto" keeps it; a
 * byte-order mark is kept). Without Prettier: the built-in formatter with
 * its defaults, after a warning.
 */
export async function loadFormatter(io: Io, style: Style): Promise<Formatter> {
  let prettier: typeof import("prettier");
  try {
    prettier = await import("prettier");
  } catch (e) {
    const why = ((e as Error).message ?? String(e)).split("\n")[0];
    io.stderr(
      `${style.warn("warning")}: --reformat: prettier could not be loaded (${why}): formatting with the built-in formatter's defaults, without your Prettier configuration\n`,
    );
    return builtInFormatter();
  }
  const { default: plugin } = await import("../../plugin/index.js");
  const ignorePath = [resolve(io.cwd, ".gitignore"), resolve(io.cwd, ".prettierignore")];
  return async (text, file) => {
    // (resolveConfig: false: no configuration is read to infer a parser, ten times faster; only `ignored` is used)
    const info = await prettier.getFileInfo(file, { ignorePath, resolveConfig: false });
    if (info.ignored) return text;
    const config = (await prettier.resolveConfig(file, { editorconfig: true })) ?? {};
    // The configuration's other plugins are loaded as prettier loads them (their options may be set);
    // this package's own name is dropped (it may not resolve where a pre-commit hook runs) and the plugin
    // goes last: Prettier takes a parser from the last plugin that has it.
    const plugins = [...(config.plugins ?? []).filter((p) => p !== PACKAGE_NAME), plugin];
    return prettier.format(text, { ...config, filepath: file, parser: "dockerfile", plugins });
  };
}

/** The core formatter with its defaults (no Prettier): keeps a byte-order mark and CRLF line endings. */
async function builtInFormatter(): Promise<Formatter> {
  const { formatText } = await import("../format/format.js");
  return async (text) => {
    await initShell(); // the formatter reads every RUN's shell
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    const body = bom ? text.slice(1) : text;
    const crlf = /\r\n/.test(body) && !/(^|[^\r])\n/.test(body);
    const out = formatText(body);
    return bom + (crlf ? out.replace(/\n/g, "\r\n") : out);
  };
}

