/**
 * app-run-at-build-time: the final stage starts the application with RUN
 * (`RUN python main.py`) and has no CMD or ENTRYPOINT of its own, the
 * mistake Docker's documentation calls the most common one. Read from the
 * shell syntax tree; reported, with turning the RUN into an exec-form CMD as
 * an unsafe fix where the RUN is one simple command of literal words.
 */
import { shellKindOf } from "../meaning/meaning.js";
import type { Instruction, Stage } from "../model/model.js";
import { execFormText, planExecForm, programNeedsShell } from "./cmd-exec-form.js";
import { Inheritance, argsLogicalOffset, expectedKey, inputLine, logicalSpan, isPlainPosixShell, lineEndWithEol, lineStart, shTree, suppressedRules } from "./helpers.js";
import { applicationStart, lastForegroundCommand } from "./started-processes.js";
import type { Finding, Fix, RegisteredRule, RuleContext } from "./types.js";

const ID = "app-run-at-build-time";

/** Instructions after the RUN that change what a CMD in its place would run with. */
const CHANGES_RUNTIME = new Set(["WORKDIR", "USER", "ENV"]);

/** A RUN of the final stage that starts the application, and the command that does, as written. */
export interface AppStartRun {
  instr: Instruction;
  command: string;
  /** Where the command is in the RUN's arguments (offsets of `instr.command.args`). */
  start: number;
  end: number;
}

/** The build's final stage (the one `docker build` builds without `--target`), or null for a file without FROM. */
function finalStage(stages: readonly Stage[]): Stage | null {
  const last = stages[stages.length - 1];
  return last && last.from !== -1 ? last : null;
}

/**
 * The RUN this rule reports (none or one): the last RUN of the final stage,
 * when the stage has no CMD or ENTRYPOINT of its own and the RUN's last
 * command (the last top-level statement, not backgrounded, ending an `&&`
 * chain) starts the application (see applicationStart). run-starts-server
 * leaves it to this rule.
 */
export function appStartRuns(ctx: RuleContext): AppStartRun[] {
  const { model } = ctx;
  const stage = finalStage(model.stages);
  if (!stage) return [];
  if (stage.instructions.some((i) => i.command.keyword === "CMD" || i.command.keyword === "ENTRYPOINT")) return [];
  // the stage's last RUN: one followed by other RUNs is more likely a build step (and a server there keeps the build waiting: run-starts-server's)
  const instr = [...stage.instructions].reverse().find((i) => i.command.keyword === "RUN");
  if (!instr) return [];
  const cmd = instr.command;
  if (cmd.json || cmd.args === "" || instr.heredocs.length > 0) return [];
  if (shellKindOf(ctx.shells[instr.index] ?? null, model.escape) !== "posix") return [];
  const tree = shTree(cmd.args);
  if (!tree) return [];
  const last = lastForegroundCommand(tree.root);
  return last && applicationStart(last, tree.literal) ? [{ instr, command: last.text, start: last.start, end: last.end }] : [];
}

export const appRunAtBuildTime: RegisteredRule = {
  id: ID,
  summary: "Report a RUN of the final stage that starts the application when the stage has no CMD or ENTRYPOINT: it ran once at build time (the fix to CMD is unsafe)",
  safety: "unsafe",
  buildkit: [],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports the last RUN of the final stage (the one `docker build` builds without `--target`) when the stage has no CMD or ENTRYPOINT of its own and the RUN's last command starts the application: a script or module named as the application and run by its interpreter (`python main.py`, `python -m app`, `node server.js`, `ruby app.rb`, `./start.sh`, `sh docker-entrypoint.sh`), `java -jar app.jar` (a jar named as the application), `dotnet App.dll`, `go run .` (or a package named as the application), `cargo run`, or a server that stays in the foreground (`uvicorn`, `gunicorn`, `flask run`, `npm start`, `rails server`, `python -m http.server`, everything run-starts-server knows but `sleep infinity` and `tail -f`, which keep a container alive and are no application; run-starts-server then leaves the RUN to this rule). An earlier RUN is not judged: one followed by other RUNs is more likely a build step. What builds or installs is left alone: scripts not named as the application (`setup.py install`, `build.js`, `download_models.py`, `./configure`, `install.sh`), `npm run build`, `npm ci`, `pip install`, `manage.py collectstatic` or `migrate`, tests (`pytest`, `npm test`, `go test`), compilers, `python -c`, `node -e`, `--version` and `--help`; a command followed by others in the RUN, backgrounded, in a pipeline or after `||` is not judged. On by default. With `--unsafe-fixes`, a RUN that is one simple command of literal words, with no RUN flags, is rewritten as `CMD [\"program\", \"arg\", ...]`.",
    why:
      "RUN runs while the image is built, once, and its process ends with the build step; only CMD and ENTRYPOINT say what the container runs. With neither in the final stage, `docker run` starts what the stage inherits (the base image's CMD, such as `python3` or `node`, which exits at once without a terminal) and the application never runs; a server started by RUN keeps the build waiting instead (Docker's documentation: `RUN python main.py` runs at build time, not when the container starts, \"the most common mistake\").",
    example: "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN python main.py",
    useInstead: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "main.py"]',
    fixSafety:
      "Unsafe: the command no longer runs during the build (if it was a build step after all, the image loses what it made) and the container now runs it as its main process, replacing the CMD the base image gave. Offered only when the RUN is one simple command of literal words (cmd-exec-form's exec-form reading, confirmed by the quote scan and again by the fix engine), the SHELL in effect is a plain `sh -c`, the RUN has no flags (`--mount`, `--network`, ... exist only at build time), no WORKDIR, USER or ENV after it in the stage changes what the command would run with, the stage inherits no ENTRYPOINT from an earlier stage of the file (it would receive the words as arguments; a base image's own ENTRYPOINT is not in the file, and one that does not run its arguments as a command would too), and the program is not a file from the build context that may need the shell to start (a script without `#!`, as cmd-exec-form checks). Otherwise reported without a fix. A RUN also sees the build arguments (ARG) in its environment, a CMD does not: a program that reads one behaves differently.",
    facts: [
      "RUN executes during the build; the build step ends when its command exits (BuildKit waits for it).",
      "CMD and ENTRYPOINT set what the container runs when it starts; a stage without them keeps what it inherits: the CMD and ENTRYPOINT of the stage or image it is built FROM.",
      "`docker build` without `--target` builds the last stage of the file: its configuration is the image's.",
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; the array must hold exactly the words /bin/sh passes to the program (two readings must agree: tree-sitter-bash's and the quote scan's).",
      "ARG values are in the environment of RUN only, never in the container's; ENV, WORKDIR and USER set at the end of the stage are what a CMD runs with.",
      "The shell text is read as a tree-sitter-bash syntax tree: the last top-level statement, not ended by `&`, whose `&&` chain ends in a simple command whose program and deciding words are literal, is the command judged.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    const inheritance = new Inheritance(ctx);
    for (const { instr, command, start, end } of appStartRuns(ctx)) {
      if (suppressedRules(model, instr).has(ID)) continue;
      const shown = command.length > 60 ? `${command.slice(0, 57)}...` : command;
      const head = `RUN starts the application (\`${shown}\`) while the image is built, and the final stage has no CMD or ENTRYPOINT: it ran once at build time, and the container runs what the stage inherits instead`;
      const planned = cmdFix(ctx, inheritance, instr);
      // the command that starts the application, in the RUN's shell text
      const argsAt = argsLogicalOffset(instr);
      findings.push({
        rule: ID,
        line: instr.startLine + 1,
        column: 1,
        span: logicalSpan(model, instr, argsAt + start, argsAt + end),
        instruction: instr.index,
        message: "fix" in planned ? `${head}; start it with ${planned.cmd}` : `${head}; start it with CMD (no fix: ${planned.refusal})`,
        fix: "fix" in planned ? planned.fix : null,
      });
    }
    return findings;
  },
};

/** The RUN rewritten as an exec-form CMD, or why it is not. */
function cmdFix(ctx: RuleContext, inheritance: Inheritance, instr: Instruction): { fix: Fix; cmd: string } | { refusal: string } {
  const { model } = ctx;
  if (instr.command.flags.length > 0) return { refusal: `the RUN has flags (${instr.command.flags.join(" ")}) that exist only at build time` };
  const shells = inheritance.shellsFor(instr);
  if (shells.length !== 1 || !isPlainPosixShell(shells[0]!, model)) return { refusal: "the SHELL in effect is not a plain POSIX `sh -c`" };
  const shell = shells[0]!;
  const stage = model.stages[instr.stage]!;
  // an inherited ENTRYPOINT would receive the words as its arguments
  const inherited = inheritance.startEntrypoints(stage).find((e) => e.kind !== "none");
  if (inherited) {
    const at = inherited.instruction === null ? "" : ` on line ${inputLine(ctx, model.instructions[inherited.instruction]!.startLine)}`;
    return { refusal: `the stage inherits the ENTRYPOINT${at}, which would receive the command as its arguments` };
  }
  const later = stage.instructions.find((i) => i.index > instr.index && CHANGES_RUNTIME.has(i.command.keyword));
  if (later) return { refusal: `the ${later.command.keyword} on line ${inputLine(ctx, later.startLine)} changes what the command would run with` };
  const plan = planExecForm(instr.command.args, shell ?? undefined);
  if (!plan || plan.unsafeReason !== null) return { refusal: "the RUN is not one simple command of literal words" };
  if (plan.refusal) return { refusal: plan.refusal };
  const needsShell = programNeedsShell(ctx, instr, plan.args[0]!);
  if (needsShell) return { refusal: needsShell };
  const json = `[${plan.args.map((a) => JSON.stringify(a)).join(", ")}]`;
  const raw = instr.command.keywordRaw;
  const keyword = raw === raw.toLowerCase() ? "cmd" : "CMD";
  const text = execFormText(model, instr, json, plan.comment, keyword);
  if (text === null) return { refusal: "a comment would have to move above the first instruction" };
  const expected = expectedKey(model, { ...instr.command, keywordRaw: keyword, keyword: "CMD", flags: [], args: json, json: plan.args }, shell, instr.startLine);
  return {
    cmd: `CMD ${json}`,
    fix: {
      safety: "unsafe",
      description: `rewrite the RUN as CMD ${json}`,
      edits: [{ start: lineStart(model, instr.startLine), end: lineEndWithEol(model, instr.endLine), text: text + model.lines[instr.endLine]!.eol }],
      declares: { removed: [], replaced: new Map([[instr.index, expected]]) },
    },
  };
}
