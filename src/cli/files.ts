/**
 * Finding, reading and writing the files of a run: Dockerfile names in any
 * case, .gitignore honoured, no symbolic link followed in directory search,
 * atomic writes that keep mode, byte-order mark and line endings.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { randomBytes } from "node:crypto";

const NAME_PATTERNS = ["Dockerfile", "Containerfile", "*.dockerfile", "*.containerfile", "Dockerfile.*", "Containerfile.*"];

export function isDockerfileName(path: string): boolean {
  const base = basename(path).toLowerCase();
  return ["dockerfile", "containerfile"].some((n) => base === n || base.startsWith(`${n}.`) || base.endsWith(`.${n}`));
}

export interface Target {
  /** Path as shown to the user. */
  display: string;
  /** The file read and written (a named link's target). */
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
  warnings: string[];
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
}

/** .gitignore rules that apply below `root`, from the repository root down. */
async function gitignoreFilter(root: string): Promise<(absPath: string) => boolean> {
  const { default: ignore } = await import("ignore");
  const fg = (await import("fast-glob")).default;
  // the repository root: nearest ancestor with .git, or the root itself
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
  const rules = files.map((f) => ({ base: dirname(f), ig: ignore().add(readFileSync(f, "utf8")) }));
  return (absPath) =>
    rules.some(({ base, ig }) => {
      if (!isInside(absPath, base)) return false;
      const rel = relative(base, absPath).split(sep).join("/");
      return rel !== "" && ig.ignores(rel);
    });
}

export async function discover(args: readonly string[], cwd: string): Promise<Discovery> {
  const targets: Target[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  // The paths given, as written (a link among them is not resolved: its target must lie inside another).
  // Only a named link needs them.
  let roots: string[] | null = null;
  const rootsOf = () =>
    (roots ??= args.map((a) => {
      const abs = resolve(cwd, a);
      try {
        return join(realpathSync.native(dirname(abs)), basename(abs));
      } catch {
        return abs;
      }
    }));
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
      const inside = rootsOf().some((r) => isInside(real, r));
      add({
        display: arg,
        real,
        searched: false,
        readOnlyReason: inside ? undefined : `${arg} is a symbolic link to ${real}, outside the paths given: not written`,
      });
      continue;
    }
    if (st?.isFile()) {
      add({ display: arg, real: realpathSync.native(abs), searched: false });
      continue;
    }
    if (st?.isDirectory()) {
      const fg = (await import("fast-glob")).default;
      const found = await fg(
        NAME_PATTERNS.map((p) => `**/${p}`),
        {
          cwd: abs,
          caseSensitiveMatch: false,
          dot: true,
          onlyFiles: true,
          followSymbolicLinks: false,
          ignore: ["**/.git/**", "**/node_modules/**"],
        },
      );
      const ignored = await gitignoreFilter(abs);
      for (const rel of found.sort()) {
        const file = join(abs, rel);
        if (ignored(file)) continue;
        if (lstatSync(file).isSymbolicLink()) continue; // directory search does not follow links
        add({ display: join(arg, rel), real: file, searched: true });
      }
      continue;
    }
    // a glob pattern
    const fg = (await import("fast-glob")).default;
    const found = await fg(arg, { cwd, caseSensitiveMatch: false, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: ["**/.git/**", "**/node_modules/**"] });
    if (found.length === 0) {
      missing.push(arg);
      continue;
    }
    for (const rel of found.sort()) {
      const file = resolve(cwd, rel);
      if (lstatSync(file).isSymbolicLink()) continue;
      add({ display: rel, real: file, searched: true });
    }
  }
  return { targets, missing, warnings };
}

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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
  if (buf.includes(0)) return { ok: false, reason: "not a text file (it contains NUL bytes): skipped" };
  try {
    return { ok: true, text: decoder.decode(buf) };
  } catch {
    return { ok: false, reason: "not a text file (invalid UTF-8): skipped" };
  }
}

/** Writes through a temporary file in the same directory and a rename, keeping the file's mode. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const { mode } = await stat(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode & 0o7777);
  try {
    await handle.writeFile(text, "utf8");
    await handle.chmod(mode & 0o7777);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
