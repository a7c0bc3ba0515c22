/**
 * Prints a model the way BuildKit's parser dumps its AST (parser.Node.Dump),
 * so the model and the meaning parsers can be checked against BuildKit's own
 * `result` files in ../shared/corpus/conformance.
 */
import type { Command, DockerfileModel } from "../src/model/model.js";
import { parseJSONArray, parseNameVal, parseWords, splitWhitespace } from "../src/meaning/buildkit.js";
import type { EscapeChar } from "../src/model/scan.js";

/** Go's strconv.Quote for the characters these files use. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\v") out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function values(cmd: Command, escape: EscapeChar): string[] | { child: Command } {
  const args = cmd.args;
  switch (cmd.keyword) {
    case "RUN":
    case "CMD":
    case "ENTRYPOINT":
    case "SHELL":
      if (args === "") return [];
      return parseJSONArray(args) ?? [args];
    case "ADD":
    case "COPY":
    case "VOLUME":
      return parseJSONArray(args) ?? splitWhitespace(args);
    case "ENV":
    case "LABEL":
      return parseNameVal(args, cmd.keyword, escape, 0).flatMap((p) => [p.name, p.value, p.sep]);
    case "ARG":
      return parseWords(args, escape);
    case "EXPOSE":
    case "FROM":
      return splitWhitespace(args);
    case "MAINTAINER":
    case "STOPSIGNAL":
    case "USER":
    case "WORKDIR":
      return args === "" ? [] : [args];
    case "HEALTHCHECK": {
      const m = /\s/.exec(args);
      if (args === "" || m?.index === 0) return [];
      const type = m ? args.slice(0, m.index) : args;
      const rest = m ? args.slice(m.index).trimStart() : "";
      if (rest === "") return [type];
      return [type, ...(parseJSONArray(rest) ?? [rest])];
    }
    case "ONBUILD":
      return cmd.trigger ? { child: cmd.trigger } : [];
    default:
      return [""];
  }
}

function dumpCommand(cmd: Command, escape: EscapeChar): string {
  let s = cmd.keywordRaw.toLowerCase();
  if (cmd.flags.length > 0) s += ` [${cmd.flags.map(goQuote).join(" ")}]`;
  const v = values(cmd, escape);
  if (Array.isArray(v)) {
    for (const x of v) s += ` ${goQuote(x)}`;
  } else {
    s += ` (${dumpCommand(v.child, escape)})\n`;
  }
  return s.trim();
}

export function dumpModel(model: DockerfileModel): string {
  return model.instructions
    .map((i) => `(${dumpCommand(i.command, model.escape)})`)
    .join("\n");
}
