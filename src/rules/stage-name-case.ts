/**
 * stage-name-case: `FROM image AS Builder` written `AS builder`, with the
 * references BuildKit finds without regard to case (`COPY --from=`,
 * `RUN --mount=from=`) written the same way.
 */
import type { Instruction } from "../model/model.js";
import { goEqualFoldAscii, goToLower } from "../model/go.js";
import { argsLogicalOffset, argsSpan, expectedKey, inputLine, instructionHead, logicalEditsToSource, logicalSpan, suppressedRules, whitespaceWords, type LogicalEdit } from "./helpers.js";
import type { Edit, Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "stage-name-case";

/** instructions/parse.go validStageName, applied to the lower-cased name. */
const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** The `AS name` word of a FROM: the name as written and where it is in the arguments. */
function stageNameWord(instr: Instruction): { word: string; start: number; end: number } | null {
  if (instr.command.keyword !== "FROM") return null;
  const words = whitespaceWords(instr.command.args);
  if (words.length !== 3 || !goEqualFoldAscii(words[1]!.word, "as")) return null;
  return words[2]!;
}

interface Reference {
  instr: Instruction;
  edits: LogicalEdit[];
  /** The instruction's flags after the edit. */
  flags: string[];
}

/**
 * The `--from=NAME` flag of a COPY, or the `from=NAME` field of a RUN
 * `--mount`, naming the stage in another case: the edit that lower-cases
 * it, where the flag is written plainly (no quotes, escapes or `$`).
 */
function flagReferences(ctx: RuleContext, instr: Instruction, lower: string): { ref: Reference | null; unchanged: boolean } {
  const kw = instr.command.keyword;
  if (kw !== "COPY" && kw !== "RUN") return { ref: null, unchanged: false };
  const head = instructionHead(ctx.model, instr);
  const flags = [...instr.command.flags];
  const edits: LogicalEdit[] = [];
  let unchanged = false;
  for (let k = 0; k < flags.length; k++) {
    const flag = flags[k]!;
    if (flag === "--") break;
    const names: { at: number; value: string }[] = [];
    if (kw === "COPY" && flag.startsWith("--from=")) names.push({ at: "--from=".length, value: flag.slice("--from=".length) });
    if (kw === "RUN" && flag.startsWith("--mount=")) {
      let at = "--mount=".length;
      for (const field of flag.slice(at).split(",")) {
        const eq = field.indexOf("=");
        if (eq !== -1 && field.slice(0, eq).toLowerCase() === "from") names.push({ at: at + eq + 1, value: field.slice(eq + 1) });
        at += field.length + 1;
      }
    }
    for (const n of names) {
      if (n.value === lower || goToLower(n.value) !== lower) continue;
      const word = head?.flagWords[k];
      // the flag as written must be the flag BuildKit reads (no quotes or escapes) to be edited in place
      if (!head || !word || instr.logical.slice(word.start, word.end) !== flag) {
        unchanged = true;
        continue;
      }
      edits.push({ start: word.start + n.at, end: word.start + n.at + n.value.length, text: lower });
      flags[k] = flag.slice(0, n.at) + lower + flag.slice(n.at + n.value.length);
    }
  }
  return { ref: edits.length > 0 ? { instr, edits, flags } : null, unchanged };
}

export const stageNameCase: RegisteredRule = {
  id: ID,
  summary: "Write a stage name in lower case (`AS Builder` as `AS builder`), as BuildKit stores it, with its `COPY --from` and `--mount=from` references",
  safety: "safe",
  buildkit: ["StageNameCasing"],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Lower-cases the name a FROM gives its stage, `FROM golang AS Builder` to `AS builder`, and the `COPY --from=Builder` and `RUN --mount=...,from=Builder` references that name it in another case. Reports, without a fix, a `FROM Builder` (written so or through a global ARG) that names an earlier stage in another case: BuildKit does not find the stage that way, so the build fails there, and writing `FROM builder` would make it pass. On by default.",
    why:
      "BuildKit stores stage names lower case and warns about other spellings (StageNameCasing). It looks `COPY --from` and `--mount=from` up without regard to case, but a FROM base exactly: `FROM Builder` after `AS Builder` does not build on that stage; it is read as an image name, which must be lower case, and the build fails. Writing the name as BuildKit stores it makes every reference look like what it is.",
    example: "FROM golang:1.22 AS Builder\nRUN go build -o /app .\nFROM scratch\nCOPY --from=Builder /app /app",
    useInstead: "FROM golang:1.22 AS builder\nRUN go build -o /app .\nFROM scratch\nCOPY --from=builder /app /app",
    fixSafety:
      "Safe: the stage keeps its name (BuildKit lower-cases it when it reads the file), `COPY --from` and `--mount=from` find the same stage (looked up lower case), and so do `--target` and named build contexts. Not fixed when the lower-cased name is also another stage's (which one the user meant is not clear), or when it is not a valid stage name (the build fails anyway). A `FROM` that names the stage in another case, or through a variable, is left and reported; flags with quotes or escapes are left (BuildKit finds the stage through them all the same). ONBUILD triggers are left: their `--from` names a stage of the child build.",
    facts: [
      "instructions/parse.go parseBuildStageName: the name after `AS` (compared without regard to case) is lower-cased with strings.ToLower and must match ^[a-z][a-z0-9-_.]*$; the StageNameCasing warning fires when the name as written differs from its lower case.",
      "dockerfile2llb/convert.go addState stores each stage under strings.ToLower(name) but looks a stage's base up with the exact, expanded FROM base name (statesByName[ds.stage.BaseName]); findStateByName, used for COPY --from, RUN --mount from=, and the --target stage, lower-cases the name first.",
      "A FROM base that names no stage is an image reference; reference.ParseNormalizedNamed rejects upper case in the repository name, so `FROM Builder` fails the build.",
      "COPY --from does not allow variable expansion (`variable expansion is not supported for --from`).",
      "Stage names reach the build only through these lookups and the progress output, which shows the lower-cased name.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    const named = model.stages.flatMap((s) => {
      const instr = s.from >= 0 ? model.instructions[s.from]! : null;
      const word = instr ? stageNameWord(instr) : null;
      return instr && word ? [{ stage: s, instr, word }] : [];
    });
    for (const { stage, instr, word } of named) {
      const name = word.word;
      const lower = goToLower(name);
      if (name === lower || !VALID_STAGE_NAME.test(lower) || suppressedRules(model, instr).has(ID)) continue;
      const nameAt = argsLogicalOffset(instr) + word.start;
      // the stage name: `Builder` in `FROM golang:1.23 AS Builder`
      const where = { rule: ID, line: instr.startLine + 1, column: 1, span: logicalSpan(model, instr, nameAt, nameAt + name.length), instruction: instr.index };
      const others = named.filter((n) => n.stage !== stage && goToLower(n.word.word) === lower);
      if (others.length > 0) {
        findings.push({
          ...where,
          message: `stage name "${name}" is not lower case (BuildKit stores it as "${lower}"), but the stage on line ${inputLine(ctx, others[0]!.instr.startLine)} has that name too: not fixed`,
          fix: null,
        });
        continue;
      }
      const notes: string[] = [];
      const refs: Reference[] = [];
      for (const other of model.instructions) {
        if (other === instr) continue;
        // a FROM that names the stage in another case does not find it: reported below, left as written
        if (other.command.keyword === "FROM") continue;
        const { ref, unchanged } = flagReferences(ctx, other, lower);
        if (ref) refs.push(ref);
        if (unchanged) notes.push(`the reference on line ${inputLine(ctx, other.startLine)} is quoted or escaped and left as written (BuildKit finds the stage through it all the same)`);
      }
      const edits: Edit[] = logicalEditsToSource(model, instr, [{ start: nameAt, end: nameAt + name.length, text: lower }]);
      const args = instr.command.args;
      const replaced = new Map<number, string>([
        [instr.index, keyOf(ctx, instr, { ...instr.command, args: args.slice(0, word.start) + lower + args.slice(word.end) })],
      ]);
      for (const r of refs) {
        edits.push(...logicalEditsToSource(model, r.instr, r.edits));
        replaced.set(r.instr.index, keyOf(ctx, r.instr, { ...r.instr.command, flags: r.flags }));
      }
      const refLines = refs.map((r) => inputLine(ctx, r.instr.startLine));
      findings.push({
        ...where,
        message:
          `stage name "${name}" is not lower case: BuildKit stores it as "${lower}"; write it so` +
          (refLines.length ? ` (and the references on line${refLines.length > 1 ? "s" : ""} ${refLines.join(", ")})` : "") +
          (notes.length ? `; ${notes.join("; ")}` : ""),
        fix: {
          safety: "safe",
          description: `rename the stage ${lower}`,
          edits,
          declares: { removed: [], replaced },
        },
      });
    }
    findings.push(...fromReferencesInAnotherCase(ctx));
    return findings;
  },
};

/**
 * FROM bases that name an earlier stage in another case (`FROM Builder`
 * after `AS builder` or `AS Builder`), as written or through a global ARG:
 * BuildKit looks a base up exactly, reads an image name, and fails on its
 * upper case. Reported, never fixed: the fix would make a failing build pass.
 */
function fromReferencesInAnotherCase(ctx: RuleContext): Finding[] {
  const { model } = ctx;
  const out: Finding[] = [];
  for (const stage of model.stages) {
    const base = stage.base;
    if (!base || base.resolved === null || stage.parent !== null || stage.from < 0) continue;
    const wanted = goToLower(base.resolved);
    if (wanted === base.resolved) continue;
    const target = model.stages.find((s) => s.index < stage.index && s.name === wanted);
    if (!target) continue;
    const instr = model.instructions[stage.from]!;
    if (suppressedRules(model, instr).has(ID)) continue;
    const through = base.written === base.resolved ? "" : ` (${base.written}, through the global ARGs)`;
    // the base as written: FROM's first word after its flags
    const baseWord = whitespaceWords(instr.command.args)[0];
    const argsAt = argsLogicalOffset(instr);
    out.push({
      rule: ID,
      line: instr.startLine + 1,
      column: 1,
      span: baseWord ? logicalSpan(model, instr, argsAt + baseWord.start, argsAt + baseWord.end) : argsSpan(model, instr),
      instruction: instr.index,
      message: `FROM ${base.resolved}${through} does not build on the stage "${wanted}" of line ${inputLine(ctx, model.instructions[target.from]!.startLine)}: BuildKit looks a FROM base up exactly (stage names are stored lower case), so it reads an image name, which must be lower case, and the build fails here. Not fixed (that would make a failing build pass): write FROM ${wanted} if you meant the stage`,
      fix: null,
    });
  }
  return out;
}

function keyOf(ctx: RuleContext, instr: Instruction, command: Instruction["command"]): string {
  return expectedKey(ctx.model, command, ctx.shells[instr.index] ?? null, instr.startLine);
}
