/**
 * run-starts-server: a RUN whose last command starts a server (or anything
 * that never exits) in the foreground, the classic "RUN python -m
 * http.server" mistake. Read from the shell syntax tree; reported only.
 */
import { shellKindOf } from "../meaning/meaning.js";
import { andOrChain, asSimpleCommand, literalWord, shellTree, topLevelStatements, walk, type ShellNode } from "../shell/tree.js";
import { argsLogicalOffset, logicalSpan, suppressedRules } from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "run-starts-server";

/** Arguments that make a server program print something and exit. */
const EXITS = new Set(["--version", "-v", "-V", "--help", "-h", "version", "help", "--check-config", "-t", "--test", "--test-memory"]);

type Matcher = (args: string[]) => boolean;

const noExitFlag: Matcher = (args) => !args.some((a) => EXITS.has(a));
const firstArgIn = (...subs: string[]): Matcher => (args) => args.length > 0 && subs.includes(args[0]!) && noExitFlag(args.slice(1));
const hasFlag = (...flags: string[]): Matcher => (args) => args.some((a) => flags.includes(a));
const not = (...flags: string[]): Matcher => (args) => noExitFlag(args) && !args.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));

/** `-D FOREGROUND` or `-DFOREGROUND`. */
const apacheForeground: Matcher = (args) => args.some((a, i) => a === "-DFOREGROUND" || (a === "-D" && args[i + 1] === "FOREGROUND"));
/** `-g 'daemon off;'` (nginx reads its directives from -g). */
const nginxForeground: Matcher = (args) => args.some((a, i) => a === "-g" && /(^|;)\s*daemon\s+off\s*;/.test(args[i + 1] ?? ""));

/** Programs that serve in the foreground, and when they do. */
const SERVERS: Record<string, Matcher> = {
  nginx: nginxForeground,
  httpd: apacheForeground,
  apache2: apacheForeground,
  apachectl: apacheForeground,
  apache2ctl: apacheForeground,
  "httpd-foreground": () => true,
  "apache2-foreground": () => true,
  flask: firstArgIn("run"),
  uvicorn: (args) => args.length > 0 && noExitFlag(args),
  gunicorn: (args) => args.length > 0 && noExitFlag(args),
  hypercorn: (args) => args.length > 0 && noExitFlag(args),
  daphne: (args) => args.length > 0 && noExitFlag(args),
  "waitress-serve": (args) => args.length > 0 && noExitFlag(args),
  rails: firstArgIn("server", "s"),
  puma: noExitFlag,
  jupyter: firstArgIn("notebook", "lab", "server"),
  "jupyter-notebook": noExitFlag,
  "jupyter-lab": noExitFlag,
  streamlit: firstArgIn("run"),
  hugo: firstArgIn("server", "serve"),
  jekyll: firstArgIn("serve", "s", "server"),
  mkdocs: firstArgIn("serve"),
  ng: firstArgIn("serve", "s"),
  next: firstArgIn("start", "dev"),
  "http-server": noExitFlag,
  "catalina.sh": firstArgIn("run"),
  sshd: hasFlag("-D"),
  cron: hasFlag("-f"),
  crond: hasFlag("-f", "-n"),
  supervisord: hasFlag("-n", "--nodaemon"),
  "redis-server": not("--daemonize"),
  memcached: not("-d", "--daemon"),
  caddy: firstArgIn("run"),
  "grafana-server": noExitFlag,
  sleep: (args) => args.length === 1 && (args[0] === "infinity" || args[0] === "inf"),
  tail: (args) => args.some((a) => a === "-f" || a === "-F" || a === "--follow" || a.startsWith("--follow=")),
};

/** `npm start`, `yarn start`, `npm run start|serve|dev`, ...: the package's server script. */
function packageScript(name: string, args: string[]): boolean {
  if (name !== "npm" && name !== "yarn" && name !== "pnpm") return false;
  const rest = args.filter((a) => !a.startsWith("-"));
  if (rest[0] === "start") return true;
  return (rest[0] === "run" || rest[0] === "run-script") && ["start", "serve", "dev"].includes(rest[1] ?? "");
}

/** `python -m http.server`, `python manage.py runserver`, `python -m flask run`, `php -S`, `php artisan serve`, `mvn spring-boot:run`, `gradle bootRun`. */
function interpreterServer(name: string, args: string[]): boolean {
  if (/^python[0-9.]*$/.test(name)) {
    const m = args.indexOf("-m");
    if (m !== -1) {
      const mod = args[m + 1];
      const after = args.slice(m + 2);
      if (mod === "http.server" || mod === "SimpleHTTPServer") return noExitFlag(after);
      if (mod === "flask") return after[0] === "run";
      if (mod === "uvicorn" || mod === "gunicorn" || mod === "hypercorn") return after.length > 0 && noExitFlag(after);
      return false;
    }
    return /(^|\/)manage\.py$/.test(args[0] ?? "") && args[1] === "runserver";
  }
  if (name === "php") return args.includes("-S") || (/(^|\/)artisan$/.test(args[0] ?? "") && args[1] === "serve");
  if (name === "mvn" || name === "mvnw") return args.includes("spring-boot:run");
  if (name === "gradle" || name === "gradlew") return args.includes("bootRun");
  return false;
}

/** The command a word list runs, with `exec` and `bundle exec` taken off. */
function unwrap(values: string[]): string[] {
  let v = values;
  for (;;) {
    if (v[0] === "exec") v = v.slice(1);
    else if (v[0] === "bundle" && v[1] === "exec") v = v.slice(2);
    else return v;
  }
}

/** What a simple command starts in the foreground that does not exit, as written (`nginx -g 'daemon off;'`), or null. */
export function foregroundServer(node: ShellNode): string | null {
  const cmd = asSimpleCommand(node);
  if (!cmd || cmd.words.length === 0) return null;
  const literal = cmd.words.map(literalWord);
  // the program and the words that decide: literal; later arguments may be anything
  const firstUnknown = literal.indexOf(null);
  const known = (firstUnknown === -1 ? literal : literal.slice(0, firstUnknown)) as string[];
  const words = unwrap(known);
  if (words.length === 0) return null;
  const name = words[0]!.split("/").pop()!;
  const args = words.slice(1);
  const complete = firstUnknown === -1;
  let hit = false;
  if (packageScript(name, args) || interpreterServer(name, args)) hit = true;
  else if (Object.hasOwn(SERVERS, name)) hit = SERVERS[name]!(args) && (complete || name === "uvicorn" || name === "gunicorn");
  return hit ? node.text : null;
}

/**
 * The last command of a shell script when it runs in the foreground and
 * nothing follows it: the last top-level statement, not backgrounded,
 * whose `&&` chain ends in a simple command (pipelines, `||` and compound
 * commands are not judged).
 */
export function lastForegroundCommand(root: ShellNode): ShellNode | null {
  const statements = topLevelStatements(root);
  if (!statements || statements.length === 0) return null;
  const last = statements[statements.length - 1]!;
  if (last.separator === "&") return null;
  for (const n of walk(last.node)) if (n.type === "&" || n.type === "coproc") return null;
  const { items, operators } = andOrChain(last.node);
  if (operators.some((o) => o !== "&&")) return null;
  const tail = items[items.length - 1]!;
  if (tail.type !== "command" && tail.type !== "redirected_statement") return null;
  return tail;
}

export const runStartsServer: RegisteredRule = {
  id: ID,
  summary: "Report a RUN that starts a server (or anything that never exits) in the foreground: it belongs in CMD or ENTRYPOINT",
  safety: "none",
  buildkit: [],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports a RUN whose last command starts, in the foreground, a known server or a command that never exits: `nginx -g 'daemon off;'`, `httpd -DFOREGROUND`, `python -m http.server`, `python manage.py runserver`, `flask run`, `uvicorn`, `gunicorn`, `npm start`, `rails server`, `php -S`, `jupyter notebook`, `sshd -D`, `redis-server`, `sleep infinity`, `tail -f`, ..., also behind `exec` or `bundle exec`. A command that is backgrounded (`&`), followed by other commands, in a pipeline or after `||` is not reported. Reported only, never fixed. On by default: such a RUN never ends, so the build hangs, and the server never runs in the container.",
    why:
      "RUN runs while the image is built, not when the container starts: a server started there keeps the build waiting until it times out or is cancelled, and nothing of it runs in the container (the classic `RUN python main.py` mistake). The command that starts the container's process is CMD or ENTRYPOINT.",
    example: "FROM python:3.12\nCOPY . /app\nRUN python -m http.server 8000",
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
    for (const instr of model.instructions) {
      const cmd = instr.command;
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
