/**
 * Colours for terminal output, per stream: `--color auto` (the default) uses
 * them on a terminal whose TERM is not "dumb", never with NO_COLOR set
 * (https://no-color.org) and always with FORCE_COLOR set (except "0" or
 * "false"); `--color always` and `--color never` decide alone.
 */
export interface Style {
  path: (s: string) => string;
  rule: (s: string) => string;
  error: (s: string) => string;
  warn: (s: string) => string;
  dim: (s: string) => string;
  fixable: (s: string) => string;
}

export type ColorChoice = "auto" | "always" | "never";
export const COLOR_CHOICES: readonly ColorChoice[] = ["auto", "always", "never"];

export function colorEnabled(choice: ColorChoice, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (choice !== "auto") return choice === "always";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return isTTY && env.TERM !== "dumb";
}

export function createStyle(isTTY: boolean, env: NodeJS.ProcessEnv, choice: ColorChoice = "auto"): Style {
  const on = colorEnabled(choice, isTTY, env);
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { path: wrap("1"), rule: wrap("31"), error: wrap("1;31"), warn: wrap("33"), dim: wrap("2"), fixable: wrap("36") };
}
