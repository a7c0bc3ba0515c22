/**
 * Finding, reading and writing the files of a run: Dockerfile names
 * (src/names.ts) in any case, what git ignores left out, no symbolic link
 * followed in directory search, nothing written whose real path lies
 * outside the paths given, atomic writes that keep mode, byte-order mark
 * and line endings, and never replace a read-only file.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, realpathSync, statSync, unlinkSync } from "node:fs";
import { access, constants, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { isDockerfileName } from "../names.js";

export interface Target {
  /** Path as shown to the user. */
  display: string;
  /** The file read and written (a named file's real path, a named link's target). */
  real: string;
  /** Found by directory search (true) or named (false). */
  searched: boolean;
  /** Why it is read but never written, if so. */
  readOnlyReason?: string;
}

export interface Discovery {
  targets: Target[];
  /** Arguments that matched nothing: usage errors. */
  missing: string[];
  /** Files named or matched by a glob whose name is not a Dockerfile name (see --assume-dockerfile). */
  unknown: string[];
  warnings: string[];
}

export interface DiscoverOptions {
  /** Read every file named or matched by a glob as a Dockerfile, whatever its name. */
  assumeDockerfile?: boolean;
  /** The environment git runs in (GIT_DIR and the like are removed). */
  env?: NodeJS.ProcessEnv;
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
}

const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/** Whether a relative path (either separator) goes through .git or node_modules. */
function inSkippedDirectory(rel: string): boolean {
  return rel.split(/[\\/]/).slice(0, -1).some((d) => SKIPPED_DIRECTORIES.has(d));
}

/**
 * The files under `dir` that git does not ignore (tracked, or untracked and
 * not excluded by .gitignore at any depth, .git/info/exclude or
 * core.excludesFile), relative, with `/`; null when `dir` is not in a git
 * work tree or git cannot be run. One git process per directory searched.
 */
function gitFiles(dir: string, env: NodeJS.ProcessEnv): string[] | null {
  // The directory's own repository: variables a git hook sets for another one must not steer git.
  const { GIT_DIR: _d, GIT_WORK_TREE: _w, GIT_INDEX_FILE: _i, GIT_PREFIX: _p, ...clean } = env;
  const r = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: dir,
    env: clean,
    encoding: "buffer",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "ignore"],
  });
  if (r.error || r.status !== 0) return null;
  const out = new Set<string>();
  for (const entry of r.stdout.toString("utf8").split("\0")) {
    if (!entry) continue;
    if (entry.endsWith("/")) {
      // an untracked repository inside this one: git lists it as a directory; search it with its own rules
      const nested = gitFiles(join(dir, entry), env);
      if (nested) for (const f of nested) out.add(entry + f);
      continue;
    }
    out.add(entry);
  }
  // a submodule is listed as one path: search it with its own rules too
  for (const sub of submodulesUnder(dir)) {
    const nested = gitFiles(join(dir, sub), env);
    if (nested) for (const f of nested) out.add(`${sub}/${f}`);
  }
  return [...out];
}

/** The submodules declared in the repository's .gitmodules that lie below `dir`, relative to it, with `/`. */
function submodulesUnder(dir: string): string[] {
  let top = dir;
  while (!existsSync(join(top, ".git"))) {
    if (dirname(top) === top) return [];
    top = dirname(top);
  }
  let text: string;
  try {
    text = readFileSync(join(top, ".gitmodules"), "utf8");
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)]
    .map((m) => join(top, m[1]!))
    .filter((abs) => abs !== dir && isInside(abs, dir) && existsSync(join(abs, ".git")))
    .map((abs) => relative(dir, abs).split(sep).join("/"));
}

/**
 * Outside a git work tree: the .gitignore files from the nearest directory
 * with a .git (or `root`) down, applied as git applies them: a directory
 * that is ignored hides everything in it; otherwise the deepest .gitignore
 * with a pattern that matches decides (its last matching pattern, so a
 * deeper `!Dockerfile` re-includes a file a higher `Dockerfile` excludes).
 */
async function gitignoreFilter(root: string): Promise<(absPath: string) => boolean> {
  const { default: ignore } = await import("ignore");
  const fg = (await import("fast-glob")).default;
  let top = root;
  for (let d = root; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) {
      top = d;
      break;
    }
    if (dirname(d) === d) break;
  }
  const files: string[] = [];
  for (let d = root; isInside(d, top) && d !== dirname(d); d = dirname(d)) {
    if (d !== root && existsSync(join(d, ".gitignore"))) files.push(join(d, ".gitignore"));
    if (d === top) break;
  }
  const below = await fg("**/.gitignore", { cwd: root, absolute: true, dot: true, followSymbolicLinks: false, ignore: ["**/.git/**", "**/node_modules/**"] });
  files.push(...below);
  const rules = files
    .map((f) => ({ base: dirname(f), ig: ignore().add(readFileSync(f, "utf8")) }))
    // deepest first: a deeper .gitignore takes precedence
    .sort((a, b) => b.base.split(sep).length - a.base.split(sep).length);
  const verdict = (absPath: string, isDirectory: boolean): boolean => {
    for (const { base, ig } of rules) {
      if (absPath === base || !isInside(absPath, base)) continue;
      const t = ig.test(relative(base, absPath).split(sep).join("/") + (isDirectory ? "/" : ""));
      if (t.ignored) return true;
      if (t.unignored) return false;
    }
    return false;
  };
  return (absPath) => {
    const dirs: string[] = [];
    for (let d = dirname(absPath); isInside(d, top) && d !== top; d = dirname(d)) dirs.unshift(d);
    return dirs.some((d) => verdict(d, true)) || verdict(absPath, false);
  };
}

/**
 * The trees a run may write in: each path given (the current directory when
 * none is), as written. The current directory and the directories above it
 * are resolved (a temporary directory reached through a link is still the
 * tree), the components the user wrote below it are not: a symbolic link
 * among them leads out of the tree. A path outside the current directory is
 * resolved up to the directory it shares with it. A glob's tree is its
 * static part (`sub` for `sub/*`).
 */
function writableRoots(args: readonly string[], cwd: string, isDynamic: (component: string) => boolean): string[] {
  const realCwd = realOr(cwd);
  return args.map((arg) => {
    const components = arg.split("/");
    const dynamic = components.findIndex(isDynamic);
    const written = resolve(cwd, dynamic === -1 ? arg : components.slice(0, dynamic).join("/") || ".");
    let shared = cwd;
    while (!isInside(written, shared) && dirname(shared) !== shared) shared = dirname(shared);
    return join(shared === cwd ? realCwd : realOr(shared), relative(shared, written));
  });
}

/** A path's real path, or the path itself when it cannot be resolved. */
function realOr(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/**
 * Whether a path is one of the roots or lies below one: its ancestors looked
 * up in the set (a run naming 1,000 files has 1,000 roots; comparing each
 * file with each root was quadratic).
 */
function insideAny(path: string, roots: ReadonlySet<string>): boolean {
  for (let p = path; ; p = dirname(p)) {
    if (roots.has(p)) return true;
    if (dirname(p) === p) return false;
  }
}

/** Why a file must not be written, when its real path lies outside every tree of the run (see writableRoots). */
function outsideReason(display: string, real: string, roots: ReadonlySet<string>, namedLink: boolean): string | undefined {
  if (insideAny(real, roots)) return undefined;
  return namedLink
    ? `${display} is a symbolic link to ${real}, outside the paths given: not written`
    : `${display} is reached through a symbolic link: its real path ${real} is outside the paths given: not written`;
}

/** The Dockerfiles directory search finds under `dir`, relative: names by isDockerfileName, links and ignored files left out. */
async function searchDirectory(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  let candidates = gitFiles(dir, env);
  let ignored: ((absPath: string) => boolean) | null = null;
  if (!candidates) {
    const fg = (await import("fast-glob")).default;
    // a cheap first cut; isDockerfileName decides
    candidates = await fg(["**/*dockerfile*", "**/*containerfile*"], {
      cwd: dir,
      caseSensitiveMatch: false,
      dot: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      ignore: ["**/.git/**", "**/node_modules/**"],
    });
    ignored = await gitignoreFilter(dir);
  }
  const out: string[] = [];
  for (const rel of candidates) {
    if (!isDockerfileName(rel) || inSkippedDirectory(rel)) continue;
    const file = join(dir, rel);
    let st;
    try {
      st = lstatSync(file);
    } catch {
      continue; // tracked but deleted from the work tree
    }
    if (!st.isFile()) continue; // directory search does not follow links
    if (ignored?.(file)) continue;
    out.push(rel);
  }
  return out.sort();
}

export async function discover(args: readonly string[], cwd: string, options: DiscoverOptions = {}): Promise<Discovery> {
  const targets: Target[] = [];
  const missing: string[] = [];
  const unknown: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const named = (path: string) => options.assumeDockerfile || isDockerfileName(path);
  const fg = (await import("fast-glob")).default;
  // One rule for every file, named, searched or matched: written only when its real path lies inside the paths given.
  const roots = new Set(writableRoots(args, cwd, (c) => c !== "" && fg.isDynamicPattern(c)));
  const target = (display: string, file: string, searched: boolean): Target => {
    const real = realOr(file);
    return { display, real: searched ? file : real, searched, readOnlyReason: outsideReason(display, real, roots, false) };
  };
  const add = (t: Target) => {
    if (seen.has(t.real)) return;
    seen.add(t.real);
    targets.push(t);
  };
  for (const arg of args) {
    const abs = resolve(cwd, arg);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      st = null;
    }
    if (st?.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync.native(abs);
      } catch {
        missing.push(`${arg} (a broken symbolic link)`);
        continue;
      }
      if (statSync(real).isDirectory()) {
        warnings.push(`${arg}: a symbolic link to a directory is not searched`);
        continue;
      }
      if (!named(arg)) {
        unknown.push(arg);
        continue;
      }
      add({ display: arg, real, searched: false, readOnlyReason: outsideReason(arg, real, roots, true) });
      continue;
    }
    if (st?.isFile()) {
      if (!named(arg)) unknown.push(arg);
      else add(target(arg, abs, false));
      continue;
    }
    if (st?.isDirectory()) {
      for (const rel of await searchDirectory(abs, options.env ?? process.env)) add(target(join(arg, rel), join(abs, rel), true));
      continue;
    }
    // a glob pattern
    const found = await fg(arg, { cwd, caseSensitiveMatch: false, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: ["**/.git/**", "**/node_modules/**"] });
    if (found.length === 0) {
      missing.push(arg);
      continue;
    }
    for (const rel of found.sort()) {
      const file = resolve(cwd, rel);
      if (lstatSync(file).isSymbolicLink()) continue;
      if (!named(rel)) unknown.push(rel);
      else add(target(rel, file, true));
    }
  }
  return { targets, missing, unknown, warnings };
}

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bytes as UTF-8 text; binary (NUL bytes) and invalid UTF-8 are refused, with the reason. */
export function decodeText(buf: Uint8Array): ReadResult {
  if (buf.includes(0)) return { ok: false, reason: "not a text file (it contains NUL bytes)" };
  try {
    return { ok: true, text: decoder.decode(buf) };
  } catch {
    return { ok: false, reason: "not a text file (invalid UTF-8)" };
  }
}

/**
 * Reads a file as UTF-8 text; binary (NUL bytes) and invalid UTF-8 are
 * refused. Synchronous on purpose: for thousands of small files, a round trip
 * through the thread pool per file costs more than the read.
 */
export function readText(path: string): ReadResult {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return { ok: false, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const text = decodeText(buf);
  return text.ok ? text : { ok: false, reason: `${text.reason}: skipped` };
}

/** Temporary files of writes in progress: removed by removePendingWrites() when the process is interrupted. */
const pending = new Set<string>();

/** Removes the temporary files of unfinished writes (synchronously: called from signal handlers). */
export function removePendingWrites(): void {
  for (const tmp of pending) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or removed
    }
  }
  pending.clear();
}

/** A file that must not be written: no write permission (for root too, whose access() always succeeds). */
export class NotWritableError extends Error {}

/**
 * Writes through a temporary file in the same directory and a rename, keeping
 * the file's mode. A file without write permission is refused (a rename would
 * replace it anyway).
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const { mode } = await stat(path);
  const writable = (mode & 0o222) !== 0 && (await access(path, constants.W_OK).then(() => true, () => false));
  if (!writable) throw new NotWritableError("permission denied (the file is read-only): left as it was");
  // node:crypto is loaded only when a file is written (a check run never pays for it)
  const { randomBytes } = await import("node:crypto");
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  // registered before it exists: a signal that arrives as the file is created still finds it
  pending.add(tmp);
  try {
    const handle = await open(tmp, "wx", mode & 0o7777);
    try {
      await handle.writeFile(text, "utf8");
      await handle.chmod(mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await pauseForTests(tmp);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  } finally {
    pending.delete(tmp);
  }
}

/**
 * For the interruption test only (test/cli.test.ts): with
 * DOCKERFILE_CODEMOD_TEST_PAUSE_WRITE set, a write stops for that many
 * milliseconds between writing its temporary file and the rename, after
 * printing "paused before rename: <temporary file>" on stderr, so the test
 * can send a signal while the write is unfinished. Not a user option.
 */
async function pauseForTests(tmp: string): Promise<void> {
  const ms = Number(process.env.DOCKERFILE_CODEMOD_TEST_PAUSE_WRITE);
  if (!(ms > 0)) return;
  process.stderr.write(`paused before rename: ${tmp}\n`);
  await new Promise((r) => setTimeout(r, ms));
}
