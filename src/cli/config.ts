/**
 * The codemod's configuration file, found as ruff and Prettier find theirs:
 * the nearest to each file, from its directory up to the repository root (or
 * the file system's root outside a repository), with lilconfig. Where: a
 * "dockerfile-codemod" key in package.json, .dockerfile-codemodrc (JSON),
 * .dockerfile-codemodrc.json, dockerfile-codemod.config.json, or
 * dockerfile-codemod.config.{js,mjs,cjs} exporting the object.
 *
 * Keys: select, extendSelect, ignore (rule ids), unsafeFixes (boolean),
 * perFileIgnores ({ glob: [rule ids] }, globs relative to the configuration
 * file), exclude ([globs]: files directory search and globs skip). Flags
 * override the file: --select replaces select and extendSelect,
 * --extend-select and --ignore add, --unsafe-fixes / --no-unsafe-fixes win.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { lilconfig, type LilconfigResult } from "lilconfig";
import micromatch from "micromatch";
import { ruleById } from "../rules/index.js";

export interface CodemodConfig {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  unsafeFixes?: boolean;
  perFileIgnores?: Record<string, string[]>;
  exclude?: string[];
}

const NAME = "dockerfile-codemod";
const SEARCH_PLACES = [
  "package.json",
  `.${NAME}rc`,
  `.${NAME}rc.json`,
  `${NAME}.config.json`,
  `${NAME}.config.js`,
  `${NAME}.config.mjs`,
  `${NAME}.config.cjs`,
];
const KEYS = new Set(["select", "extendSelect", "ignore", "unsafeFixes", "perFileIgnores", "exclude", "$schema"]);

export class ConfigError extends Error {}

/** A configuration file read and checked (or none). */
export interface FoundConfig {
  /** The file, or null when none was found or --no-config was given. */
  path: string | null;
  config: CodemodConfig;
}

/** Checks a configuration object: known keys, rule ids that exist, the right types. */
export function validateConfig(value: unknown, path: string): CodemodConfig {
  const where = `${path}`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`${where}: the configuration must be an object`);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KEYS.has(key)) throw new ConfigError(`${where}: unknown key "${key}" (known: ${[...KEYS].filter((k) => k !== "$schema").join(", ")})`);
  }
  const rules = (key: string, list: unknown): string[] => {
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) throw new ConfigError(`${where}: "${key}" must be a list of rule names`);
    for (const id of list as string[]) {
      if (id.toUpperCase() !== "ALL" && !ruleById(id)) throw new ConfigError(`${where}: "${key}": unknown rule "${id}"`);
    }
    return list as string[];
  };
  const config: CodemodConfig = {};
  if (obj.select !== undefined) config.select = rules("select", obj.select);
  if (obj.extendSelect !== undefined) config.extendSelect = rules("extendSelect", obj.extendSelect);
  if (obj.ignore !== undefined) config.ignore = rules("ignore", obj.ignore);
  if (obj.unsafeFixes !== undefined) {
    if (typeof obj.unsafeFixes !== "boolean") throw new ConfigError(`${where}: "unsafeFixes" must be true or false`);
    config.unsafeFixes = obj.unsafeFixes;
  }
  if (obj.perFileIgnores !== undefined) {
    const p = obj.perFileIgnores;
    if (p === null || typeof p !== "object" || Array.isArray(p)) throw new ConfigError(`${where}: "perFileIgnores" must map globs to lists of rule names`);
    config.perFileIgnores = Object.fromEntries(Object.entries(p).map(([glob, list]) => [glob, rules(`perFileIgnores["${glob}"]`, list)]));
  }
  if (obj.exclude !== undefined) {
    if (!Array.isArray(obj.exclude) || !obj.exclude.every((x) => typeof x === "string")) throw new ConfigError(`${where}: "exclude" must be a list of globs`);
    config.exclude = obj.exclude as string[];
  }
  return config;
}

const roots = new Map<string, string | null>();

/** The nearest directory holding .git, or null; each directory is asked once per process. */
function repositoryRoot(dir: string): string | null {
  const hit = roots.get(dir);
  if (hit !== undefined) return hit;
  const root = existsSync(join(dir, ".git")) ? dir : dirname(dir) === dir ? null : repositoryRoot(dirname(dir));
  roots.set(dir, root);
  return root;
}

/** Finds and caches configuration files for the files of one run. */
export class ConfigResolver {
  private readonly searchers = new Map<string, ReturnType<typeof lilconfig>>();
  private readonly explicit: Promise<FoundConfig> | null;

  constructor(
    private readonly options: { configFile?: string; noConfig?: boolean; cwd: string },
  ) {
    this.explicit = options.configFile ? this.loadFile(resolve(options.cwd, options.configFile)) : null;
  }

  private searcher(stopDir: string) {
    let s = this.searchers.get(stopDir);
    if (!s) {
      s = lilconfig(NAME, { searchPlaces: SEARCH_PLACES, stopDir, packageProp: NAME });
      this.searchers.set(stopDir, s);
    }
    return s;
  }

  private async loadFile(path: string): Promise<FoundConfig> {
    let result: LilconfigResult;
    try {
      result = await this.searcher(dirname(path)).load(path);
    } catch (e) {
      throw new ConfigError(`${path}: cannot read the configuration: ${(e as Error).message.split("\n")[0]}`);
    }
    return { path, config: validateConfig(result?.config ?? {}, path) };
  }

  /** The configuration in effect for a file (absolute path). */
  async forFile(file: string): Promise<FoundConfig> {
    if (this.options.noConfig) return { path: null, config: {} };
    if (this.explicit) return this.explicit;
    const dir = dirname(file);
    const stop = repositoryRoot(dir) ?? resolve("/");
    let result: LilconfigResult;
    try {
      result = await this.searcher(stop).search(dir);
    } catch (e) {
      throw new ConfigError(`cannot read the configuration for ${file}: ${(e as Error).message.split("\n")[0]}`);
    }
    if (!result) return { path: null, config: {} };
    return { path: result.filepath, config: validateConfig(result.config ?? {}, result.filepath) };
  }
}

/** What the command line says about rules (undefined: not given). */
export interface RuleFlags {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  unsafeFixes?: boolean;
}

/** The settings in effect for one file: the configuration with the flags over it. */
export interface Settings {
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  unsafeFixes: boolean;
  /** Rules per-file ignores turn off for this file, and the globs that did it. */
  perFileIgnored: { glob: string; rules: string[] }[];
  excluded: string | null;
  configPath: string | null;
}

function relativeTo(base: string, file: string): string {
  return relative(base, file).split(sep).join("/");
}

/** Flags over the configuration, for `file` (absolute). */
export function settingsFor(found: FoundConfig, flags: RuleFlags, file: string): Settings {
  const { config, path } = found;
  const base = path ? dirname(path) : dirname(file);
  const rel = relativeTo(base, file);
  const perFileIgnored = Object.entries(config.perFileIgnores ?? {})
    .filter(([glob]) => micromatch.isMatch(rel, glob, { dot: true, matchBase: !glob.includes("/") }))
    .map(([glob, rules]) => ({ glob, rules }));
  const excluded = (config.exclude ?? []).find((glob) => micromatch.isMatch(rel, glob, { dot: true, matchBase: !glob.includes("/") })) ?? null;
  const select = flags.select ?? config.select;
  return {
    select,
    extendSelect: flags.select ? (flags.extendSelect ?? []) : [...(config.extendSelect ?? []), ...(flags.extendSelect ?? [])],
    ignore: [...(config.ignore ?? []), ...(flags.ignore ?? []), ...perFileIgnored.flatMap((p) => p.rules)],
    unsafeFixes: flags.unsafeFixes ?? config.unsafeFixes ?? false,
    perFileIgnored,
    excluded,
    configPath: path,
  };
}
