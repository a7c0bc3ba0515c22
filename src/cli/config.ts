/**
 * The codemod's configuration file, found as ruff and Prettier find theirs:
 * the nearest to each file, from its directory up to the repository root (or
 * the file system's root outside a repository), with lilconfig. Where: a
 * "dockerfile-codemod" key in package.json, .dockerfile-codemodrc (YAML or
 * JSON), .dockerfile-codemodrc.json, .dockerfile-codemodrc.yaml,
 * .dockerfile-codemodrc.yml, dockerfile-codemod.config.json, or
 * dockerfile-codemod.config.{js,mjs,cjs} exporting the object.
 *
 * Keys (camelCase, or kebab-case as ruff writes them): select,
 * extendSelect, ignore (rule selectors: rule ids, ALL, hadolint codes,
 * BuildKit check names), unsafeFixes (boolean), perFileIgnores ({ glob:
 * [selectors] }, globs relative to the configuration file), exclude
 * (gitignore patterns, relative to the configuration file: a bare name such
 * as `vendor` is every file or directory of that name). Flags override the
 * file: --select replaces select and extendSelect, --extend-select and
 * --ignore add, --unsafe-fixes / --no-unsafe-fixes win.
 *
 * hadolint's configuration, the nearest .hadolint.yaml or .hadolint.yml (found
 * the same way, beside the codemod's own): its `ignored` codes are ignored,
 * through the rules that answer them; its other keys are not read, and a
 * warning names them once.
 */
import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { lilconfig, type LilconfigResult, type LoaderSync } from "lilconfig";
import micromatch from "micromatch";
import { LineCounter, isMap, isScalar, parseDocument } from "yaml";
import { isHadolintCode } from "../rules/codes.js";
import { closest, selectorProblem } from "./options.js";

export interface CodemodConfig {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  unsafeFixes?: boolean;
  perFileIgnores?: Record<string, string[]>;
  exclude?: string[];
  /** ruff's extend-exclude: more patterns, read as `exclude`'s (this command has no built-in list for `exclude` to replace). */
  extendExclude?: string[];
}

const NAME = "dockerfile-codemod";
const SEARCH_PLACES = [
  "package.json",
  `.${NAME}rc`,
  `.${NAME}rc.json`,
  `.${NAME}rc.yaml`,
  `.${NAME}rc.yml`,
  `${NAME}.config.json`,
  `${NAME}.config.js`,
  `${NAME}.config.mjs`,
  `${NAME}.config.cjs`,
];
const HADOLINT_PLACES = [".hadolint.yaml", ".hadolint.yml"];
/** The keys of hadolint's configuration that are read; the others (failure-threshold, override, trustedRegistries, ...) are named in a warning. */
const HADOLINT_KEYS_READ = new Set(["ignored"]);

/** Each key as written in camelCase, and ruff's kebab-case spelling. */
const KEYS: Record<string, keyof CodemodConfig | "$schema"> = {
  select: "select",
  extendSelect: "extendSelect",
  "extend-select": "extendSelect",
  ignore: "ignore",
  unsafeFixes: "unsafeFixes",
  "unsafe-fixes": "unsafeFixes",
  perFileIgnores: "perFileIgnores",
  "per-file-ignores": "perFileIgnores",
  exclude: "exclude",
  extendExclude: "extendExclude",
  "extend-exclude": "extendExclude",
  $schema: "$schema",
};

export class ConfigError extends Error {}

/** A configuration file read and checked (or none). */
export interface FoundConfig {
  /** The file, or null when none was found or --no-config was given. */
  path: string | null;
  config: CodemodConfig;
  /** The .hadolint.yaml read beside it, if any, with the codes of its `ignored`. */
  hadolint?: { path: string; ignored: string[] } | null;
}

/** `:line:column` of a key (or of its value) in a configuration file's text, or "" when not known (a JavaScript file). */
export type Locate = (keyPath: readonly (string | number)[], at?: "key" | "value") => string;

const nowhere: Locate = () => "";

/** Positions in a JSON or YAML text (JSON is YAML, so one parser finds both). */
function locator(text: string, prefix: readonly string[] = []): Locate {
  let parsed: { doc: ReturnType<typeof parseDocument>; lines: LineCounter } | null = null;
  return (keyPath, at = "value") => {
    if (!parsed) {
      const lines = new LineCounter();
      parsed = { doc: parseDocument(text, { lineCounter: lines, uniqueKeys: false }), lines };
    }
    const { doc, lines } = parsed;
    const full = [...prefix, ...keyPath];
    let offset: number | undefined;
    if (at === "key" && full.length > 0) {
      const parent = full.length === 1 ? doc.contents : doc.getIn(full.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === full[full.length - 1]);
        offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      }
    } else {
      const node = full.length === 0 ? doc.contents : doc.getIn(full, true);
      offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    }
    if (offset === undefined) return "";
    const { line, col } = lines.linePos(offset);
    return `:${line}:${col}`;
  };
}

/** The texts of the configuration files read (for the line and column of an error). */
const texts = new Map<string, string>();

/** JSON, with the line and column of a syntax error. */
const jsonLoader: LoaderSync = (filepath, content) => {
  texts.set(filepath, content);
  try {
    return JSON.parse(content) as unknown;
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!;
    // V8 says where for most errors ("... in JSON at position 12"); otherwise the YAML parser, which reads JSON, may
    const at = /at position (\d+)/.exec(message);
    let where = "";
    if (at) {
      const before = content.slice(0, Number(at[1]));
      where = `:${before.split("\n").length}:${before.length - before.lastIndexOf("\n")}`;
    } else {
      const lines = new LineCounter();
      const error = parseDocument(content, { lineCounter: lines, prettyErrors: false }).errors[0];
      if (error) where = `:${lines.linePos(error.pos[0]).line}:${lines.linePos(error.pos[0]).col}`;
    }
    throw new ConfigError(`${filepath}${where}: not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}`);
  }
};

/** YAML (which reads JSON too), with the line and column of a syntax error. */
const yamlLoader: LoaderSync = (filepath, content) => {
  texts.set(filepath, content);
  const lines = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lines, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw new ConfigError(`${filepath}:${line}:${col}: not valid YAML: ${error.message.split("\n")[0]}`);
  }
  return doc.toJS() as unknown;
};

/** .dockerfile-codemodrc: JSON when it is an object in braces (JSON's own messages, tabs allowed), YAML otherwise. */
const rcLoader: LoaderSync = (filepath, content) => (content.trimStart().startsWith("{") ? jsonLoader : yamlLoader)(filepath, content);

const LOADERS = { ".json": jsonLoader, ".yaml": yamlLoader, ".yml": yamlLoader, noExt: rcLoader };

/** Checks a configuration object: known keys, rule selectors that name rules, the right types. */
export function validateConfig(value: unknown, path: string, locate: Locate = nowhere): CodemodConfig {
  const fail = (message: string, keyPath: readonly (string | number)[] = [], at: "key" | "value" = "value"): never => {
    throw new ConfigError(`${path}${locate(keyPath, at)}: ${message}`);
  };
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) fail("the configuration must be an object (a mapping)");
  const obj = value as Record<string, unknown>;
  const given = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const canonical = KEYS[key];
    if (!canonical) {
      const near = closest(key, Object.keys(KEYS));
      const known = [...new Set(Object.values(KEYS))].filter((k) => k !== "$schema").join(", ");
      fail(`unknown key "${key}" (${near ? `did you mean ${near}?` : `known: ${known}, or kebab-case: extend-select, unsafe-fixes, per-file-ignores, extend-exclude`})`, [key], "key");
    }
    const other = given.get(canonical!);
    if (other !== undefined) fail(`"${key}" and "${other}" are the same key: write one`, [key], "key");
    given.set(canonical!, key);
  }
  const key = (canonical: string) => given.get(canonical);
  const rules = (name: string, keyPath: (string | number)[], list: unknown, use: "select" | "ignore"): string[] => {
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) return fail(`"${name}" must be a list of rule names`, keyPath);
    for (const [i, id] of (list as string[]).entries()) {
      const problem = selectorProblem(id, use);
      if (problem) fail(`"${name}": ${problem}`, [...keyPath, i]);
    }
    return list as string[];
  };
  const config: CodemodConfig = {};
  const select = key("select");
  if (select) config.select = rules(select, [select], obj[select], "select");
  const extend = key("extendSelect");
  if (extend) config.extendSelect = rules(extend, [extend], obj[extend], "select");
  const ign = key("ignore");
  if (ign) config.ignore = rules(ign, [ign], obj[ign], "ignore");
  const unsafe = key("unsafeFixes");
  if (unsafe) {
    if (typeof obj[unsafe] !== "boolean") fail(`"${unsafe}" must be true or false`, [unsafe]);
    config.unsafeFixes = obj[unsafe] as boolean;
  }
  const perFile = key("perFileIgnores");
  if (perFile) {
    const p = obj[perFile];
    if (p === null || typeof p !== "object" || Array.isArray(p)) fail(`"${perFile}" must map globs to lists of rule names`, [perFile]);
    config.perFileIgnores = Object.fromEntries(
      Object.entries(p as Record<string, unknown>).map(([glob, list]) => [glob, rules(`${perFile}["${glob}"]`, [perFile, glob], list, "ignore")]),
    );
  }
  for (const name of ["exclude", "extendExclude"] as const) {
    const written = key(name);
    if (!written) continue;
    const list = obj[written];
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) fail(`"${written}" must be a list of patterns`, [written]);
    config[name] = list as string[];
  }
  return config;
}

/** hadolint's configuration: the codes of `ignored`; a warning names the keys not read and what is not a code. */
export function readHadolintConfig(value: unknown, path: string, locate: Locate = nowhere): { ignored: string[]; warnings: string[] } {
  if (value === null || value === undefined) return { ignored: [], warnings: [] };
  if (typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`${path}${locate([])}: hadolint's configuration must be a mapping`);
  const obj = value as Record<string, unknown>;
  const warnings: string[] = [];
  const notRead = Object.keys(obj).filter((k) => !HADOLINT_KEYS_READ.has(k));
  if (notRead.length) warnings.push(`${path}: hadolint settings not read by dockerfile-codemod: ${notRead.join(", ")} (it reads "ignored" only)`);
  const list = obj.ignored ?? [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) throw new ConfigError(`${path}${locate(["ignored"])}: "ignored" must be a list of codes`);
  const codes = (list as string[]).map((c) => c.trim());
  const odd = codes.filter((c) => !isHadolintCode(c));
  if (odd.length) warnings.push(`${path}: "ignored": not hadolint codes, passed over: ${odd.join(", ")}`);
  return { ignored: codes.filter(isHadolintCode), warnings };
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

function isHadolintFile(path: string): boolean {
  return HADOLINT_PLACES.includes(basename(path));
}

/** Finds and caches configuration files for the files of one run; each file is read, checked and warned about once. */
export class ConfigResolver {
  private readonly searchers = new Map<string, ReturnType<typeof lilconfig>>();
  private readonly explicit: Promise<FoundConfig> | null;
  private readonly checked = new Map<string, Promise<CodemodConfig>>();
  private readonly hadolintChecked = new Map<string, Promise<{ path: string; ignored: string[] }>>();

  constructor(
    private readonly options: { configFile?: string; noConfig?: boolean; cwd: string; warn?: (message: string) => void },
  ) {
    this.explicit = options.configFile ? this.loadFile(resolve(options.cwd, options.configFile)) : null;
    // a rejection is reported when the first file asks for it
    this.explicit?.catch(() => {});
  }

  private searcher(kind: "own" | "hadolint", stopDir: string) {
    const key = `${kind}\0${stopDir}`;
    let s = this.searchers.get(key);
    if (!s) {
      s =
        kind === "own"
          ? lilconfig(NAME, { searchPlaces: SEARCH_PLACES, stopDir, packageProp: NAME, loaders: LOADERS })
          : lilconfig("hadolint", { searchPlaces: HADOLINT_PLACES, stopDir, loaders: LOADERS });
      this.searchers.set(key, s);
    }
    return s;
  }

  private own(result: LilconfigResult & object): Promise<CodemodConfig> {
    let p = this.checked.get(result.filepath);
    if (!p) {
      const text = texts.get(result.filepath);
      const prefix = basename(result.filepath) === "package.json" ? [NAME] : [];
      p = (async () => validateConfig(result.config, result.filepath, text === undefined ? nowhere : locator(text, prefix)))();
      this.checked.set(result.filepath, p);
    }
    return p;
  }

  private hadolint(result: LilconfigResult & object): Promise<{ path: string; ignored: string[] }> {
    let p = this.hadolintChecked.get(result.filepath);
    if (!p) {
      const text = texts.get(result.filepath);
      p = (async () => {
        const read = readHadolintConfig(result.config, result.filepath, text === undefined ? nowhere : locator(text));
        for (const w of read.warnings) this.options.warn?.(w);
        return { path: result.filepath, ignored: read.ignored };
      })();
      this.hadolintChecked.set(result.filepath, p);
    }
    return p;
  }

  private async loadFile(path: string): Promise<FoundConfig> {
    const kind = isHadolintFile(path) ? "hadolint" : "own";
    let result: LilconfigResult;
    try {
      result = await this.searcher(kind, dirname(path)).load(path);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`${path}: cannot read the configuration: ${(e as Error).message.split("\n")[0]}`);
    }
    const found = result ?? { filepath: path, config: {} };
    if (kind === "hadolint") return { path: null, config: {}, hadolint: await this.hadolint(found) };
    return { path, config: await this.own(found) };
  }

  private async search(kind: "own" | "hadolint", dir: string, stop: string): Promise<LilconfigResult> {
    try {
      return await this.searcher(kind, stop).search(dir);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`cannot read the configuration for ${dir}: ${(e as Error).message.split("\n")[0]}`);
    }
  }

  /** The configuration in effect for a file (absolute path). */
  async forFile(file: string): Promise<FoundConfig> {
    if (this.options.noConfig) return { path: null, config: {} };
    if (this.explicit) return this.explicit;
    const dir = dirname(file);
    const stop = repositoryRoot(dir) ?? resolve("/");
    const own = await this.search("own", dir, stop);
    const hadolint = await this.search("hadolint", dir, stop);
    return {
      path: own?.filepath ?? null,
      config: own ? await this.own(own) : {},
      hadolint: hadolint ? await this.hadolint(hadolint) : null,
    };
  }
}

/** What the command line says about rules and files (undefined: not given). */
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
  /** The `exclude` pattern that excludes the file, or null. */
  excluded: string | null;
  configPath: string | null;
  /** The .hadolint.yaml whose `ignored` codes are in `ignore`, or null. */
  hadolintPath: string | null;
}

function relativeTo(base: string, file: string): string {
  return relative(base, file).split(sep).join("/");
}

/** `exclude` and `extendExclude` together (the same list each time for one configuration, so its matcher is built once). */
const combined = new WeakMap<CodemodConfig, readonly string[] | undefined>();
function excludePatterns(config: CodemodConfig): readonly string[] | undefined {
  if (!config.extendExclude) return config.exclude;
  if (!combined.has(config)) combined.set(config, [...(config.exclude ?? []), ...config.extendExclude]);
  return combined.get(config);
}

const excluders = new WeakMap<readonly string[], Ignore>();

/** The `exclude` pattern that excludes a path (relative to the configuration file, with `/`), read as .gitignore reads its lines; null when none does. */
function excludedBy(patterns: readonly string[] | undefined, rel: string): string | null {
  if (!patterns?.length || rel === "" || rel.startsWith("../") || rel === ".." || isAbsolute(rel)) return null;
  let ig = excluders.get(patterns);
  if (!ig) {
    ig = ignore().add(patterns);
    excluders.set(patterns, ig);
  }
  const t = ig.test(rel);
  return t.ignored ? (t.rule?.pattern ?? patterns[0]!) : null;
}

/** Flags over the configuration, for `file` (absolute). */
export function settingsFor(found: FoundConfig, flags: RuleFlags, file: string): Settings {
  const { config, path } = found;
  const base = path ? dirname(path) : dirname(file);
  const rel = relativeTo(base, file);
  const perFileIgnored = Object.entries(config.perFileIgnores ?? {})
    .filter(([glob]) => micromatch.isMatch(rel, glob, { dot: true, matchBase: !glob.includes("/") }))
    .map(([glob, rules]) => ({ glob, rules }));
  const select = flags.select ?? config.select;
  return {
    select,
    extendSelect: flags.select ? (flags.extendSelect ?? []) : [...(config.extendSelect ?? []), ...(flags.extendSelect ?? [])],
    ignore: [...(found.hadolint?.ignored ?? []), ...(config.ignore ?? []), ...(flags.ignore ?? []), ...perFileIgnored.flatMap((p) => p.rules)],
    unsafeFixes: flags.unsafeFixes ?? config.unsafeFixes ?? false,
    perFileIgnored,
    excluded: excludedBy(excludePatterns(config), rel),
    configPath: path,
    hadolintPath: found.hadolint?.path ?? null,
  };
}
