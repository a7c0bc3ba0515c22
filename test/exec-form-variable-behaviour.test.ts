/**
 * exec-form-variable's rewrites judged by the shells: every array its fixes
 * write over its fixtures (`["/bin/sh", "-c", "exec ...", ...]`) is run with
 * dash and with bash in place of /bin/sh, in a scratch folder whose PATH
 * holds only stub programs that record their argv, with a value for every
 * variable the words name (values with blanks and quotes, so a word that
 * splits or loses quoting shows). The program must receive the words of the
 * exec-form array it replaced, each variable replaced by its value; an
 * ENTRYPOINT's rewrite must pass on the CMD's words after them (`"$@"`).
 * A dozen shell processes: well under a second.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildModel, initShell } from "../src/index.js";
import { fixSync } from "../src/codemod/fix.js";
import { healthcheckParts, jsonArrayValue, type Command } from "../src/model/command.js";
import { fixtureCases } from "./helpers.js";

/** The shells by path: the runs' PATH holds only the stubs. */
const SHELLS = ["dash", "bash"]
  .map((s) => spawnSync("sh", ["-c", `command -v ${s}`], { encoding: "utf8" }).stdout.trim())
  .filter((p) => p !== "" && spawnSync(p, ["-c", "exit 0"]).status === 0);
let dir = "";

beforeAll(async () => {
  await initShell();
  dir = mkdtempSync(join(tmpdir(), "exec-form-variable-"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The exec-form array of a CMD, ENTRYPOINT, RUN, or the one after HEALTHCHECK's CMD word. */
function arrayOf(c: Command): string[] | null {
  const text = c.keyword === "HEALTHCHECK" ? (healthcheckParts(c.args)?.rest ?? "") : c.args;
  const v = jsonArrayValue(text);
  return v && v.every((w) => typeof w === "string") ? (v as string[]) : null;
}

/** A value for each variable: blanks, quotes and a glob in it, so word splitting or a lost quote would show. */
const valueOf = (name: string) => `${name.toLowerCase()} value 'q' "d" *`;

/** The words with `$NAME` and `${NAME}` replaced by their values (the fixtures use no other form). */
function expanded(word: string, names: string[]): string {
  let out = word;
  for (const n of [...names].sort((a, b) => b.length - a.length)) out = out.split(`\${${n}}`).join(valueOf(n)).split(`$${n}`).join(valueOf(n));
  return out;
}

describe("exec-form-variable's rewrites, run by dash and bash", () => {
  test.skipIf(SHELLS.length === 0)("the program receives the array's words with the variables' values", () => {
    let runs = 0;
    for (const c of fixtureCases("rules/exec-form-variable")) {
      const result = fixSync(c.input, { select: ["exec-form-variable"], unsafeFixes: true });
      if (result.fixes.length === 0) continue;
      const before = buildModel(c.input);
      const after = buildModel(result.output);
      for (const applied of result.fixes) {
        const instr = before.instructions.find((i) => i.startLine + 1 === applied.line)!;
        const was = arrayOf(instr.command)!;
        const now = arrayOf(after.instructions[instr.index]!.command)!;
        expect(now.slice(0, 2), c.name).toEqual(["/bin/sh", "-c"]);
        // the names the exec-form words held (JSON strings, not shell text)
        const names = [...was.join(" ").matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
        const cmdArgs = instr.command.keyword === "ENTRYPOINT" ? ["--from-cmd", "two words"] : [];
        const program = was[0]!;
        const stub = join(dir, program);
        writeFileSync(stub, `#!/bin/sh\nprintf '%s\\0' "$@" > "${dir}/argv"\n`);
        chmodSync(stub, 0o755);
        const env: Record<string, string> = { PATH: dir };
        for (const n of names) env[n] = valueOf(n);
        for (const shell of SHELLS) {
          writeFileSync(join(dir, "argv"), "");
          const r = spawnSync(shell, [...now.slice(1), ...cmdArgs], { env, encoding: "utf8" });
          expect(r.status, `${c.name} ${shell}: ${r.stderr}`).toBe(0);
          const argv = spawnSync("cat", [join(dir, "argv")], { encoding: "utf8" }).stdout.split("\0").slice(0, -1);
          expect(argv, `${c.name} line ${applied.line} under ${shell}`).toEqual([...was.slice(1).map((w) => expanded(w, names)), ...cmdArgs]);
          runs++;
        }
      }
    }
    expect(runs).toBeGreaterThanOrEqual(2 * SHELLS.length);
  });
});
