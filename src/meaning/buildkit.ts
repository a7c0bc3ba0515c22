/**
 * BuildKit's per-instruction argument parsers (moby/buildkit
 * frontend/dockerfile/parser/line_parsers.go): what each instruction's
 * argument text means before any variable expansion. The parsers the model
 * itself needs live in model/command.ts; this adds the meaning's view.
 */
import {
  DockerfileSyntaxError,
  LineParseError,
  NOT_STRING_ARRAY,
  healthcheckParts,
  jsonArrayValue,
  parseNameVal as parseNameValOrThrow,
  parseWords,
  type Command,
  type EscapeChar,
  type NameValue,
} from "../model/command.js";
import { goToLower, splitReWhitespace } from "../model/go.js";

export { parseWords, type NameValue };

/** BuildKit's parseStringsWhitespaceDelimited (FROM, EXPOSE, shell-form ADD/COPY/VOLUME). */
export function splitWhitespace(rest: string): string[] {
  if (rest === "") return [];
  return splitReWhitespace(rest, -1);
}

/** parseNameVal, with BuildKit's error as a syntax error at `line` (0-based). */
export function parseNameVal(rest: string, keyword: string, escape: EscapeChar, line: number): NameValue[] {
  try {
    return parseNameValOrThrow(rest, keyword, escape);
  } catch (e) {
    if (e instanceof LineParseError) throw new DockerfileSyntaxError(e.message, line + 1, 1);
    throw e;
  }
}

export class NotStringArrayError extends Error {}

/** BuildKit's parseJSON: null when the text is not a JSON array; throws when it is one with non-strings. */
export function parseJSONArray(rest: string): string[] | null {
  const value = jsonArrayValue(rest);
  if (value === null) return null;
  if (!value.every((v) => typeof v === "string")) throw new NotStringArrayError(NOT_STRING_ARRAY);
  return value as string[];
}

/** An instruction as BuildKit's parser stores it (parser.Node): what its JSON dump and the oracle show. */
export interface BuildkitNode {
  /** The keyword as written. */
  value: string;
  original: string;
  flags: string[];
  /** Attributes["json"]: exec form. */
  json: boolean;
  /** The values of the Next chain. */
  next: string[];
  /** ONBUILD's instruction (BuildKit: the single child of a Next node with Value ""). */
  child: BuildkitNode | null;
}

/** What BuildKit's dispatch table (parser.go, line_parsers.go) makes of a command. */
export function buildkitNode(cmd: Command, original: string, escape: EscapeChar): BuildkitNode {
  const node: BuildkitNode = { value: cmd.keywordRaw, original, flags: cmd.flags, json: false, next: [], child: null };
  const args = cmd.args;
  const maybeJSON = (text: string): string[] => {
    if (text === "") return [];
    const arr = parseJSONArray(text);
    if (arr !== null) {
      node.json = true;
      return arr;
    }
    return [text];
  };
  switch (goToLower(cmd.keywordRaw)) {
    case "add":
    case "copy":
    case "volume": {
      const arr = parseJSONArray(args);
      node.json = arr !== null;
      node.next = arr ?? splitWhitespace(args);
      break;
    }
    case "arg":
      node.next = parseWords(args, escape);
      break;
    case "cmd":
    case "entrypoint":
    case "run":
    case "shell":
      node.next = maybeJSON(args);
      break;
    case "env":
    case "label":
      node.next = parseNameValOrThrow(args, cmd.keyword, escape).flatMap((p) => [p.name, p.value, p.sep]);
      break;
    case "expose":
    case "from":
      node.next = splitWhitespace(args);
      break;
    case "healthcheck": {
      const parts = healthcheckParts(args);
      node.next = parts ? [parts.type, ...maybeJSON(parts.rest)] : [];
      break;
    }
    case "maintainer":
    case "stopsignal":
    case "user":
    case "workdir":
      node.next = args === "" ? [] : [args];
      break;
    case "onbuild":
      if (cmd.trigger) {
        node.next = [""];
        node.child = buildkitNode(cmd.trigger, args, escape);
      }
      break;
    default:
      // parseIgnore: an empty node
      node.next = [""];
  }
  return node;
}
