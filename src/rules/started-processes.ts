/**
 * What a command of a RUN starts, read from the shell syntax tree: a server
 * that stays in the foreground (run-starts-server), the application the
 * image is for (app-run-at-build-time), a service that detaches and dies
 * with the RUN (service-started-in-run). One place for what the three rules
 * know about programs, so they agree on it and never report one RUN twice.
 */
import { andOrChain, asSimpleCommand, literalWord, topLevelStatements, walk, type ShellNode, type Statement } from "../shell/tree.js";

/** A word's value with quoting removed, or null when the shell would expand it (see literalWord, and ShTree.literal). */
export type Literal = (node: ShellNode) => string | null;

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

/**
 * The program a simple command runs and its arguments, as far as they are
 * literal (`exec` and `bundle exec` taken off; the program by its file name),
 * and whether every word is: later arguments may use variables.
 */
export interface ProgramWords {
  /** The program's file name (`/usr/sbin/nginx` gives `nginx`). */
  name: string;
  /** The program as written, unquoted. */
  program: string;
  args: string[];
  complete: boolean;
}

export function programWords(node: ShellNode, literalOf: Literal = literalWord): ProgramWords | null {
  const cmd = asSimpleCommand(node);
  if (!cmd || cmd.words.length === 0) return null;
  const literal = cmd.words.map(literalOf);
  // the program and the words that decide: literal; later arguments may be anything
  const firstUnknown = literal.indexOf(null);
  const known = (firstUnknown === -1 ? literal : literal.slice(0, firstUnknown)) as string[];
  const words = unwrap(known);
  if (words.length === 0) return null;
  return { name: words[0]!.split("/").pop()!, program: words[0]!, args: words.slice(1), complete: firstUnknown === -1 };
}

/** What a simple command starts in the foreground that does not exit, as written (`nginx -g 'daemon off;'`), or null. */
export function foregroundServer(node: ShellNode, literalOf: Literal = literalWord): string | null {
  const p = programWords(node, literalOf);
  if (!p) return null;
  const { name, args, complete } = p;
  let hit = false;
  if (packageScript(name, args) || interpreterServer(name, args)) hit = true;
  else if (Object.hasOwn(SERVERS, name)) hit = SERVERS[name]!(args) && (complete || name === "uvicorn" || name === "gunicorn");
  return hit ? node.text : null;
}

/** The top-level statements of a script but its comments (`cmd # note` ends with `cmd`). */
function commandStatements(root: ShellNode): Statement[] | null {
  return topLevelStatements(root)?.filter((s) => s.node.type !== "comment") ?? null;
}

/**
 * The last command of a shell script when it runs in the foreground and
 * nothing follows it (but a comment): the last top-level statement, not backgrounded,
 * whose `&&` chain ends in a simple command (pipelines, `||` and compound
 * commands are not judged).
 */
export function lastForegroundCommand(root: ShellNode): ShellNode | null {
  const statements = commandStatements(root);
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

/**
 * File names (without extension, lower case, `_` read as `-`) of a script
 * or module that is the application itself: `main.py`, `server.js`,
 * `app.rb`, `./start.sh`, `docker-entrypoint.sh`. Anything else run by an
 * interpreter (`setup.py`, `build.js`, `download_models.py`, `./configure`,
 * `install.sh`) may be a build step, and is not judged: a miss costs less
 * than a false report.
 */
const APP_NAMES: ReadonlySet<string> = new Set([
  "main", "app", "application", "server", "serve", "run", "start", "bot", "api", "web", "wsgi", "asgi",
  "run-server", "start-server", "run-app", "start-app", "runserver", "startup", "launch", "boot",
  "entrypoint", "docker-entrypoint", "start-service", "run-service",
]);

/**
 * Arguments that make an application's script do a build step: `python
 * main.py migrate`, `./run.sh build`, `node server.js --init`. The command
 * is then not judged.
 */
const BUILD_WORDS: ReadonlySet<string> = new Set([
  "build", "install", "setup", "test", "tests", "check", "lint", "migrate", "makemigrations", "collectstatic", "compile",
  "download", "fetch", "generate", "gen", "init", "initdb", "prepare", "seed", "bootstrap", "precompile", "warmup", "export",
  "--build", "--install", "--setup", "--test", "--check", "--init", "--dry-run", "--download", "--generate", "--compile", "--prepare", "--warmup", "--export",
]);

/** A file's name without directory and extension, lower case, `_` read as `-`; with its extension. */
function stemOf(file: string): { stem: string; ext: string } {
  const base = file.split("/").pop()!.toLowerCase().replaceAll("_", "-");
  const dot = base.lastIndexOf(".");
  return dot > 0 ? { stem: base.slice(0, dot), ext: base.slice(dot + 1) } : { stem: base, ext: "" };
}

const isAppFile = (file: string, exts: readonly string[]) => {
  const { stem, ext } = stemOf(file);
  return exts.includes(ext) && APP_NAMES.has(stem);
};

/** Interpreters, the extensions of the scripts they run, the options that make them run something else or exit, and the options that take a value. */
interface Interpreter {
  exts: readonly string[];
  /** Options after which the interpreter does not run the script (inline code, a syntax check, a version). */
  other: ReadonlySet<string>;
  /** Options whose value is the next word. */
  valued: ReadonlySet<string>;
}

const PYTHON: Interpreter = { exts: ["py"], other: new Set(["-c", "-V", "--version", "-h", "--help"]), valued: new Set(["-W", "-X", "-m"]) };
const NODE: Interpreter = {
  exts: ["js", "mjs", "cjs", "ts"],
  other: new Set(["-e", "--eval", "-p", "--print", "-c", "--check", "--test", "-v", "--version", "-h", "--help"]),
  valued: new Set(["-r", "--require", "--import", "--loader", "--env-file"]),
};
const INTERPRETERS: Record<string, Interpreter> = {
  node: NODE,
  nodejs: NODE,
  nodemon: NODE,
  "ts-node": NODE,
  tsx: NODE,
  ruby: { exts: ["rb"], other: new Set(["-e", "-c", "-v", "--version", "-h", "--help"]), valued: new Set(["-r", "-I"]) },
  php: { exts: ["php"], other: new Set(["-r", "-l", "-v", "--version", "-h", "--help", "-i", "-m"]), valued: new Set(["-d", "-c", "-f"]) },
  sh: { exts: ["sh"], other: new Set(["-c", "-n"]), valued: new Set(["-o"]) },
  bash: { exts: ["sh", "bash"], other: new Set(["-c", "-n", "--version", "--help"]), valued: new Set(["-o"]) },
};

const interpreterOf = (name: string): Interpreter | null =>
  /^python[0-9.]*$/.test(name) || /^pypy[0-9.]*$/.test(name) ? PYTHON : Object.hasOwn(INTERPRETERS, name) ? INTERPRETERS[name]! : null;

/** The script an interpreter runs (its first word that is not an option or an option's value), or null when it runs something else. */
function scriptOf(interp: Interpreter, args: string[]): { script: string; index: number } | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (interp.other.has(a)) return null;
    if (a === "--") return i + 1 < args.length ? { script: args[i + 1]!, index: i + 1 } : null;
    if (interp.valued.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    return { script: a, index: i };
  }
  return null;
}

/** `java [options] -jar FILE.jar`: the jar, unless the options make java run a tool mode of it (`-Djarmode=layertools`) or exit. */
function javaJar(args: string[]): string | null {
  const j = args.indexOf("-jar");
  if (j === -1 || j + 1 >= args.length) return null;
  const before = args.slice(0, j);
  if (before.some((a) => a.startsWith("-Djarmode=") || a === "-version" || a === "--version" || a.startsWith("-Xshare:dump"))) return null;
  const after = args.slice(j + 2);
  if (after.some((a) => EXITS.has(a) || a === "-version")) return null;
  return isAppFile(args[j + 1]!, ["jar"]) ? args[j + 1]! : null;
}

/** `go run PACKAGE`: the module's own main package (`.`), or one named as the application (`main.go`, `./cmd/server`); a generator (`go run ./tools/gen`) is not. */
function goRunsApplication(args: string[]): boolean {
  const target = args.find((a) => !a.startsWith("-"));
  if (target === undefined) return false;
  if (target === "." || target === "./") return true;
  return isAppFile(target.replace(/\/+$/, ""), ["go", ""]);
}

/** `cargo run`: the package's binary, or one named as the application with `--bin`; an example or another package is not judged. */
function cargoRunsApplication(args: string[]): boolean {
  if (args.some((a) => a === "--example" || a.startsWith("--example=") || a === "-p" || a === "--package" || a.startsWith("--package="))) return false;
  const bin = args.indexOf("--bin");
  return bin === -1 || APP_NAMES.has((args[bin + 1] ?? "").toLowerCase().replaceAll("_", "-"));
}

/**
 * Whether a simple command starts the application an image is for: a known
 * server in the foreground (foregroundServer), a script or module named as
 * the application (`python main.py`, `python -m app`, `node server.js`,
 * `ruby app.rb`, `./start.sh`, `sh docker-entrypoint.sh`), `java -jar
 * app.jar`, `dotnet App.dll`, `go run .`, `cargo run`. Build steps (`setup.py
 * install`, `npm run build`, `manage.py collectstatic`, tests, `--version`,
 * `python -c`, `node -e`, `./configure`) are not.
 */
export function applicationStart(node: ShellNode, literalOf: Literal = literalWord): boolean {
  const p = programWords(node, literalOf);
  if (!p) return false;
  const { name, program, args } = p;
  // `sleep infinity` and `tail -f` keep a container alive: they never exit, but are no application (run-starts-server's)
  if (KEEP_ALIVE.has(name)) return false;
  if (foregroundServer(node, literalOf)) return true;
  if (args.some((a) => EXITS.has(a) || BUILD_WORDS.has(a.toLowerCase()))) return false;
  // a script run by its own name (`./start.sh`, `/app/run.sh`, `start.sh` on PATH)
  if (isAppFile(program, ["sh", "bash"])) return true;
  if (name === "java") return javaJar(args) !== null;
  if (name === "dotnet") return args.length > 0 && stemOf(args[0]!).ext === "dll";
  if (name === "go") return args[0] === "run" && goRunsApplication(args.slice(1));
  if (name === "cargo") return args[0] === "run" && cargoRunsApplication(args.slice(1));
  const interp = interpreterOf(name);
  if (!interp) return false;
  if (interp === PYTHON) {
    const m = args.indexOf("-m");
    const script = scriptOf(interp, args);
    // `python -m app`, `python -m app.main`: the module as the application's name
    if (m !== -1 && (script === null || script.index > m)) {
      const module = args[m + 1] ?? "";
      return APP_NAMES.has(module.split(".").pop()!.toLowerCase().replaceAll("_", "-"));
    }
    return script !== null && isAppFile(script.script, interp.exts);
  }
  const script = scriptOf(interp, args);
  return script !== null && isAppFile(script.script, interp.exts);
}

/** Commands that never exit and run nothing: what keeps a container alive, not an application. */
const KEEP_ALIVE: ReadonlySet<string> = new Set(["sleep", "tail"]);

/** Arguments with which nginx does not start (signals to a running master, a configuration test, a version, help). */
const NGINX_NOT_STARTING = new Set(["-s", "-t", "-T", "-v", "-V", "-h", "-?"]);

/**
 * What a simple command starts that detaches and keeps running, as
 * written: `service NAME start`, `systemctl start NAME`, `/etc/init.d/NAME
 * start`, `rc-service NAME start`, `invoke-rc.d NAME start`, `nginx` (which
 * daemonizes unless told `daemon off;`), `apachectl start`, `httpd -k
 * start`, `pg_ctl start`, `redis-server --daemonize yes`, `php-fpm -D`,
 * `sshd` and `cron` without their foreground flags; also behind `sudo`.
 * Stopping, testing, enabling (`systemctl enable`: a configuration step),
 * or anything else is not.
 */
export function serviceStart(node: ShellNode, literalOf: Literal = literalWord): string | null {
  const p = programWords(node, literalOf);
  // a server told to stay in the foreground (`httpd -k start -DFOREGROUND`) does not detach: run-starts-server's
  if (!p || foregroundServer(node, literalOf)) return null;
  let { name, program, args } = p;
  if (name === "sudo" && args.length > 0 && !args[0]!.startsWith("-")) {
    program = args[0]!;
    name = program.split("/").pop()!;
    args = args.slice(1);
  }
  const starts = (word: string | undefined) => word === "start" || word === "restart";
  const operands = args.filter((a) => !a.startsWith("-"));
  let hit = false;
  if (name === "service" || name === "rc-service" || name === "invoke-rc.d") hit = operands.length >= 2 && starts(operands[1]);
  else if (name === "systemctl") hit = starts(operands[0]) && operands.length >= 2;
  else if (program.startsWith("/etc/init.d/") || program.startsWith("/etc/rc.d/init.d/")) hit = starts(args[0]);
  else if (name === "apachectl" || name === "apache2ctl") hit = starts(args[0]) || (args[0] === "-k" && starts(args[1]));
  else if (name === "httpd" || name === "apache2") hit = args.some((a, i) => a === "-k" && starts(args[i + 1]));
  else if (name === "pg_ctl" || name === "pg_ctlcluster") hit = operands.some((a) => starts(a));
  // the rest decide by every word: all must be literal
  else if (!p.complete) hit = false;
  else if (name === "nginx") hit = !args.some((a) => NGINX_NOT_STARTING.has(a));
  else if (name === "redis-server") hit = args.some((a, i) => a === "--daemonize" && args[i + 1] === "yes");
  else if (/^php-fpm[0-9.]*$/.test(name)) hit = args.includes("-D") || args.includes("--daemonize");
  else if (name === "sshd") hit = !args.some((a) => ["-D", "-t", "-T", "-d", "-V", "-h"].includes(a));
  else if (name === "cron" || name === "crond") hit = !args.some((a) => ["-f", "-n", "-V", "-h", "--help"].includes(a));
  return hit ? node.text : null;
}

/**
 * The statement a shell script ends with by sending it to the background
 * (`cmd &`): it is killed when the RUN ends. Null when the script does not
 * end so.
 */
export function backgroundedAtEnd(root: ShellNode): ShellNode | null {
  const statements = commandStatements(root);
  if (!statements || statements.length === 0) return null;
  const last = statements[statements.length - 1]!;
  return last.separator === "&" ? last.node : null;
}
