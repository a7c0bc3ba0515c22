/**
 * The core library: model, formatter, meaning check. The Prettier plugin and the codemod are built on it.
 *
 * The declarations of this entry point must not reach web-tree-sitter's: its
 * types need @types/emscripten, which a consumer does not have, and fail to
 * compile with `skipLibCheck: false` (test/package.test.ts compiles a
 * consumer). So initShell is declared here rather than re-exported from
 * shell/bash.ts, whose declarations import web-tree-sitter's Tree.
 */
import { initShell as loadShell } from "./shell/bash.js";

export { buildModel, type DockerfileModel, type Instruction, type Stage, type Command } from "./model/model.js";
export { DockerfileSyntaxError } from "./model/scan.js";
export { meaningOf, compareMeanings, type FileMeaning, type MeaningDifference } from "./meaning/meaning.js";
export { formatModel, formatText, printModel, MeaningChangedError, type FormatOptions } from "./format/format.js";
export { detectStyle, FOLLOW_SHARE, type DetectedStyle } from "./format/detect-style.js";
export { fix, type FixOptions, type FixResult, type AppliedFix, type ReportedFinding } from "./codemod/index.js";
export { RULES } from "./rules/index.js";
export { isDockerfileName } from "./names.js";

/** Loads the WASM runtime and the bash grammar, once per process: await it before formatting, fixing or reading a meaning. */
export function initShell(): Promise<void> {
  return loadShell();
}
