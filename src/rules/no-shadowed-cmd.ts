import type { Instruction } from "../model/model.js";
import { attachedCommentsStart, buildkitAccepts, inputLine, isBlankLine, keywordSpan, lineEndWithEol, lineStart, suppressedRules } from "./helpers.js";
import type { Finding, Rule, RuleContext } from "./types.js";

const ID = "no-shadowed-cmd";
const OVERRIDABLE = ["CMD", "ENTRYPOINT", "HEALTHCHECK"] as const;

/** Comments that silence a linter for the next instruction only: they go with it. */
const SUPPRESSES_NEXT = /^#\s*(hadolint\s+ignore=|dockerfile-codemod\s+ignore=|noqa\b|tally\s+ignore=)/i;

export const noShadowedCmd: Rule = {
  id: ID,
  summary: "Remove a CMD, ENTRYPOINT or HEALTHCHECK that a later one in the same stage overrides",
  safety: "safe",
  buildkit: ["MultipleInstructionsDisallowed"],
  hadolint: ["DL4003", "DL4004", "DL3012"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Finds a CMD, ENTRYPOINT or HEALTHCHECK followed by another of the same kind in the same build stage, and removes the earlier one.",
    why:
      "Only the last one of each kind in a stage takes effect; the earlier one is dead code that readers take for the real command (hadolint DL4003/DL4004, BuildKit's MultipleInstructionsDisallowed check).",
    example: 'FROM python:3.12\nCMD ["python", "-m", "http.server"]\nCMD ["python", "app.py"]',
    useInstead: 'FROM python:3.12\nCMD ["python", "app.py"]',
    fixSafety:
      "Safe: the image configuration is the same, because the later instruction overwrites the earlier one. The history loses one metadata entry. Comments above the removed instruction are kept, except linter suppressions that targeted it alone. A suppression of the rule (ours, `# hadolint ignore=DL4003`, `# check=skip=MultipleInstructionsDisallowed`) keeps the instruction when it is above it or above the next instruction of its kind in the stage: BuildKit and hadolint report the duplicate while reading that next one, so their suppressions are written there.",
    facts: [
      "A CMD is dead only when a later top-level CMD follows in the same stage, with no FROM between; an ENTRYPOINT between them changes nothing (the later CMD overwrites what the ENTRYPOINT reset).",
      "Never dead: the last CMD of any stage (a later stage may build FROM it, or --target may pick it), ONBUILD CMD (runs in a child image), HEALTHCHECK CMD (part of HEALTHCHECK).",
      "An ENTRYPOINT clears an inherited CMD unless a CMD was already set earlier in the same stage, so removing an earlier CMD that a later CMD overrides never changes the final CMD.",
      "The same holds for ENTRYPOINT and HEALTHCHECK: the last one in the stage wins.",
      "BuildKit's instruction parser rejects a CMD or ENTRYPOINT with flags, and a HEALTHCHECK that is not `NONE` alone or `CMD` with a command and valid flags: such an instruction fails the build even when overridden, so it is left for the user (removing it would make a failing build pass).",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const stage of model.stages) {
      for (const kind of OVERRIDABLE) {
        const all = stage.instructions.filter((i) => i.command.keyword === kind);
        for (let k = 0; k < all.length - 1; k++) {
          const dead = all[k]!;
          if (suppressedRules(model, dead).has(ID)) continue;
          // one BuildKit rejects fails the build: removing it would make the build pass
          if (!buildkitAccepts(dead.command)) continue;
          const winner = all[all.length - 1]!;
          findings.push({
            rule: ID,
            line: dead.startLine + 1,
            column: 1,
            span: keywordSpan(model, dead),
            instruction: dead.index,
            // BuildKit and hadolint report it as the next one of its kind is read: a suppression above that one protects this one
            suppressedFrom: [all[k + 1]!.index],
            // the line in the file as written: earlier removals in this run do not count
            message: `${kind} is overridden by the ${kind} on line ${inputLine(ctx, winner.startLine)} in the same stage`,
            fix: {
              safety: "safe",
              description: `remove the overridden ${kind}`,
              edits: [removeInstruction(ctx, dead)],
              declares: { removed: [dead.index], replaced: new Map() },
            },
          });
        }
      }
    }
    return findings;
  },
};

/** Removes every physical line of the instruction and the suppression comments directly above it. */
function removeInstruction(ctx: RuleContext, instr: Instruction): { start: number; end: number; text: string } {
  const { model } = ctx;
  let first = instr.startLine;
  const commentsFrom = attachedCommentsStart(model, instr);
  // attachedCommentsStart stops at anything but a top-level comment line (never a heredoc body line)
  for (let l = instr.startLine - 1; l >= commentsFrom; l--) {
    if (SUPPRESSES_NEXT.test(model.lines[l]!.text.trim())) first = l;
    else break;
  }
  // a blank line on each side of what is removed: one of them goes too
  if (first > 0 && isBlankLine(model, first - 1) && instr.endLine + 1 < model.lines.length && isBlankLine(model, instr.endLine + 1)) first--;
  return { start: lineStart(model, first), end: lineEndWithEol(model, instr.endLine), text: "" };
}
