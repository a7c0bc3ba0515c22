/** Reading suppression comments: ours, hadolint's and BuildKit's, mapped to rules by their codes. */
import { describe, expect, test } from "vitest";
import { buildModel } from "../src/model/model.js";
import { isSuppressed, readSuppressions, type RuleCodes } from "../src/codemod/suppressions.js";
import { fix } from "../src/codemod/index.js";

const RULES: RuleCodes[] = [
  { id: "cmd-exec-form", buildkit: ["JSONArgsRecommended"], hadolint: ["DL3025"] },
  { id: "no-shadowed-cmd", buildkit: ["MultipleInstructionsDisallowed"], hadolint: ["DL4003", "DL4004"] },
  { id: "apt-lists-not-removed", hadolint: ["DL3009"] },
];

function read(text: string) {
  const model = buildModel(text);
  const s = readSuppressions(model, RULES);
  const off = (instruction: number) => RULES.map((r) => r.id).filter((id) => isSuppressed(s, instruction, id));
  return { s, off, model };
}

describe("suppressions", () => {
  test("ours above an instruction; all; the global form for the whole file", () => {
    const { off } = read("FROM a\n# dockerfile-codemod ignore=cmd-exec-form\nCMD x\nCMD y\n# dockerfile-codemod ignore=all\nRUN z\n");
    expect(off(1)).toEqual(["cmd-exec-form"]);
    expect(off(2)).toEqual([]);
    expect(off(3)).toEqual(["cmd-exec-form", "no-shadowed-cmd", "apt-lists-not-removed"]);
    const global = read("FROM a\nCMD x\n# dockerfile-codemod global ignore=no-shadowed-cmd,apt-lists-not-removed\n");
    expect(global.off(1)).toEqual(["no-shadowed-cmd", "apt-lists-not-removed"]);
  });

  test("ours takes hadolint codes and BuildKit check names too, in any case, as --ignore does", () => {
    const { off, s } = read("FROM a\n# dockerfile-codemod ignore=DL3025\nCMD x\n# dockerfile-codemod ignore=multipleinstructionsdisallowed,DL3008\nCMD y\n");
    expect(off(1)).toEqual(["cmd-exec-form"]);
    expect(off(2)).toEqual(["no-shadowed-cmd"]);
    expect(s.warnings).toEqual([]);
  });

  test("hadolint's line and global forms, mapped through the rules' hadolint codes", () => {
    const { off } = read("FROM a\n# hadolint ignore=DL3025,DL3008\nCMD x\nCMD y\n");
    expect(off(1)).toEqual(["cmd-exec-form"]);
    expect(off(2)).toEqual([]);
    expect(read("# hadolint global ignore=DL4003\nFROM a\nCMD x\n").off(1)).toEqual(["no-shadowed-cmd"]);
  });

  test("a blank line ends the comment block above an instruction", () => {
    expect(read("FROM a\n# hadolint ignore=DL3025\n\nCMD x\n").off(1)).toEqual([]);
    expect(read("FROM a\n# hadolint ignore=DL3025\n# the command\nCMD x\n").off(1)).toEqual(["cmd-exec-form"]);
  });

  test("BuildKit's check=skip directive for the file (skip=all too), and as a comment for one instruction", () => {
    expect(read("# check=skip=JSONArgsRecommended;error=true\nFROM a\nCMD x\n").off(1)).toEqual(["cmd-exec-form"]);
    expect(read("# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\nCMD x\n").off(1)).toEqual(["cmd-exec-form", "no-shadowed-cmd", "apt-lists-not-removed"]);
    // after the directives (a comment, not a directive): that instruction only, a blank line between or not
    const local = read("FROM a\n# check=skip=MultipleInstructionsDisallowed // one CMD is enough\n\nCMD x\nCMD y\n");
    expect(local.off(1)).toEqual(["no-shadowed-cmd"]);
    expect(local.off(2)).toEqual([]);
  });

  test("unknown names are warnings with their line", () => {
    const { s } = read("FROM a\n# dockerfile-codemod ignore=cmd-exec-frm\nCMD x\n# hadolint ignore=XYZ1\n# check=skip=JSONArgs\nCMD y\n");
    expect(s.warnings).toEqual([
      { line: 2, message: 'dockerfile-codemod ignore: unknown rule "cmd-exec-frm"' },
      { line: 4, message: 'hadolint ignore: unknown code "XYZ1"' },
      { line: 5, message: 'check=skip: unknown BuildKit check "JSONArgs"' },
    ]);
  });

  test("text inside a heredoc is no suppression", () => {
    expect(read("FROM a\nRUN cat <<EOF\n# hadolint global ignore=DL3025\nEOF\nCMD x\n").off(2)).toEqual([]);
  });

  test("a finding its linters report at a later instruction is silenced by that instruction's suppressions too (no-shadowed-cmd)", async () => {
    const shadowed = (above: string, between: string) => `FROM a\n${above}CMD ["x"]\n${between}CMD ["y"]\n`;
    const suppressions = ["# hadolint ignore=DL4003\n", "# check=skip=MultipleInstructionsDisallowed\n", "# dockerfile-codemod ignore=no-shadowed-cmd\n"];
    for (const s of suppressions) {
      // above the overriding CMD, where hadolint and BuildKit report the duplicate
      const later = await fix(shadowed("", s), { select: ["no-shadowed-cmd"] });
      expect([later.output, later.remaining]).toEqual([shadowed("", s), []]);
    }
    // above the overridden CMD itself: ours (and hadolint's) keep working
    for (const s of [suppressions[0]!, suppressions[2]!]) expect((await fix(shadowed(s, ""), { select: ["no-shadowed-cmd"] })).output).toBe(shadowed(s, ""));
    // no suppression: removed
    expect((await fix(shadowed("", ""), { select: ["no-shadowed-cmd"] })).output).toBe('FROM a\nCMD ["y"]\n');
  });
});
