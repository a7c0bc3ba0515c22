/**
 * What a stage is built on, as BuildKit's dockerfile2llb decides it: the
 * FROM base name expanded with the global ARGs (those before the first
 * FROM, each default expanded with the ones before it), then matched
 * exactly against the names of earlier stages (stored lower case); and
 * whether that base is a Windows image, whose default SHELL is
 * `cmd /S /C` instead of `/bin/sh -c`.
 *
 * What cannot be known from the file: a `--build-arg` may override any
 * global ARG, and a base image's real OS and ENTRYPOINT are in its
 * registry config. A base that uses a build argument is marked so
 * (`fromArgs`), and one that cannot be resolved (an ARG without default,
 * a platform argument) has `resolved: null`; such a base is assumed to be
 * a Linux image for the shell (BuildKit's default), and the rules treat it
 * as unknown.
 */
import { processWord, LexError, UnsupportedExpansion } from "./lex.js";
import { goTrimSpace, splitReWhitespace, goEqualFoldAscii, goToLower } from "./go.js";
import { parseWords, type Command, type EscapeChar } from "./command.js";

export interface StageBase {
  /** The base as written (FROM's first argument). */
  written: string;
  /** The base with the global ARG defaults expanded, or null when it depends on a value the file does not give. */
  resolved: string | null;
  /** The base uses a build argument, which `docker build --build-arg` may override. */
  fromArgs: boolean;
  /** The value of `--platform`, expanded like the base, if given. */
  platform: string | null;
}

/**
 * Windows base images: Microsoft's Windows images and the families built
 * on them (servercore, nanoserver, the Windows server image, .NET
 * Framework, IIS), and images of other projects whose name or tag names a
 * Windows base as a word (`python:3.12-windowsservercore-ltsc2022`,
 * `golang:1.22-nanoserver`, `stefanscherer/node-windows`,
 * `…:1.0-windows1809-amd64`, `…/nanoserver-insider`).
 */
const WINDOWS_REPOSITORIES = [
  /(^|\/)mcr\.microsoft\.com\/windows(\/|$)/,
  /(^|\/)mcr\.microsoft\.com\/dotnet\/framework(\/|$)/,
  /(^|\/)microsoft\/(windowsservercore|nanoserver|iis|aspnet|dotnet-framework|dotnet-framework-build|wcf|mssql-server-windows[a-z-]*)(\/|$)/,
];
/** Words that name a Windows base, alone or followed by a version number (`windows1809`, `nanoserver1903`). */
const WINDOWS_WORDS = new Set(["windows", "windowsserver", "windowsservercore", "servercore", "nanoserver"]);
/** Words that name a Windows Server release: `ltsc2019`, `ltsc2022`, `win2019`. */
const WINDOWS_RELEASE_PREFIXES = new Set(["ltsc", "win"]);

/** The words of an image reference: its parts between `-`, `_`, `.`, `/` and `:`. */
function imageWords(reference: string): string[] {
  return reference.split(/[-_./:]/);
}

/** Whether one word of an image reference names a Windows base (see WINDOWS_WORDS and WINDOWS_RELEASE_PREFIXES). */
function isWindowsWord(word: string): boolean {
  let letters = word.length;
  while (letters > 0 && word.charCodeAt(letters - 1) >= 0x30 && word.charCodeAt(letters - 1) <= 0x39) letters--;
  const name = word.slice(0, letters);
  const version = word.slice(letters);
  if (WINDOWS_WORDS.has(name)) return true;
  return WINDOWS_RELEASE_PREFIXES.has(name) && version.length === 4 && version.startsWith("20");
}

export function isWindowsImage(reference: string): boolean {
  const ref = reference.toLowerCase().replace(/@.*$/, "");
  const slash = ref.lastIndexOf("/");
  const colon = ref.indexOf(":", slash + 1);
  const repository = colon === -1 ? ref : ref.slice(0, colon);
  if (WINDOWS_REPOSITORIES.some((re) => re.test(repository))) return true;
  return imageWords(ref).some(isWindowsWord);
}

/** The platform of a `--platform` value: Windows when its OS part is windows. */
export function isWindowsPlatform(platform: string): boolean {
  return /^windows(\/|$)/i.test(platform.trim());
}

/** The global ARGs (before the first FROM): each name and its default as BuildKit computes it (undefined: no default). */
export function globalArgs(commands: readonly Command[], escape: EscapeChar): Map<string, string | undefined> {
  const args = new Map<string, string | undefined>();
  for (const cmd of commands) {
    if (cmd.keyword === "FROM") break;
    if (cmd.keyword !== "ARG") continue;
    for (const word of parseWords(cmd.args, escape)) {
      const eq = word.indexOf("=");
      const name = eq === -1 ? word : word.slice(0, eq);
      if (eq === -1) {
        if (!args.has(name)) args.set(name, undefined);
        continue;
      }
      const value = expand(word.slice(eq + 1), args, escape);
      args.set(name, value?.text);
    }
  }
  return args;
}

function expand(text: string, args: Map<string, string | undefined>, escape: EscapeChar): { text: string; usedArgs: boolean } | null {
  let used = false;
  try {
    const { result, unmatched } = processWord(text, { escape }, (name) => {
      if (args.has(name)) used = true;
      return args.get(name);
    });
    if (unmatched.size > 0) return null;
    return { text: result, usedArgs: used };
  } catch (e) {
    if (e instanceof LexError || e instanceof UnsupportedExpansion) return null;
    throw e;
  }
}

/** The base of a FROM command, resolved through the global ARGs. */
export function stageBase(from: Command, args: Map<string, string | undefined>, escape: EscapeChar): StageBase {
  const words = from.args === "" ? [] : splitReWhitespace(from.args, -1);
  const written = words[0] ?? "";
  const base = written.includes("$") ? expand(written, args, escape) : { text: written, usedArgs: false };
  const platformFlag = from.flags.find((f) => f.startsWith("--platform="));
  let platform: string | null = null;
  if (platformFlag) {
    const value = platformFlag.slice("--platform=".length);
    platform = value.includes("$") ? (expand(value, args, escape)?.text ?? null) : value;
  }
  const resolved = base === null ? null : goTrimSpace(base.text) === "" ? null : base.text;
  return { written, resolved, fromArgs: base === null || base.usedArgs, platform };
}

/** The stage name FROM declares (`AS name`, compared as BuildKit does), lower case, or null. */
export function stageName(from: Command): string | null {
  const words = from.args === "" ? [] : splitReWhitespace(from.args, -1);
  if (words.length === 3 && goEqualFoldAscii(words[1]!, "as")) return goToLower(words[2]!);
  return null;
}
