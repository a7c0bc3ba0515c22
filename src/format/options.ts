/**
 * The formatter's options: as the core API and Prettier name them, their
 * defaults, and the resolved form the printers read.
 */
import type { DockerfileModel } from "../model/model.js";
import { detectStyle, type IndentUnit, type OperatorSide } from "./detect-style.js";

export type ShellLayout = "auto" | "preserve";
export type OperatorPosition = OperatorSide;
/** `dockerfileIndent`: follow the file ("auto"), or one level is a tab, 2 or 4 spaces. */
export type IndentChoice = "auto" | IndentUnit;
export type OperatorPositionChoice = "auto" | OperatorPosition;

export const INDENT_CHOICES: readonly IndentChoice[] = ["auto", "tab", "2", "4"];
export const OPERATOR_POSITION_CHOICES: readonly OperatorPositionChoice[] = ["auto", "end", "start"];

export interface FormatOptions {
  /**
   * One level of indentation of continuation lines: "auto" (the default) follows the file's own
   * unit where it is consistent (detect-style.ts), else FALLBACK_INDENT; "tab", "2" or "4" pin it.
   * Prettier's `useTabs` and `tabWidth` are not read (see docs/style.md).
   */
  indent?: IndentChoice;
  /** The Prettier option's name for `indent`. */
  dockerfileIndent?: IndentChoice;
  /**
   * Core API only (the plugin never passes Prettier's tabWidth on: a project's .prettierrc is written for its
   * JavaScript): where `indent` is not given, `tabWidth: n` pins n spaces, as `indent: "2"` or `"4"` does.
   */
  tabWidth?: number;
  /** Core API only, as tabWidth: where `indent` is not given, `useTabs: true` pins tabs, as `indent: "tab"` does. */
  useTabs?: boolean;
  printWidth?: number;
  /** Verify that the output means what the input meant (default true). */
  verify?: boolean;
  /** "auto" (default) lays out long RUN commands; "preserve" keeps the user's line breaks inside RUN. */
  shellLayout?: ShellLayout;
  /** The Prettier option's name for `shellLayout` (fixture option files may use either). */
  dockerfileShellLayout?: ShellLayout;
  /**
   * Where `&&` and `||` go when a RUN breaks next to them: "auto" (default) follows the file where it
   * is consistent, else FALLBACK_OPERATOR_POSITION; "end" (` && \`) or "start" (`\` + `&& cmd`) pin it.
   */
  operatorPosition?: OperatorPositionChoice;
  /** The Prettier option's name for `operatorPosition`. */
  dockerfileOperatorPosition?: OperatorPositionChoice;
}

/** What the printers read. */
export interface LayoutOptions {
  /** One level of indentation: a tab or 2 or 4 spaces. */
  indent: string;
  /** Columns a tab counts for when a line's width is measured, and columns of one level of the user's indentation. */
  tabWidth: number;
  printWidth: number;
  /** "auto": lay out long RUN commands (run-layout.ts); "preserve": keep the user's line breaks. */
  shellLayout: ShellLayout;
  operatorPosition: OperatorPosition;
}

/** Columns a tab counts for under `indent: "tab"`. */
export const DEFAULT_TAB_WIDTH = 4;
export const DEFAULT_PRINT_WIDTH = 80;
/** What "auto" uses where the file shows no consistent unit (docs/style.md has the corpus figures behind it). */
export const FALLBACK_INDENT: IndentUnit = "4";
/** What "auto" uses where the file shows no consistent operator position (docs/style.md). */
export const FALLBACK_OPERATOR_POSITION: OperatorPosition = "start";

/**
 * The options the printers read. With "auto" (the default of both), the file's own style where
 * `model` shows one consistently, the fallback otherwise; without a model, the fallback.
 */
export function resolveOptions(options: FormatOptions, model?: DockerfileModel): LayoutOptions {
  const given = options.indent ?? options.dockerfileIndent;
  const indentChoice = given !== undefined || !(options.useTabs || options.tabWidth !== undefined) ? choice("dockerfileIndent", given, INDENT_CHOICES) : null;
  const operatorChoice = choice("dockerfileOperatorPosition", options.operatorPosition ?? options.dockerfileOperatorPosition, OPERATOR_POSITION_CHOICES);
  const detected = model && (indentChoice === "auto" || operatorChoice === "auto") ? detectStyle(model) : null;
  const unit =
    indentChoice === null ? (options.useTabs ? "tab" : Math.max(0, options.tabWidth!)) : indentChoice === "auto" ? (detected?.indent ?? FALLBACK_INDENT) : indentChoice;
  const operatorPosition = operatorChoice === "auto" ? (detected?.operatorPosition ?? FALLBACK_OPERATOR_POSITION) : operatorChoice;
  const tabWidth = unit === "tab" ? (options.tabWidth ?? DEFAULT_TAB_WIDTH) : Number(unit);
  return {
    indent: unit === "tab" ? "\t" : " ".repeat(tabWidth),
    tabWidth,
    printWidth: options.printWidth ?? DEFAULT_PRINT_WIDTH,
    shellLayout: choice("dockerfileShellLayout", options.shellLayout ?? options.dockerfileShellLayout, ["auto", "preserve"]),
    operatorPosition,
  };
}

function choice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (value === undefined) return choices[0]!;
  if (!choices.includes(value as T)) {
    throw new Error(`${name} must be ${choices.map((c) => JSON.stringify(c)).join(" or ")}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}
