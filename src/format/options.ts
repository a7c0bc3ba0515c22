/**
 * The formatter's options: as the core API and Prettier name them, their
 * defaults, and the resolved form the printers read.
 */

export type ShellLayout = "auto" | "preserve";
export type OperatorPosition = "end" | "start";

export interface FormatOptions {
  /** Spaces per indent level (Prettier's tabWidth). */
  tabWidth?: number;
  useTabs?: boolean;
  printWidth?: number;
  /** Verify that the output means what the input meant (default true). */
  verify?: boolean;
  /** "auto" (default) lays out long RUN commands; "preserve" keeps the user's line breaks inside RUN. */
  shellLayout?: ShellLayout;
  /** The Prettier option's name for `shellLayout` (fixture option files may use either). */
  dockerfileShellLayout?: ShellLayout;
  /** Where `&&` and `||` go when a RUN breaks next to them: "end" (default, ` && \`) or "start" (`\` + `&& cmd`). */
  operatorPosition?: OperatorPosition;
  /** The Prettier option's name for `operatorPosition`. */
  dockerfileOperatorPosition?: OperatorPosition;
}

/** What the printers read. */
export interface LayoutOptions {
  /** One level of indentation: a tab or tabWidth spaces. */
  indent: string;
  /** Columns a tab counts for when a line's width is measured. */
  tabWidth: number;
  printWidth: number;
  /** "auto": lay out long RUN commands (run-layout.ts); "preserve": keep the user's line breaks. */
  shellLayout: ShellLayout;
  operatorPosition: OperatorPosition;
}

export const DEFAULT_TAB_WIDTH = 4;
export const DEFAULT_PRINT_WIDTH = 80;

export function resolveOptions(options: FormatOptions): LayoutOptions {
  const tabWidth = Math.max(0, options.tabWidth ?? DEFAULT_TAB_WIDTH);
  return {
    indent: options.useTabs ? "\t" : " ".repeat(tabWidth),
    tabWidth,
    printWidth: options.printWidth ?? DEFAULT_PRINT_WIDTH,
    shellLayout: choice("dockerfileShellLayout", options.shellLayout ?? options.dockerfileShellLayout, ["auto", "preserve"]),
    operatorPosition: choice("dockerfileOperatorPosition", options.operatorPosition ?? options.dockerfileOperatorPosition, ["end", "start"]),
  };
}

function choice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (value === undefined) return choices[0]!;
  if (!choices.includes(value as T)) {
    throw new Error(`${name} must be ${choices.map((c) => JSON.stringify(c)).join(" or ")}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}
