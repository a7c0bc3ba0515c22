/** maintainer-deprecated: `MAINTAINER name` written as the OCI authors label (an unsafe fix). */
import type { EscapeChar } from "../model/command.js";
import { parseNameVal } from "../model/command.js";
import { LexError, UnsupportedExpansion, processWord } from "../model/lex.js";
import {
  applyLogicalEdits,
  argsLogicalOffset,
  expectedKey,
  keywordSpan,
  logicalEditsToSource,
  logicalRangeCrossesDroppedLine,
  suppressedRules,
  type LogicalEdit,
} from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "maintainer-deprecated";
export const AUTHORS_LABEL = "org.opencontainers.image.authors";

/** Edits (offsets into the text) that make `"text"` expand to `text` in BuildKit's lexer: an escape before `"`, `$` and the escape character. */
function literalInDoubleQuotes(text: string, escape: EscapeChar): LogicalEdit[] {
  const edits: LogicalEdit[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "$" || ch === escape) edits.push({ start: i, end: i, text: escape });
  }
  return edits;
}

/** Whether a LABEL key reads as the authors label, or might (a key that cannot be expanded here). */
function mayBeAuthorsKey(key: string, escape: EscapeChar): boolean {
  if (key === AUTHORS_LABEL) return true;
  if (!/["'$\\`]/.test(key)) return false;
  try {
    return processWord(key, { escape }).result === AUTHORS_LABEL;
  } catch (e) {
    if (e instanceof LexError || e instanceof UnsupportedExpansion) return true;
    throw e;
  }
}

export const maintainerDeprecated: RegisteredRule = {
  id: ID,
  summary: `Write MAINTAINER as LABEL ${AUTHORS_LABEL}="..." (an unsafe fix: the image's Author field is no longer set)`,
  safety: "unsafe",
  buildkit: ["MaintainerDeprecated"],
  hadolint: ["DL4000"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      `Reports the deprecated MAINTAINER instruction and, with --unsafe-fixes, rewrites \`MAINTAINER Jane <jane@example.com>\` as \`LABEL ${AUTHORS_LABEL}="Jane <jane@example.com>"\`, the value quoted so BuildKit stores exactly the text MAINTAINER had. On by default: it reports, as BuildKit's MaintainerDeprecated check does in every build; its fix is unsafe, applied only with --unsafe-fixes.`,
    why: "MAINTAINER is deprecated (BuildKit's MaintainerDeprecated, hadolint DL4000); the OCI annotation label is where tools look for an image's authors.",
    example: "FROM alpine\nMAINTAINER Jane Doe <jane@example.com>",
    useInstead: `FROM alpine\nLABEL ${AUTHORS_LABEL}="Jane Doe <jane@example.com>"`,
    fixSafety:
      `Unsafe: the image's Author field (docker inspect's .Author, set only by MAINTAINER) is no longer set, the image gains the label instead (replacing one inherited from the base image), and the history entry changes. Not offered when the stage already sets the ${AUTHORS_LABEL} label (the two would fight over it), for ONBUILD MAINTAINER, and where a comment line inside the instruction sits in the text that changes.`,
    facts: [
      "dockerfile2llb/convert.go dispatchMaintainer sets image.Author to the MAINTAINER text as written (MaintainerCommand has no variable expansion) and commits `MAINTAINER text` to the history.",
      "LABEL values are expanded (LabelCommand.Expand with ProcessWord), so the text is put in double quotes with an escape before each `\"`, `$` and escape character: ProcessWord then gives the text back unchanged (checked with the model's lexer before the fix is offered).",
      "A later LABEL with the same key overrides an earlier one; labels are inherited from the base image.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      const cmd = instr.command;
      if (cmd.keyword !== "MAINTAINER" || cmd.args === "" || suppressedRules(model, instr).has(ID)) continue;
      const where = { rule: ID, line: instr.startLine + 1, column: 1, span: keywordSpan(model, instr), instruction: instr.index };
      const report = (why: string) => findings.push({ ...where, message: `MAINTAINER is deprecated: use LABEL ${AUTHORS_LABEL}="..." (not fixed: ${why})`, fix: null });
      const stage = model.stages[instr.stage]!;
      const labelled = stage.instructions.some(
        (i) => i.command.keyword === "LABEL" && parseNameVal(i.command.args, "LABEL", model.escape).some((p) => mayBeAuthorsKey(p.name, model.escape)),
      );
      if (labelled) {
        report(`the stage sets the ${AUTHORS_LABEL} label already`);
        continue;
      }
      const keyword = cmd.keywordRaw === cmd.keywordRaw.toLowerCase() ? "label" : "LABEL";
      const argsAt = argsLogicalOffset(instr);
      const argEdits = literalInDoubleQuotes(cmd.args, model.escape);
      const head: LogicalEdit = { start: 0, end: argsAt, text: `${keyword} ${AUTHORS_LABEL}="` };
      const edits: LogicalEdit[] = [head, ...argEdits.map((e) => ({ ...e, start: argsAt + e.start, end: argsAt + e.end })), { start: argsAt + cmd.args.length, end: argsAt + cmd.args.length, text: '"' }];
      if (logicalRangeCrossesDroppedLine(instr, 0, argsAt)) {
        report("a comment line inside the instruction sits where the text changes");
        continue;
      }
      const value = `"${applyLogicalEdits(cmd.args, 0, argEdits)}"`;
      const args = `${AUTHORS_LABEL}=${value}`;
      let same = false;
      try {
        same = processWord(value, { escape: model.escape }).result === cmd.args && parseNameVal(args, "LABEL", model.escape).length === 1;
      } catch (e) {
        if (!(e instanceof LexError)) throw e;
      }
      if (!same) {
        report("no quoting keeps the text");
        continue;
      }
      const label = { ...cmd, keywordRaw: keyword, keyword: "LABEL", args, json: null };
      findings.push({
        ...where,
        message: `MAINTAINER is deprecated: write LABEL ${AUTHORS_LABEL}=${value.length > 60 ? `${value.slice(0, 57)}..."` : value}; an unsafe fix: the image's Author field is no longer set`,
        fix: {
          safety: "unsafe",
          description: `rewrite as LABEL ${AUTHORS_LABEL}=...`,
          edits: logicalEditsToSource(model, instr, edits),
          declares: { removed: [], replaced: new Map([[instr.index, expectedKey(model, label, ctx.shells[instr.index] ?? null, instr.startLine)]]) },
        },
      });
    }
    return findings;
  },
};
