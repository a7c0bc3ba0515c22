/**
 * What a Dockerfile is called: the one definition, used by the Prettier
 * plugin (isSupported), by the codemod (directory search, named files, glob
 * matches), and by scripts/sync-names.mjs, which writes the pre-commit
 * `files:` pattern in .pre-commit-hooks.yaml and the globs in README.md from
 * it (test/names.test.ts keeps them in step).
 *
 * The rule, in any case: `Dockerfile`, `Containerfile`, `*.dockerfile`,
 * `*.containerfile`, and `Dockerfile.<suffix>` / `Containerfile.<suffix>`
 * unless the suffix's last dot-separated part is one of
 * NOT_DOCKERFILE_EXTENSIONS (a template, a backup, an ignore file, another
 * language's file) or the name ends with `~` (an editor's backup).
 */

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
