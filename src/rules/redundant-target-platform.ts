/** redundant-target-platform: `FROM --platform=$TARGETPLATFORM image` written `FROM image` (an unsafe fix). */
import type { Instruction } from "../model/model.js";
import { parseWords } from "../model/command.js";
import { expectedKey, instructionHead, keywordSpan, logicalEditsToSource, logicalSpan, suppressedRules } from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "redundant-target-platform";
const REDUNDANT = new Set(["--platform=$TARGETPLATFORM", "--platform=${TARGETPLATFORM}"]);

const UNSAFE_REASON =
  "without the flag BuildKit may build the stage for the base image's own platform (when `docker build` is given no --platform and the image has a single platform that the builder can run), and a `--build-arg TARGETPLATFORM=...` no longer applies to this FROM";

/** A global ARG (before the first FROM) that declares TARGETPLATFORM: then `$TARGETPLATFORM` is the file's, not the build's. */
function redeclared(ctx: RuleContext): boolean {
  for (const instr of ctx.model.instructions) {
    if (instr.command.keyword === "FROM") break;
    if (instr.command.keyword !== "ARG") continue;
    for (const w of parseWords(instr.command.args, ctx.model.escape)) if (w.split("=", 1)[0] === "TARGETPLATFORM") return true;
  }
  return false;
}

/** End (logical offset) of the content line a logical offset is on. */
function segmentEnd(instr: Instruction, offset: number): number {
  let acc = 0;
  for (const l of instr.lines) {
    if (l.kind !== "content") continue;
    acc += l.segment.length;
    if (offset < acc) return acc;
  }
  return acc;
}

export const redundantTargetPlatform: RegisteredRule = {
  id: ID,
  summary: "Remove `--platform=$TARGETPLATFORM` from FROM: it is the platform BuildKit builds for anyway (an unsafe fix)",
  safety: "unsafe",
  buildkit: ["RedundantTargetPlatform"],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Finds `FROM --platform=$TARGETPLATFORM image` (or `${TARGETPLATFORM}`) and, with --unsafe-fixes, removes the flag. On by default: it reports, as BuildKit's RedundantTargetPlatform check does in every build; its fix is unsafe, applied only with --unsafe-fixes.",
    why: "Every stage is built for the target platform unless its FROM says otherwise, so the flag repeats the default and BuildKit warns about it (RedundantTargetPlatform); readers take it for a cross-compilation setting it is not.",
    example: "FROM --platform=$TARGETPLATFORM alpine\nRUN apk add curl",
    useInstead: "FROM alpine\nRUN apk add curl",
    fixSafety:
      "Unsafe. BuildKit does not treat the two spellings the same in two cases the file cannot show: when `docker build` is given no --platform, a FROM without the flag lets BuildKit pick a single-platform base image's own platform (autoDetectPlatform) where the flag pins the builder's; and `--build-arg TARGETPLATFORM=...` changes what the flag names but not the default. Never offered when a global ARG declares TARGETPLATFORM (then the variable is the file's value), nor when the FROM has another flag (a second `--platform` or an unknown flag fails the build; removing one could make it pass).",
    facts: [
      "dockerfile2llb/validations.go reportRedundantTargetPlatform: the warning fires when TARGETPLATFORM is the only variable the --platform value expands and the result equals TARGETPLATFORM's value.",
      "dockerfile2llb/convert.go: with --platform, the stage's platform is platforms.Parse of the expanded value; without it, the stage's platform is nil, and resolveBaseImage uses the target platform, except that with no target platform requested (implicitTarget) it calls autoDetectPlatform, which takes the image config's OS and architecture when a build platform matches them.",
      "dockerfile2llb/convert.go defaultArgs: TARGETPLATFORM is platforms.FormatAll(target platform), unless a build argument of that name overrides it.",
      "instructions/bflag.go: a FROM with `--platform` twice fails (duplicate flag specified), so does one with a flag FROM does not define.",
      "A FROM sees only the global ARGs (those before the first FROM): `ARG TARGETPLATFORM=...` there changes what `$TARGETPLATFORM` means in FROM.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    let fileDeclares: boolean | null = null;
    for (const instr of model.instructions) {
      if (instr.command.keyword !== "FROM") continue;
      const k = instr.command.flags.findIndex((f) => REDUNDANT.has(f));
      // another flag (a second --platform, an unknown one) fails the build: removing this one could make it pass
      if (k === -1 || instr.command.flags.length !== 1 || suppressedRules(model, instr).has(ID)) continue;
      fileDeclares ??= redeclared(ctx);
      if (fileDeclares) continue;
      const flag = instr.command.flags[k]!;
      const word = instructionHead(model, instr)?.flagWords[k];
      // the flag word
      const where = { rule: ID, line: instr.startLine + 1, column: 1, span: word ? logicalSpan(model, instr, word.start, word.end) : keywordSpan(model, instr), instruction: instr.index };
      if (!word) {
        findings.push({ ...where, message: `${flag} is the default platform (not fixed: the flags could not be located)`, fix: null });
        continue;
      }
      // the flag and the blanks after it, on its own line (a continuation stays where it is)
      const lineEnd = segmentEnd(instr, word.start);
      let end = word.end;
      while (end < lineEnd && (instr.logical[end] === " " || instr.logical[end] === "\t")) end++;
      const flags = instr.command.flags.filter((_, i) => i !== k);
      const key = expectedKey(model, { ...instr.command, flags }, ctx.shells[instr.index] ?? null, instr.startLine);
      findings.push({
        ...where,
        message: `${flag} repeats the default (every stage is built for the target platform); removing it is an unsafe fix: ${UNSAFE_REASON}`,
        fix: {
          safety: "unsafe",
          description: `remove ${flag}`,
          edits: logicalEditsToSource(model, instr, [{ start: word.start, end, text: "" }]),
          declares: { removed: [], replaced: new Map([[instr.index, key]]) },
        },
      });
    }
    return findings;
  },
};
