/**
 * exec-form-single-quotes: an exec-form array written with single quotes
 * (`CMD ['python', 'app.py']`). It is not JSON, so BuildKit takes it for shell
 * form and /bin/sh runs a program named `['python',`. The fix writes the JSON
 * array of the words meant (unsafe: it changes what runs, to what was meant).
 */
import { healthcheckParts, parseCommand, type Command } from "../model/command.js";
import { goToUpper } from "../model/go.js";
import { scanSimpleCommand } from "../shell/literal-words.js";
import type { Instruction } from "../model/model.js";
import {
  applyLogicalEdits,
  argsLogicalOffset,
  logicalSpan,
  expectedKey,
  logicalEditsToSource,
  logicalRangeCrossesDroppedLine,
  suppressedRules,
} from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "exec-form-single-quotes";
const KEYWORDS = new Set(["CMD", "ENTRYPOINT", "RUN", "SHELL", "HEALTHCHECK"]);

/** One element of an array written with quotes: its quote, the text between the quotes, and where it is. */
interface QuotedElement {
  quote: "'" | '"';
  raw: string;
}

/**
 * An array text `[ 'a', "b" ]` read as a list of quoted elements, the way
 * someone who wrote it as exec form meant it: `[`, quoted strings separated
 * by commas, `]`, blanks between, nothing after. A backslash inside an
 * element escapes the next character (as in JSON, or JavaScript and Python
 * strings): `backslash` says there was one, and then the words are not plain.
 * Null when the text is not such an array, or has no single-quoted element
 * (a JSON array, or another kind of mistake).
 */
export function quotedArray(text: string): { elements: QuotedElement[]; backslash: boolean } | null {
  const blank = (c: string | undefined) => c === " " || c === "\t";
  let i = 0;
  while (blank(text[i])) i++;
  if (text[i] !== "[") return null;
  i++;
  const elements: QuotedElement[] = [];
  let backslash = false;
  for (;;) {
    while (blank(text[i])) i++;
    const q = text[i];
    if (q !== "'" && q !== '"') return null;
    let raw = "";
    for (i++; ; i++) {
      const c = text[i];
      if (c === undefined) return null;
      if (c === q) break;
      if (c === "\\") {
        backslash = true;
        raw += c;
        i++;
        if (text[i] === undefined) return null;
        raw += text[i];
        continue;
      }
      raw += c;
    }
    elements.push({ quote: q, raw });
    i++;
    while (blank(text[i])) i++;
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] !== "]") return null;
    i++;
    while (blank(text[i])) i++;
    if (i !== text.length) return null;
    break;
  }
  return elements.some((e) => e.quote === "'") ? { elements, backslash } : null;
}

/** The exec-form words an array written with quotes plainly means: every element single-quoted, no backslash; null otherwise. */
export function plainQuotedWords(text: string): string[] | null {
  const a = quotedArray(text);
  if (!a || a.backslash || a.elements.some((e) => e.quote !== "'")) return null;
  return a.elements.map((e) => e.raw);
}

/** Where the array is in the instruction's arguments (offset into `args`), and its text; null when the instruction has none. */
function arrayOf(command: Command): { at: number; text: string } | null {
  if (command.keyword !== "HEALTHCHECK") return { at: 0, text: command.args };
  const parts = healthcheckParts(command.args);
  if (!parts || goToUpper(parts.type) !== "CMD") return null;
  return { at: command.args.length - parts.rest.length, text: parts.rest };
}

/** `[` followed by a blank and `]` after one: the spacing of the shell's `[ ... ]` test. */
function isTestSpacing(text: string): boolean {
  const t = text.trim();
  return (t[1] === " " || t[1] === "\t") && (t[t.length - 2] === " " || t[t.length - 2] === "\t");
}

const jsonArray = (words: readonly string[]) => `[${words.map((w) => JSON.stringify(w)).join(", ")}]`;

export const execFormSingleQuotes: RegisteredRule = {
  id: ID,
  summary: "Write an exec-form array written with single quotes (`CMD ['python', 'app.py']`) as JSON: as written it is shell form (an unsafe fix)",
  safety: "unsafe",
  buildkit: ["JSONArgsRecommended"],
  hadolint: ["DL3025"],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Reports a CMD, ENTRYPOINT, RUN, SHELL or HEALTHCHECK CMD whose arguments are an array written with single quotes (`['python', 'app.py']`, or mixed with double quotes), and, with --unsafe-fixes, writes it as the JSON array `[\"python\", \"app.py\"]` when every element is a plain single-quoted string without a backslash. On by default.",
    why:
      "Exec form is JSON, and JSON strings take double quotes only: the array is not JSON, so BuildKit reads the instruction in shell form and runs `/bin/sh -c \"['python', 'app.py']\"`, a program named `[python,` that does not exist (\"not found\"). A SHELL that is not JSON fails the build. hadolint reports it as DL3025 and BuildKit as JSONArgsRecommended (CMD and ENTRYPOINT only), both without saying that the quotes are the mistake.",
    example: "FROM python:3.12\nCMD ['python', 'app.py']",
    useInstead: 'FROM python:3.12\nCMD ["python", "app.py"]',
    fixSafety:
      "Unsafe: the fix changes what runs (a shell running a program that does not exist) into what the array meant; a RUN that failed the build then runs. Offered only when the words meant are plain: every element single-quoted, no backslash anywhere (`'a\\nb'` is a newline in JavaScript and Python, two characters in sh, so which was meant is not known). A mixed array (`[\"a\", 'b']`) or one with a backslash is reported without a fix, and so is SHELL (its exec form changes the shell of every later instruction). The fix engine re-reads each array it writes: the text with single and double quotes swapped must be the JSON of the same words (with their quotes swapped). Left alone: ONBUILD triggers, a RUN with heredocs, an array that spans a comment line of a continuation.",
    facts: [
      "Exec form is used only when the whole rest of the instruction is a valid JSON array of strings; anything else, including `[\"a\", 'b']`, is shell form: the raw text handed to the shell.",
      "Shell form runs as the SHELL in effect plus the text; the default is [\"/bin/sh\", \"-c\"]. /bin/sh reads `['python', 'app.py']` as the words `[python,` and `app.py]`.",
      "BuildKit's parseShell rejects a SHELL that is not in JSON form (\"SHELL requires the arguments to be in JSON form\").",
      "HEALTHCHECK CMD takes the same two forms after its `CMD` word.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      const cmd = instr.command;
      if (!KEYWORDS.has(cmd.keyword) || cmd.json !== null || instr.heredocs.length > 0) continue;
      const array = arrayOf(cmd);
      if (!array) continue;
      const quoted = quotedArray(array.text);
      if (!quoted || suppressedRules(model, instr).has(ID)) continue;
      // `RUN [ 'x' ]` is the shell's test command on one quoted word: written so, it may be meant
      if (cmd.keyword === "RUN" && quoted.elements.length === 1 && isTestSpacing(array.text)) continue;
      const finding = checkInstruction(ctx, instr, array, plainQuotedWords(array.text));
      findings.push(finding);
    }
    return findings;
  },
};

function checkInstruction(ctx: RuleContext, instr: Instruction, array: { at: number; text: string }, words: string[] | null): Finding {
  const { model } = ctx;
  const cmd = instr.command;
  const kw = cmd.keyword === "HEALTHCHECK" ? "HEALTHCHECK CMD" : cmd.keyword;
  // the array as written
  const arrayAt = argsLogicalOffset(instr) + array.at;
  const where = { rule: ID, line: instr.startLine + 1, column: 1, span: logicalSpan(model, instr, arrayAt, arrayAt + array.text.length), instruction: instr.index };
  const what =
    cmd.keyword === "SHELL"
      ? `SHELL written with single quotes is not JSON, and BuildKit rejects a SHELL that is not ("SHELL requires the arguments to be in JSON form")`
      : `${kw} array written with single quotes is not JSON, so it is shell form: ${shellReading(array.text)}`;
  if (words === null) {
    return { ...where, message: `${what} (no fix: the words meant are not plain: an element in double quotes or a backslash, which JSON and sh read differently)`, fix: null };
  }
  const json = jsonArray(words);
  if (cmd.keyword === "SHELL") return { ...where, message: `${what}: write it as ${json} (no fix: it changes the shell of every later instruction)`, fix: null };
  const start = argsLogicalOffset(instr) + array.at;
  const end = start + array.text.length;
  if (logicalRangeCrossesDroppedLine(instr, start, end)) {
    return { ...where, message: `${what}: write it as ${json} (no fix: the array spans a comment line)`, fix: null };
  }
  const edit = { start, end, text: json };
  const newCommand = parseCommand(applyLogicalEdits(instr.logical, 0, [edit]), model.escape);
  const shell = ctx.shells[instr.index] ?? null;
  return {
    ...where,
    message: `${what}; ${json} is the exec form meant, but that is an unsafe fix: it changes what runs`,
    fix: {
      safety: "unsafe",
      description: `rewrite as ${json}`,
      edits: logicalEditsToSource(model, instr, [edit]),
      declares: { removed: [], replaced: new Map([[instr.index, expectedKey(model, newCommand, shell, instr.startLine)]]), quotedArrays: [instr.index] },
    },
  };
}

const shellReading = (text: string) => {
  const first = firstShellWord(text);
  return first === null ? "the shell runs the text as a command" : `the shell runs a program named \`${first}\``;
};

/** The shell's reading of the text: the command word as written (the quote scan's; sh would look for a program of that name, its quotes removed). */
function firstShellWord(text: string): string | null {
  const scan = scanSimpleCommand(text, "posix");
  return scan && scan.words.length > 0 ? text.slice(scan.words[0]!.start, scan.words[0]!.end) : null;
}
