/** The core library: model, formatter, meaning check. The Prettier plugin and the codemod are built on it. */
export { buildModel, type DockerfileModel, type Instruction, type Stage, type Command } from "./model/model.js";
export { DockerfileSyntaxError } from "./model/scan.js";
export { meaningOf, compareMeanings, type FileMeaning, type MeaningDifference } from "./meaning/meaning.js";
export { formatModel, formatText, printModel, MeaningChangedError, type FormatOptions } from "./format/format.js";
export { initShell } from "./shell/bash.js";
export { fix, type FixOptions, type FixResult, type AppliedFix, type ReportedFinding } from "./codemod/index.js";
export { RULES } from "./rules/index.js";
export { isDockerfileName } from "./names.js";
