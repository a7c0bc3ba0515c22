/** Colours for terminal output: only on a terminal, never with NO_COLOR set. */
export interface Style {
  path: (s: string) => string;
  rule: (s: string) => string;
  error: (s: string) => string;
  warn: (s: string) => string;
  dim: (s: string) => string;
}

export function createStyle(isTTY: boolean, env: NodeJS.ProcessEnv): Style {
  const on = isTTY && !("NO_COLOR" in env && env.NO_COLOR !== "") && env.TERM !== "dumb";
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { path: wrap("1"), rule: wrap("31"), error: wrap("1;31"), warn: wrap("33"), dim: wrap("2") };
}
