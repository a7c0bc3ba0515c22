/**
 * Dockerfiles aimed at the places where a reader can differ from BuildKit's
 * parser: blanks (every Go and JavaScript space, Unicode ones included)
 * around keywords, flags, `<<` and continuation escapes; heredoc spellings;
 * escapes and the escape directive; parser directives; keyword spellings
 * (case, `ſ`, the Kelvin sign, dotted I); JSON arrays; legacy ENV; comment
 * and empty lines inside continuations; CRLF and byte-order marks. A seeded
 * generator, so a failing case can be reproduced from its number.
 */

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

/** Go spaces, JavaScript-only spaces, and look-alikes that are no space at all. */
export const SPACES = [" ", "\t", "\v", "\f", "\r", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u180e", "\u200b"];
const COMMON_BLANKS = [" ", " ", " ", "  ", "\t", " \t"];

function blank(r: Rand): string {
  if (chance(r, 0.75)) return pick(r, COMMON_BLANKS);
  let s = "";
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) s += pick(r, SPACES);
  return s;
}

function optBlank(r: Rand): string {
  return chance(r, 0.5) ? "" : blank(r);
}

const KEYWORD_SPELLINGS: Record<string, string[]> = {
  RUN: ["RUN", "run", "Run", "rUn"],
  CMD: ["CMD", "cmd"],
  ENTRYPOINT: ["ENTRYPOINT", "entrypoint", "ENTRYPO\u0130NT"],
  COPY: ["COPY", "copy"],
  ADD: ["ADD", "add"],
  FROM: ["FROM", "from"],
  ENV: ["ENV", "env"],
  LABEL: ["LABEL", "label"],
  ARG: ["ARG", "arg"],
  WORKDIR: ["WORKDIR", "workdir", "WOR\u212aDIR", "wor\u212adir"],
  USER: ["USER"],
  EXPOSE: ["EXPOSE", "expose"],
  STOPSIGNAL: ["STOPSIGNAL", "stopsignal", "\u017ftopsignal", "STOP\u017fIGNAL"],
  HEALTHCHECK: ["HEALTHCHECK", "healthcheck"],
  SHELL: ["SHELL", "\u017fhell"],
  ONBUILD: ["ONBUILD", "onbuild", "ONBU\u0130LD", "onbu\u0131ld"],
  VOLUME: ["VOLUME"],
  MAINTAINER: ["MAINTAINER", "MAINTA\u0130NER"],
  FOO: ["FOO", "foo", "f\u00f6\u00f6"],
};

const WORDS = ["echo", "hi", "a", "b", "'a  b'", '"a  b"', "$X", "${X}", "${X:-a b}", "\\$x", "a\\ b", "\\\\", "&&", "||", ";", "|", "x=1", "é", "à", "日本", "#", "#c", "[", "]", '"', "'", "\\", "`", "<<", "<", ">", "2>&1", "$(id)", "`id`"];

const HEREDOC_WORDS = [
  "<<EOF", "<< EOF", "<<\tEOF", "<<  EOF", "<<-EOF", "<<- EOF", "<<'EOF'", '<<"EOF"', '<<"E O F"', "<<'E O F'", "<<E\\ OF",
  "3<<EOF", "3<< EOF", "<<EOF<<EOT", "<<$X", "<<${X}", "<<${X:-a b}", "<<'E'\"F\"", "<<<EOF", "<<\\EOF", "cat<<EOF", "<<EOF;", '<<"EOF', "<<-\t'EOF'", "<<\rEOF", "<<\u3000EOF", "<<\vEOF", "0<<EOF", "<<EOF>out",
];

function heredocName(word: string): string {
  const m = /<<-?[\t\r ]*(.*)$/.exec(word);
  const rest = (m?.[1] ?? "EOF").replace(/^['"]|['";]$|['"]$/g, "").replace(/\\ /g, " ");
  return rest.includes("<<") ? "EOF" : rest || "EOF";
}

function flagsFor(r: Rand, keyword: string): string {
  if (!chance(r, 0.3)) return "";
  const choices: Record<string, string[]> = {
    RUN: ["--mount=type=cache,target=/root/.cache", "--network=none", "--security=insecure", '--mount="type=secret,id=a b"', "--mount=type=bind,target=/é", "--mount=x=\u00e0", "--", "--foo"],
    COPY: ["--from=build", "--chown=1:1", "--link", "--chmod=755", '--from="a b"'],
    ADD: ["--chown=1:1", "--checksum=sha256:abc", "--link"],
    FROM: ["--platform=$BUILDPLATFORM", "--platform=linux/amd64", "--platform=windows/amd64"],
    HEALTHCHECK: ["--interval=5s", "--retries=3", "--timeout=1m"],
  };
  const list = choices[keyword];
  if (!list) return chance(r, 0.3) ? "--x=1 " : "";
  let s = "";
  const n = 1 + Math.floor(r() * 2);
  for (let i = 0; i < n; i++) s += pick(r, list) + blank(r);
  return s;
}

function argsFor(r: Rand, keyword: string): string {
  switch (keyword) {
    case "FROM":
      return pick(r, ["alpine", "alpine AS build", "alpine as Build", "alpine A\u017f x", "$BASE", "${BASE}", "mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/dotnet/framework/aspnet:4.8", "golang:1.22-nanoserver", "debian:12  AS   b", "scratch"]);
    case "ENV":
    case "LABEL":
      return pick(r, ["a b", "a=b", "a=b c=d", 'a="b  c"', "a  b   c", "a\tb", "a=", "a", 'a="b', "a=b\u00a0c", "a\u3000b c", "'a b'=c", "a=$b", "a\\ b=c"]);
    case "ARG":
      return pick(r, ["A", "A=1", 'A="x y"', "BASE=alpine", "A B", "A=1 B=2", "A=${B}", ""]);
    case "EXPOSE":
      return pick(r, ["80", "80/tcp", "80/TCP 443", "0.0.0.0:80:80", "80\u00a0443"]);
    case "HEALTHCHECK":
      return pick(r, ["CMD curl -f http://x/ || exit 1", 'CMD ["curl", "-f"]', "NONE", "cmd  echo   hi", "CMD", "CMD\u00a0x", "CM\u00d0 x", "NONE x", 'CMD ["a", 1]']);
    case "ONBUILD":
      return pick(r, ["RUN echo hi", "run  echo   hi", "COPY . /x", "ONBUILD RUN x", "RUN <<EOF", 'RUN ["a"]', "", "FOO bar"]);
    case "SHELL":
      return pick(r, ['["/bin/bash", "-c"]', '["powershell", "-Command"]', '["cmd", "/S", "/C"]', "/bin/sh -c"]);
    case "VOLUME":
    case "COPY":
    case "ADD":
    case "CMD":
    case "ENTRYPOINT":
      if (chance(r, 0.4)) return pick(r, ['["a", "b"]', '["a" ]', "['a']", "[1]", "[1e999]", '["\\ud800"]', "[]", '["a"] x', '[ "a",\t"b"]', '["a b"]', "[\"a\"]\u00a0", "[\"a\"]\u0085"]);
      break;
  }
  let s = "";
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += (i > 0 ? blank(r) : "") + pick(r, WORDS);
  return s;
}

const ESCAPES = ["\\", "\\", "\\ ", "\\\t", "\\  "];

/** One instruction: its physical lines (and heredoc bodies). */
function instruction(r: Rand, escape: string): string[] {
  const keyword = pick(r, Object.keys(KEYWORD_SPELLINGS));
  const spelled = pick(r, KEYWORD_SPELLINGS[keyword]!);
  const lead = chance(r, 0.1) ? blank(r) : "";
  let logical = `${lead}${spelled}${blank(r)}${flagsFor(r, keyword)}${argsFor(r, keyword)}`;
  const heredocs: string[] = [];
  if ((keyword === "RUN" || keyword === "COPY" || keyword === "ADD" || keyword === "ONBUILD") && chance(r, 0.35)) {
    const n = chance(r, 0.2) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      const word = pick(r, HEREDOC_WORDS);
      logical += `${blank(r)}${keyword === "COPY" || keyword === "ADD" ? "" : "cat "}${word}`;
      heredocs.push(heredocName(word));
    }
    if (keyword === "COPY" || keyword === "ADD") logical += " /dst";
  }
  const lines = splitIntoContinuation(r, logical, escape === "`" ? "`" : pick(r, ESCAPES));
  for (const name of heredocs) {
    const body = Math.floor(r() * 3);
    for (let k = 0; k < body; k++) lines.push(pick(r, ["  echo hi   ", "run   echo  hi", "\tindented", "", "# not a comment", "CMD x", "EOF ", " EOF", "\\", name + "x"]));
    lines.push(pick(r, [name, name, `\t${name}`, `${name}\r`]));
  }
  return lines;
}

/** Breaks a logical line into continuation lines at random points, with comment and empty lines between. */
function splitIntoContinuation(r: Rand, logical: string, escape: string): string[] {
  if (!chance(r, 0.4) || logical.length < 4) return [logical];
  const lines: string[] = [];
  let rest = logical;
  while (rest.length > 3 && chance(r, 0.6)) {
    const at = 1 + Math.floor(r() * (rest.length - 2));
    lines.push(rest.slice(0, at) + escape);
    if (chance(r, 0.2)) lines.push(pick(r, ["", " ", "\t", "\u3000", "\u00a0", "\u2028", "\ufeff", "\v", "  # comment", "#", "\u3000# c", "\u0085# c"]));
    rest = (chance(r, 0.3) ? pick(r, COMMON_BLANKS) : "") + rest.slice(at);
  }
  lines.push(rest);
  return lines;
}

const DIRECTIVE_LINES = ["# syntax=docker/dockerfile:1", "#escape=`", "# escape = `", "# escape=\\", "#\u3000escape=`", "# escape=`\u00a0", "# ESCAPE=`", "# check=skip=all", "# syntax=x\v", "#\tcheck = error=true", "# escape=x", "# Escape=`", "# foo=bar", "# comment"];

/** Lines between instructions: comments as BuildKit's PrevComment keeps them, `check=` settings for its linter, blanks. */
const COMMENT_LINES = ["", "# comment", "  # indented comment", "\u3000", "\u3000# c", "\ufeff# not a comment", "\u0085# c", "#", "  #", "\t#", "#\u3000", "\u00a0#", "# check=skip=A", "  # check=skip=B", "#\u0085check=skip=C", "# CHECK = skip=D;error=true", "#check=skip=E F", "\t# check=skip=G"];

/** A whole file. */
export function edgeCaseFile(seed: number): string {
  const r = rng(seed);
  const lines: string[] = [];
  let escape = "\\";
  if (chance(r, 0.3)) {
    const n = 1 + Math.floor(r() * 2);
    for (let k = 0; k < n; k++) {
      const d = pick(r, DIRECTIVE_LINES);
      if (d.includes("escape") && d.includes("`")) escape = "`";
      lines.push(d);
    }
    if (chance(r, 0.3)) lines.push("");
  }
  if (chance(r, 0.7)) lines.push(`FROM ${pick(r, ["alpine", "debian:12", "mcr.microsoft.com/windows/servercore:ltsc2022", "$BASE"])}`);
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) {
    if (chance(r, 0.15)) lines.push(pick(r, COMMENT_LINES));
    lines.push(...instruction(r, escape));
  }
  const eol = chance(r, 0.15) ? "\r\n" : "\n";
  let text = lines.join(eol);
  if (chance(r, 0.8)) text += eol;
  if (chance(r, 0.05)) text = "\ufeff" + text;
  return text;
}

/** A RUN of `count` chained commands, one per line (4,000 made the old printer overflow its stack). */
export function longRun(count: number): string {
  const lines = ["FROM alpine", `RUN echo start && \\`];
  for (let i = 0; i < count; i++) lines.push(`    echo ${i} && \\`);
  lines.push("    true");
  return lines.join("\n") + "\n";
}
