/**
 * What a Dockerfile is called: the one definition, used by the Prettier
 * plugin (isSupported), by the codemod (directory search, named files, glob
 * matches), and by scripts/sync-names.mjs, which writes the pre-commit
 * `files:` pattern in .pre-commit-hooks.yaml and the globs in README.md from
 * it (test/names.test.ts keeps them in step).
 *
 * Prettier picks a language for a file by exact name first, then by
 * extension, and only then asks a plugin's isSupported: the plugin lists
 * dockerfileFilenames() as its language's filenames, so that every
 * `Dockerfile.<suffix>` this function accepts is the plugin's even where
 * Prettier gives the suffix to a language of its own (`.webapp`: JSON).
 *
 * The rule, in any case: `Dockerfile`, `Containerfile`, `*.dockerfile`,
 * `*.containerfile`, and `Dockerfile.<suffix>` / `Containerfile.<suffix>`
 * unless the suffix's last dot-separated part is one of
 * NOT_DOCKERFILE_EXTENSIONS (a template, a backup, an ignore file, another
 * language's file) or the name ends with `~` (an editor's backup).
 */
import { PRETTIER_EXTENSIONS } from "./prettier-extensions.js";

/** The two base names, lower case. */
export const DOCKERFILE_STEMS = ["dockerfile", "containerfile"] as const;

/**
 * Last extensions that make `Dockerfile.<suffix>` something else than a
 * Dockerfile, lower case, without the dot. Names of variants (`prod`, `dev`,
 * `alpine`, `windows`, `node`, `python`, `example`, `3.12`) are Dockerfiles;
 * file-type extensions are not.
 */
export const NOT_DOCKERFILE_EXTENSIONS: readonly string[] = [
  // BuildKit's per-Dockerfile ignore file (Dockerfile.dockerignore), other ignore files
  "dockerignore",
  "containerignore",
  "gitignore",
  // templates that generate a Dockerfile (docker-library's Dockerfile.template, Jinja, ERB, Go, autoconf)
  "template",
  "tmpl",
  "tpl",
  "j2",
  "jinja",
  "jinja2",
  "erb",
  "ejs",
  "hbs",
  "handlebars",
  "mustache",
  "njk",
  "liquid",
  "twig",
  "gotmpl",
  "m4",
  "in",
  // backups, merge and patch leftovers, editor swap files
  "bak",
  "backup",
  "old",
  "orig",
  "rej",
  "swp",
  "swo",
  "tmp",
  "patch",
  "diff",
  // documentation and data
  "md",
  "markdown",
  "rst",
  "adoc",
  "txt",
  "json",
  "jsonc",
  "json5",
  "yml",
  "yaml",
  "toml",
  "ini",
  "cfg",
  "conf",
  "xml",
  "html",
  "htm",
  "css",
  "csv",
  // scripts and source code (dockerfile.go, dockerfile.py, Dockerfile.java are programs about Dockerfiles)
  "sh",
  "bash",
  "zsh",
  "fish",
  "ps1",
  "psm1",
  "bat",
  "cmd",
  "py",
  "pyi",
  "js",
  "mjs",
  "cjs",
  "jsx",
  "ts",
  "mts",
  "cts",
  "tsx",
  "go",
  "rs",
  "rb",
  "pl",
  "php",
  "java",
  "kt",
  "scala",
  "cs",
  "c",
  "h",
  "cpp",
  "swift",
  "lua",
  "nix",
  "tf",
  "hcl",
  // test snapshots, lock files, logs
  "snap",
  "lock",
  "log",
  // archives, images, checksums and signatures
  "tar",
  "gz",
  "tgz",
  "bz2",
  "xz",
  "zst",
  "zip",
  "png",
  "jpg",
  "svg",
  "pdf",
  "sha256",
  "sha512",
  "md5",
  "asc",
  "sig",
];

const NOT_EXTENSIONS = new Set(NOT_DOCKERFILE_EXTENSIONS);

/** The last path component, lower case (`/` and `\` both separate). */
function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return path.slice(i + 1).toLowerCase();
}

/** Whether a file of this name (or path: only its last component counts) is a Dockerfile. */
export function isDockerfileName(path: string): boolean {
  const base = baseName(path);
  for (const stem of DOCKERFILE_STEMS) {
    if (base === stem || base.endsWith(`.${stem}`)) return true;
  }
  for (const stem of DOCKERFILE_STEMS) {
    if (!base.startsWith(`${stem}.`)) continue;
    const suffix = base.slice(stem.length + 1);
    if (suffix === "" || base.endsWith("~")) return false;
    return !NOT_EXTENSIONS.has(suffix.slice(suffix.lastIndexOf(".") + 1));
  }
  return false;
}

/**
 * The pre-commit `files:` pattern (a Python regular expression, searched in
 * the path relative to the repository): exactly the names isDockerfileName
 * accepts.
 */
export function preCommitFilesPattern(): string {
  const stems = DOCKERFILE_STEMS.join("|");
  const not = NOT_DOCKERFILE_EXTENSIONS.join("|");
  return `(?i)(^|/)((${stems})(\\.(?!([^/]*\\.)?(${not})$)[^/]*[^/~])?|[^/]*\\.(${stems}))$`;
}

/** `[Dd][Oo]...`: a glob that matches a word in any case (micromatch and fast-glob are case-sensitive). */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : c)).join("");
}

/**
 * A glob (micromatch / fast-glob syntax, as lint-staged and `prettier` read
 * it) for the files whose names start or end like a Dockerfile's: `Dockerfile`,
 * `Containerfile`, `*.dockerfile`, `Dockerfile.*` (and `*.Dockerfile.*`),
 * any case, in any directory. A single glob cannot also leave out the
 * excluded suffixes in any case (micromatch ignores an extglob `!(...)`
 * inside braces), so the commands given it take `--ignore-unknown`, and each
 * tool skips, silently, what isDockerfileName rejects.
 */
export function dockerfileGlob(): string {
  return `**/{*.,}{${DOCKERFILE_STEMS.map(anyCase).join(",")}}{,.*}`;
}

/** `Dockerfile`, `Containerfile`: the base names as they are usually written. */
function capitalised(stem: string): string {
  return stem[0]!.toUpperCase() + stem.slice(1);
}

/**
 * The exact names the Prettier plugin lists as its language's `filenames`:
 * `Dockerfile` and `Containerfile`, and `Dockerfile<extension>` /
 * `Containerfile<extension>` for each extension of Prettier's own languages
 * (PRETTIER_EXTENSIONS) that makes a name isDockerfileName accepts
 * (`Dockerfile.webapp`, `Containerfile.inc`). Prettier compares them with a
 * file's name in any case and before any language's extensions, so the plugin
 * wins for these names. It cannot for a name with one more suffix before such
 * an extension (`Dockerfile.prod.webapp`): Prettier matches extensions by the
 * end of the name, and a language's filenames are exact names;
 * prettierClaimsFirst tells those apart, and the README gives the `overrides`
 * entry that fixes each.
 */
export function dockerfileFilenames(): string[] {
  const names = DOCKERFILE_STEMS.map(capitalised);
  for (const stem of DOCKERFILE_STEMS) {
    for (const ext of PRETTIER_EXTENSIONS) {
      const name = capitalised(stem) + ext;
      if (isDockerfileName(name)) names.push(name);
    }
  }
  return names;
}

/**
 * Whether Prettier, with the plugin, still gives this Dockerfile name to one
 * of its own languages: a name isDockerfileName accepts whose end is an
 * extension of Prettier's (compared as Prettier compares them: the name in
 * lower case, the extension as Prettier writes it) and that is not one of
 * dockerfileFilenames(). `Dockerfile.prod.webapp` is; `Dockerfile.webapp`,
 * `Dockerfile.prod` and `api.Dockerfile` are not.
 */
export function prettierClaimsFirst(path: string): boolean {
  const base = baseName(path);
  if (!isDockerfileName(base)) return false;
  if (dockerfileFilenames().some((n) => n.toLowerCase() === base)) return false;
  return PRETTIER_EXTENSIONS.some((ext) => base.endsWith(ext));
}
