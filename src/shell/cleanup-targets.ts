/**
 * What a cleanup command deletes, and which commands create it: a cleanup
 * saves space only in the RUN that created what it deletes (rulebook, "Facts
 * found the hard way": `rm -rf /var/lib/apt/lists/*` joined to a `pip
 * install` RUN saves nothing, the lists are in the apt-get layer). Read from
 * the tree-sitter-bash tree of each RUN, never from its text.
 */
import { literalWord, walk, type ShellNode, type SimpleCommand } from "./tree.js";

/** Caches and lists that package managers write, each where it lives. */
export type CacheKind =
  | "apt-lists"
  | "apt-cache"
  | "apk-cache"
  | "rpm-cache"
  | "zypper-cache"
  | "pip-cache"
  | "npm-cache"
  | "yarn-cache"
  | "pnpm-store"
  | "gem-cache"
  | "composer-cache"
  | "conda-pkgs"
  | "python-bytecode";

export const CACHE_LABEL: Record<CacheKind, string> = {
  "apt-lists": "the apt package lists",
  "apt-cache": "apt's package cache",
  "apk-cache": "apk's cache",
  "rpm-cache": "the yum/dnf cache",
  "zypper-cache": "zypper's cache",
  "pip-cache": "pip's cache",
  "npm-cache": "npm's cache",
  "yarn-cache": "yarn's cache",
  "pnpm-store": "pnpm's store",
  "gem-cache": "gem's cache and old gem versions",
  "composer-cache": "composer's cache",
  "conda-pkgs": "conda's package cache",
  "python-bytecode": "the Python bytecode files",
};

/** Where each cache lives (root's home, as a build runs by default; `~` as written). */
const CACHE_DIRS: [string, CacheKind][] = [
  ["/var/lib/apt/lists", "apt-lists"],
  ["/var/cache/apt", "apt-cache"],
  ["/var/cache/apk", "apk-cache"],
  ["/etc/apk/cache", "apk-cache"],
  ["/var/cache/yum", "rpm-cache"],
  ["/var/cache/dnf", "rpm-cache"],
  ["/var/cache/zypp", "zypper-cache"],
  ["/root/.cache/pip", "pip-cache"],
  ["~/.cache/pip", "pip-cache"],
  ["/root/.npm", "npm-cache"],
  ["~/.npm", "npm-cache"],
  ["/usr/local/share/.cache/yarn", "yarn-cache"],
  ["/root/.cache/yarn", "yarn-cache"],
  ["~/.cache/yarn", "yarn-cache"],
  ["/root/.local/share/pnpm/store", "pnpm-store"],
  ["~/.local/share/pnpm/store", "pnpm-store"],
  ["/root/.pnpm-store", "pnpm-store"],
  ["/root/.gem", "gem-cache"],
  ["~/.gem", "gem-cache"],
  ["/usr/local/bundle/cache", "gem-cache"],
  ["/root/.composer/cache", "composer-cache"],
  ["~/.composer/cache", "composer-cache"],
  ["/root/.cache/composer", "composer-cache"],
  ["~/.cache/composer", "composer-cache"],
  ["/opt/conda/pkgs", "conda-pkgs"],
];

/** The directories a cache lives in. */
export function cacheDirs(kind: CacheKind): string[] {
  return CACHE_DIRS.filter(([, k]) => k === kind).map(([d]) => d);
}

/** Package managers that install and remove packages by name, by family. */
type Family = "apt" | "apk" | "rpm" | "zypper";
const FAMILY: Record<string, Family> = {
  "apt-get": "apt",
  apt: "apt",
  aptitude: "apt",
  apk: "apk",
  yum: "rpm",
  dnf: "rpm",
  microdnf: "rpm",
  tdnf: "rpm",
  zypper: "zypper",
};

/** What a cleanup deletes: a cache, packages by name, or files at a path (absolute, or relative to the working directory). */
export type Target =
  /** `home`: the cache of a user, named by a path in a home directory (`~/...`, `/root/...`): whose it is depends on USER and HOME. */
  | { kind: "cache"; cache: CacheKind; home?: "tilde" | "root" }
  | { kind: "packages"; family: Family; names: string[] }
  | { kind: "path"; pattern: string };

export function targetLabel(t: Target): string {
  if (t.kind === "cache") return CACHE_LABEL[t.cache];
  if (t.kind === "packages") return `the package${t.names.length > 1 ? "s" : ""} ${t.names.length > 1 ? `${t.names.slice(0, -1).join(", ")} and ${t.names[t.names.length - 1]}` : t.names[0]}`;
  return `\`${t.pattern}\``;
}

/** `python -m pip ...` is pip; `sudo` and `env` are not followed. */
export function programName(words: ShellNode[]): { name: string | null; rest: ShellNode[] } {
  const first = words[0] ? literalWord(words[0]) : null;
  if (first && isPython(first) && words[1] && literalWord(words[1]) === "-m" && words[2]) {
    return { name: literalWord(words[2]), rest: words.slice(3) };
  }
  return { name: first ? (first.split("/").pop() ?? first) : null, rest: words.slice(1) };
}

function isPython(word: string): boolean {
  const base = word.slice(word.lastIndexOf("/") + 1);
  if (!base.startsWith("python")) return false;
  for (const ch of base.slice("python".length)) if (!((ch >= "0" && ch <= "9") || ch === ".")) return false;
  return true;
}

/** The first argument that is not an option. */
export function subcommand(rest: ShellNode[]): string | null {
  for (const w of rest) {
    const v = literalWord(w);
    if (v === null) return null;
    if (!v.startsWith("-")) return v;
  }
  return null;
}

/** The literal words after the subcommand that are not options (package names, paths). */
function operandsAfter(rest: ShellNode[], sub: string): (string | null)[] {
  const values = rest.map((w) => literalWord(w));
  const at = values.indexOf(sub);
  return values.slice(at + 1).filter((v) => v === null || !v.startsWith("-"));
}

/**
 * The paths `rm` deletes or `find` searches (find's paths are the words
 * before its first expression), as written (a glob's text when it has one),
 * or null for other commands.
 */
export function pathOperands(cmd: SimpleCommand): string[] | null {
  const { name, rest } = programName(cmd.words);
  const values = rest.map((w) => literalWord(w) ?? w.text);
  if (name === "rm") {
    const dashdash = values.indexOf("--");
    return dashdash === -1 ? values.filter((v) => !v.startsWith("-")) : [...values.slice(0, dashdash).filter((v) => !v.startsWith("-")), ...values.slice(dashdash + 1)];
  }
  if (name === "find") {
    const out: string[] = [];
    for (const v of values) {
      if (v.startsWith("-") || v === "(" || v === "!") break;
      out.push(v);
    }
    return out;
  }
  return null;
}

/**
 * What one cleanup command deletes. Commands whose effect cannot be traced
 * to what made it (`apt-get autoremove`, `true`) delete nothing here: they
 * still run, wherever the cleanup goes.
 */
export function cleanupTargets(cmd: SimpleCommand): Target[] {
  const { name, rest } = programName(cmd.words);
  if (name === null) return [];
  const paths = pathOperands(cmd);
  if (paths !== null) {
    if (name === "find" && findsBytecode(rest)) return [{ kind: "cache", cache: "python-bytecode" }];
    return paths.flatMap(pathTargets);
  }
  const sub = subcommand(rest);
  if (sub === null) return [];
  const family = FAMILY[name];
  const cache = (c: CacheKind): Target[] => [{ kind: "cache", cache: c }];
  if (family !== undefined) {
    if (sub === "clean" || sub === "autoclean" || sub === "cc" || (name === "apk" && sub === "cache")) {
      return cache(({ apt: "apt-cache", apk: "apk-cache", rpm: "rpm-cache", zypper: "zypper-cache" } as const)[family]);
    }
    if (["purge", "remove", "del", "erase", "rm"].includes(sub)) {
      const names = operandsAfter(rest, sub);
      if (names.length === 0 || names.some((n) => n === null)) return [];
      return [{ kind: "packages", family, names: names as string[] }];
    }
    return [];
  }
  if (name === "pip" || name === "pip3") return sub === "cache" ? cache("pip-cache") : [];
  if (name === "npm") return sub === "cache" ? cache("npm-cache") : [];
  if (name === "yarn") return sub === "cache" ? cache("yarn-cache") : [];
  if (name === "pnpm") return sub === "store" ? cache("pnpm-store") : [];
  if (name === "gem") return sub === "cleanup" ? cache("gem-cache") : [];
  if (name === "composer") return ["clear-cache", "clearcache", "cc"].includes(sub) ? cache("composer-cache") : [];
  if (name === "conda" || name === "mamba" || name === "micromamba") return sub === "clean" ? cache("conda-pkgs") : [];
  return [];
}

function findsBytecode(rest: ShellNode[]): boolean {
  const values = rest.map((w) => literalWord(w));
  for (let i = 0; i + 1 < values.length; i++) {
    if (values[i] !== "-name" && values[i] !== "-iname") continue;
    const pattern = values[i + 1] ?? rest[i + 1]!.text;
    if (pattern === "__pycache__" || pattern === "*.pyc" || pattern === "*.pyo" || pattern === "*.py[co]") return true;
  }
  return false;
}

/** The targets of a path rm or find deletes: the caches under it or around it, and the path itself. */
function pathTargets(pattern: string): Target[] {
  const out: Target[] = [];
  let insideCache = false;
  for (const [dir, kind] of CACHE_DIRS) {
    if (pattern === dir || literalPrefix(pattern).startsWith(`${dir}/`)) {
      insideCache = true;
      out.push(cacheAt(kind, dir));
    } else if (covers(pattern, dir)) out.push(cacheAt(kind, dir));
  }
  if (!insideCache) out.push({ kind: "path", pattern });
  return dedupeTargets(out);
}

/** Caches each user has under their home directory (root's written as /root, or as its own path for yarn). */
const PER_USER: ReadonlySet<CacheKind> = new Set(["pip-cache", "npm-cache", "yarn-cache", "pnpm-store", "gem-cache", "composer-cache"]);

export function isPerUserCache(kind: CacheKind): boolean {
  return PER_USER.has(kind);
}

function cacheAt(kind: CacheKind, dir: string): Target {
  if (!PER_USER.has(kind)) return { kind: "cache", cache: kind };
  if (dir.startsWith("~")) return { kind: "cache", cache: kind, home: "tilde" };
  return dir.startsWith("/root/") || dir === "/usr/local/share/.cache/yarn" ? { kind: "cache", cache: kind, home: "root" } : { kind: "cache", cache: kind };
}

export function dedupeTargets(targets: Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const k = JSON.stringify(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The text of a pattern before its first glob character. */
export function literalPrefix(pattern: string): string {
  let i = 0;
  while (i < pattern.length && !"*?[".includes(pattern[i]!)) i++;
  return pattern.slice(0, i);
}

/**
 * Whether a path (as written) matches a glob pattern as the shell matches a
 * pathname: `*` and `?` do not match `/`, `[...]` is a bracket expression.
 */
export function globMatch(pattern: string, path: string): boolean {
  const match = (p: number, s: number): boolean => {
    while (p < pattern.length) {
      const c = pattern[p]!;
      if (c === "*") {
        for (let k = s; k <= path.length; k++) {
          if (match(p + 1, k)) return true;
          if (path[k] === "/") break;
        }
        return false;
      }
      if (s >= path.length) return false;
      if (c === "?") {
        if (path[s] === "/") return false;
        p++;
        s++;
        continue;
      }
      if (c === "[") {
        const close = pattern.indexOf("]", p + 2);
        if (close !== -1) {
          let set = pattern.slice(p + 1, close);
          const negate = set.startsWith("!") || set.startsWith("^");
          if (negate) set = set.slice(1);
          let found = false;
          for (let k = 0; k < set.length; k++) {
            if (set[k + 1] === "-" && k + 2 < set.length) {
              if (path[s]! >= set[k]! && path[s]! <= set[k + 2]!) found = true;
              k += 2;
            } else if (set[k] === path[s]) found = true;
          }
          if (found === negate || path[s] === "/") return false;
          p = close + 1;
          s++;
          continue;
        }
      }
      if (c !== path[s]) return false;
      p++;
      s++;
    }
    return s === path.length;
  };
  return match(0, 0);
}

/** The path, or a directory it is in, matches the pattern: deleting the pattern deletes the path. */
export function covers(pattern: string, path: string): boolean {
  if (globMatch(pattern, path)) return true;
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    if (globMatch(pattern, path.slice(0, i))) return true;
  }
  return false;
}

/** What one RUN creates: caches, packages it installs (the words of each install), and the paths it writes. */
export interface Creations {
  caches: Set<CacheKind>;
  installs: { family: Family; words: Set<string> }[];
  /** Paths written (downloads, redirects, tee, cp/mv/ln targets). */
  written: string[];
  /** Directories this RUN makes fresh (`git clone DEST`, `mkdir` without -p): everything under them is new. */
  freshDirs: string[];
}

const APT_CACHE_WRITERS = new Set(["install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall", "update"]);
const RPM_WRITERS = new Set(["install", "update", "upgrade", "groupinstall", "makecache", "reinstall", "localinstall", "distro-sync"]);
const ZYPPER_WRITERS = new Set(["install", "in", "update", "up", "refresh", "ref", "dist-upgrade", "dup", "patch"]);

export function creationsOf(commands: SimpleCommand[], root: ShellNode, pipNoCache: boolean): Creations {
  const c: Creations = { caches: new Set(), installs: [], written: [], freshDirs: [] };
  for (const cmd of commands) {
    const { name, rest } = programName(cmd.words);
    if (name === null) continue;
    const values = rest.map((w) => literalWord(w));
    const sub = subcommand(rest);
    const family = FAMILY[name];
    const words = new Set(values.filter((v): v is string => v !== null));
    if (family === "apt" && sub !== null) {
      if (sub === "update") c.caches.add("apt-lists");
      if (APT_CACHE_WRITERS.has(sub)) c.caches.add("apt-cache");
      if (sub === "install" || sub === "reinstall" || sub === "build-dep") c.installs.push({ family, words });
    } else if (name === "add-apt-repository") {
      c.caches.add("apt-lists");
    } else if (family === "apk" && sub !== null) {
      if ((sub === "add" || sub === "update" || sub === "upgrade") && !words.has("--no-cache")) c.caches.add("apk-cache");
      if (sub === "add") c.installs.push({ family, words });
    } else if (family === "rpm" && sub !== null && RPM_WRITERS.has(sub)) {
      c.caches.add("rpm-cache");
      if (sub === "install" || sub === "groupinstall" || sub === "localinstall") c.installs.push({ family, words });
    } else if (family === "zypper" && sub !== null && ZYPPER_WRITERS.has(sub)) {
      c.caches.add("zypper-cache");
      if (sub === "install" || sub === "in") c.installs.push({ family, words });
    } else if ((name === "pip" || name === "pip3") && (sub === "install" || sub === "download" || sub === "wheel")) {
      if (!pipNoCache && !words.has("--no-cache-dir")) c.caches.add("pip-cache");
      if (sub === "install") c.caches.add("python-bytecode");
    } else if (name === "compileall") {
      c.caches.add("python-bytecode");
    } else if (name === "npm" && sub !== null && ["install", "i", "ci", "add", "update"].includes(sub)) {
      c.caches.add("npm-cache");
    } else if (name === "yarn" && (sub === null || sub === "install" || sub === "add")) {
      c.caches.add("yarn-cache");
    } else if (name === "pnpm" && sub !== null && ["install", "i", "add"].includes(sub)) {
      c.caches.add("pnpm-store");
    } else if ((name === "gem" && (sub === "install" || sub === "update")) || (name === "bundle" && (sub === null || sub === "install"))) {
      c.caches.add("gem-cache");
    } else if (name === "composer" && sub !== null && ["install", "require", "update", "create-project"].includes(sub)) {
      c.caches.add("composer-cache");
    } else if ((name === "conda" || name === "mamba" || name === "micromamba") && sub !== null && ["install", "create", "update"].includes(sub)) {
      c.caches.add("conda-pkgs");
    }
    writtenPaths(name, values, c);
  }
  // redirections that write files: `> f`, `>> f`, `&> f`, `>| f`
  for (const n of walk(root)) {
    if (n.type !== "file_redirect") continue;
    const op = n.children.find((k) => !k.named)?.type;
    const dest = n.children.find((k) => k.field === "destination");
    if (dest && (op === ">" || op === ">>" || op === ">|" || op === "&>" || op === "&>>")) {
      const v = literalWord(dest);
      if (v !== null) c.written.push(v);
    }
  }
  return c;
}

/** Paths a downloader or file command writes, from its literal words. */
function writtenPaths(name: string, values: (string | null)[], c: Creations): void {
  const valueAfter = (i: number) => values[i + 1] ?? null;
  const operands = values.filter((v): v is string => v !== null && !v.startsWith("-"));
  switch (name) {
    case "curl":
    case "wget": {
      const long = name === "curl" ? "--output" : "--output-document";
      const short = name === "curl" ? "o" : "O";
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v === null || v === undefined) continue;
        if (v === long) pushValue(c.written, valueAfter(i));
        else if (v.startsWith(`${long}=`)) c.written.push(v.slice(long.length + 1));
        else if (isShortOptions(v)) {
          // a cluster of short options (`-fsSLo`): the file name follows the one that takes it, in the word or after it
          const at = v.indexOf(short);
          if (at === v.length - 1) pushValue(c.written, valueAfter(i));
          else if (at > 0) c.written.push(v.slice(at + 1));
        }
      }
      return;
    }
    case "tee":
      c.written.push(...operands);
      return;
    case "cp":
    case "mv":
    case "ln":
    case "install":
      if (operands.length >= 2) c.written.push(operands[operands.length - 1]!);
      return;
    case "mkdir":
      // without -p, mkdir fails on a directory that exists: it and what is under it are new (with -p it may have been there)
      if (values.some((v) => v !== null && (v === "--parents" || (isShortOptions(v) && v.includes("p"))))) return;
      c.freshDirs.push(...operands);
      c.written.push(...operands);
      return;
    case "git": {
      if (operands[0] !== "clone") return;
      const args = operands.slice(1);
      if (args.length === 2) {
        c.freshDirs.push(args[1]!);
        c.written.push(args[1]!);
      }
      return;
    }
  }
}

/** `-abc`: one dash and letters only. */
function isShortOptions(v: string): boolean {
  if (v.length < 2 || v[0] !== "-" || v[1] === "-") return false;
  for (const ch of v.slice(1)) if (!((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z"))) return false;
  return true;
}

function pushValue(list: string[], v: string | null): void {
  if (v !== null && !v.startsWith("-")) list.push(v);
}

/**
 * Whether a RUN that made these creations created what a target names:
 * "exact" when it wrote it, "under" when it made the fresh directory the
 * target is in (so what is there was written by that RUN or a later one).
 */
export function creates(c: Creations, t: Target): "exact" | "under" | null {
  switch (t.kind) {
    case "cache":
      return c.caches.has(t.cache) ? "exact" : null;
    case "packages":
      return c.installs.some((i) => i.family === t.family && t.names.every((n) => i.words.has(n))) ? "exact" : null;
    case "path":
      if (c.written.some((w) => covers(t.pattern, w))) return "exact";
      return c.freshDirs.some((d) => literalPrefix(t.pattern).startsWith(`${d}/`)) ? "under" : null;
  }
}

/** A path as written is relative to the working directory (absolute ones start with `/`; `~` is the home directory). */
export function isRelativeTarget(t: Target): boolean {
  return t.kind === "path" && !t.pattern.startsWith("/") && !t.pattern.startsWith("~");
}
