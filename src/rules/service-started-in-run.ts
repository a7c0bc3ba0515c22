/**
 * service-started-in-run: a RUN that ends by starting a service
 * (`service nginx start`, `systemctl start`, `/etc/init.d/... start`, a bare
 * `nginx`) or by sending a command to the background (`cmd &`): the process
 * is killed when the RUN ends and never runs in the container. Read from the
 * shell syntax tree; reported only.
 */
import { shellKindOf } from "../meaning/meaning.js";
import { argsLogicalOffset, logicalSpan, shTree, suppressedRules } from "./helpers.js";
import { backgroundedAtEnd, lastForegroundCommand, serviceStart } from "./started-processes.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "service-started-in-run";

/** The command as shown in a message: on one line, blanks squeezed (display only), at most 60 characters. */
const shorten = (text: string) => {
  const one = text.replace(/\s+/g, " ");
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
};

export const serviceStartedInRun: RegisteredRule = {
  id: ID,
  summary: "Report a RUN that ends by starting a service or a background job: it stops with the RUN and never runs in the container",
  safety: "none",
  buildkit: [],
  hadolint: ["DL3001"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports a RUN whose last command starts a service that detaches (`service nginx start`, `systemctl start nginx`, `/etc/init.d/nginx start`, `rc-service`, `invoke-rc.d`, a bare `nginx`, `apachectl start`, `httpd -k start`, `pg_ctl start`, `redis-server --daemonize yes`, `php-fpm -D`, `sshd` or `cron` without their foreground flags, also after `sudo`), or that ends by sending a command to the background (`cmd &`). A service started and then used in the same RUN (`service mysql start && mysql < schema.sql`) is left alone, as are stops, status queries, configuration tests (`nginx -t`) and `systemctl enable` (a configuration step). A server that stays in the foreground is run-starts-server's (the build waits for it; off by default), or app-run-at-build-time's when it is the final stage's application: the three never report the same RUN. On by default; reported only, never fixed. hadolint's DL3001 reports every `service` in a RUN, so its suppression silences this rule too.",
    why:
      "A RUN's processes live only as long as the build step: when its command exits, BuildKit ends the step and every process still running in it is killed. A service started there, or a job left in the background, is not running when the container starts (Docker's documentation: a service started by RUN, `service nginx start`, does not survive into the container); only what CMD or ENTRYPOINT starts runs there.",
    example: "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nginx\nRUN service nginx start",
    useInstead: 'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nginx\nCMD ["nginx", "-g", "daemon off;"]',
    fixSafety:
      "No fix: what runs in the container is CMD or ENTRYPOINT, and the program that a service script starts (and the flags that keep it in the foreground) is not in the Dockerfile. Only the user knows the command the container should run.",
    facts: [
      "RUN executes during the build; the build step ends when its command exits, and the processes left in its container end with it: nothing started by RUN runs in the container.",
      "CMD and ENTRYPOINT set what the container runs when it starts.",
      "`service`, `systemctl start`, init scripts, `nginx` (without `daemon off;`), `apachectl start`, `pg_ctl start` and the like start a daemon that detaches from the command, which then exits: the RUN goes on, the daemon is killed at its end.",
      "The shell text is read as a tree-sitter-bash syntax tree: the last top-level statement ended by `&`, or the simple command that ends the `&&` chain of the last top-level statement, is the command judged.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      const cmd = instr.command;
      if (cmd.keyword !== "RUN" || cmd.json || cmd.args === "" || instr.heredocs.length > 0) continue;
      if (shellKindOf(ctx.shells[instr.index] ?? null, model.escape) !== "posix" || suppressedRules(model, instr).has(ID)) continue;
      const tree = shTree(cmd.args);
      if (!tree) continue;
      const background = backgroundedAtEnd(tree.root);
      const last = background ? null : lastForegroundCommand(tree.root);
      const service = last ? serviceStart(last, tree.literal) : null;
      let message: string;
      if (background) message = `RUN ends by sending \`${shorten(background.text)}\` to the background: it is killed when the RUN ends and never runs in the container; start it from CMD or ENTRYPOINT (no fix)`;
      else if (service) message = `RUN ends by starting the service \`${shorten(service)}\`: it stops when the RUN ends and is not running in the container; start its program in the foreground from CMD or ENTRYPOINT (no fix)`;
      else continue;
      // the command sent to the background, or the one that starts the service, in the RUN's shell text
      const node = background ?? last!;
      const argsAt = argsLogicalOffset(instr);
      findings.push({ rule: ID, line: instr.startLine + 1, column: 1, span: logicalSpan(model, instr, argsAt + node.start, argsAt + node.end), instruction: instr.index, message, fix: null });
    }
    return findings;
  },
};
