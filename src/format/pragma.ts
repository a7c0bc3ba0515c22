/**
 * Prettier's pragmas for Dockerfiles: `# @format` or `# @prettier` marks a
 * file to format (`requirePragma`), `# @noformat` or `# @noprettier` one to
 * leave alone (`checkIgnorePragma`). The pragma is a comment in the block at
 * the top of the file, after any parser directives: a comment line above a
 * directive would end BuildKit's directive scan and turn the directive into
 * a comment, so the pragma is never inserted there.
 */
import { scan, trimCommentLine } from "../model/scan.js";

const FORMAT_PRAGMA = /^#[ \t]*@(?:format|prettier)[ \t]*$/;
const IGNORE_PRAGMA = /^#[ \t]*@(?:noformat|noprettier)[ \t]*$/;

/** The comment lines of the block at the top (directives and comments, up to the first blank line or instruction). */
function leadingComments(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const t = trimCommentLine(line.replace(/\r$/, ""));
    if (!t.startsWith("#")) break;
    out.push(t);
  }
  return out;
}

export function hasPragma(text: string): boolean {
  return leadingComments(text).some((l) => FORMAT_PRAGMA.test(l));
}

export function hasIgnorePragma(text: string): boolean {
  return leadingComments(text).some((l) => IGNORE_PRAGMA.test(l));
}

/** The text with `# @format` after its parser directives (unchanged if it cannot be read: formatting will report why). */
export function insertPragma(text: string): string {
  let directives = 0;
  try {
    directives = scan(text, { bomStripped: true }).directives.length;
  } catch {
    return text;
  }
  const lines = text.split("\n");
  lines.splice(directives, 0, "# @format");
  return lines.join("\n");
}
