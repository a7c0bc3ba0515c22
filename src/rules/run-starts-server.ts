/**
 * run-starts-server: a RUN whose last command starts a server (or anything
 * that never exits) in the foreground, the classic "RUN python -m
 * http.server" mistake. Read from the shell syntax tree; reported only.
 */
import { shellKindOf } from "../meaning/meaning.js";
import { shellTree } from "../shell/tree.js";
import { argsLogicalOffset, logicalSpan, suppressedRules } from "./helpers.js";
import { appStartRuns } from "./app-run-at-build-time.js";
import { foregroundServer, lastForegroundCommand } from "./started-processes.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "run-starts-server";

export const runStartsServer: RegisteredRule = {
  id: ID,
  summary: "Report a RUN that starts a server (or anything that never exits) in the foreground: it belongs in CMD or ENTRYPOINT",
  safety: "none",
  buildkit: [],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports a RUN whose last command starts, in the foreground, a known server or a command that never exits: `nginx -g 'daemon off;'`, `httpd -DFOREGROUND`, `python -m http.server`, `python manage.py runserver`, `flask run`, `uvicorn`, `gunicorn`, `npm start`, `rails server`, `php -S`, `jupyter notebook`, `sshd -D`, `redis-server`, `sleep infinity`, `tail -f`, ..., also behind `exec` or `bundle exec`. A command that is backgrounded (`&`), followed by other commands, in a pipeline or after `||` is not reported (a service that detaches, or a job left in the background, is service-started-in-run's). A RUN that app-run-at-build-time reports (the final stage's application, with no CMD or ENTRYPOINT in the stage) is left to it, so no RUN is reported twice. Reported only, never fixed. On by default: such a RUN never ends, so the build hangs, and the server never runs in the container.",
    why:
      "RUN runs while the image is built, not when the container starts: a server started there keeps the build waiting until it times out or is cancelled, and nothing of it runs in the container (the classic `RUN python main.py` mistake). The command that starts the container's process is CMD or ENTRYPOINT.",
    example: "FROM python:3.12\nCOPY . /app\nRUN python -m http.server 8000\nCMD [\"python\", \"app.py\"]",
    useInstead: 'FROM python:3.12\nCOPY . /app\nCMD ["python", "-m", "http.server", "8000"]',
    fixSafety:
      "No fix: moving the command to CMD changes what the container runs (and replaces any CMD the file or its base image has), and a RUN that is meant to stop (a server started to warm a cache, with a timeout the rule cannot see) would be broken. Only the user knows which was meant.",
    facts: [
      "RUN executes during the build; the build step ends when its command exits (BuildKit waits for it).",
      "CMD and ENTRYPOINT set what the container runs when it starts; a stage's last CMD wins.",
      "The shell text is read as a tree-sitter-bash syntax tree: the last top-level statement, not ended by `&`, whose `&&` chain ends in a simple command of literal words (later arguments may use variables), is the command judged.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    // the final stage's application, started by RUN with no CMD or ENTRYPOINT: app-run-at-build-time reports it (on by default)
    const apps = new Set(appStartRuns(ctx).map((a) => a.instr.index));
    for (const instr of model.instructions) {
      const cmd = instr.command;
      if (apps.has(instr.index)) continue;
      if (cmd.keyword !== "RUN" || cmd.json || cmd.args === "" || instr.heredocs.length > 0) continue;
      if (shellKindOf(ctx.shells[instr.index] ?? null, model.escape) !== "posix" || suppressedRules(model, instr).has(ID)) continue;
      const root = shellTree(cmd.args);
      const last = lastForegroundCommand(root);
      const server = last ? foregroundServer(last) : null;
      if (!server) continue;
      const shown = server.length > 60 ? `${server.slice(0, 57)}...` : server;
      // the command that starts the server, in the RUN's shell text
      const argsAt = argsLogicalOffset(instr);
      findings.push({
        rule: ID,
        line: instr.startLine + 1,
        column: 1,
        span: logicalSpan(model, instr, argsAt + last!.start, argsAt + last!.end),
        instruction: instr.index,
        message: `RUN ends by starting \`${shown}\` in the foreground: the build waits for it and the container never runs it; start it from CMD or ENTRYPOINT (no fix: that changes what the container runs)`,
        fix: null,
      });
    }
    return findings;
  },
};
