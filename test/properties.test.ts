/**
 * Property tests: for generated Dockerfiles and for mutations of corpus files,
 * the formatter either reports a syntax error (only for input BuildKit also
 * rejects) or returns output that means the same and is stable.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, DockerfileSyntaxError, formatText, initShell, meaningOf } from "../src/index.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, corpusFiles } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

/** The three properties, for any text. */
function checkProperties(text: string, options: { useTabs?: boolean; tabWidth?: number; operatorPosition?: "end" | "start" } = {}): void {
  let out: string;
  try {
    out = formatText(text, options);
  } catch (error) {
    // only a syntax error, and only where reading the input alone fails too
    expect(error).toBeInstanceOf(DockerfileSyntaxError);
    expect((error as DockerfileSyntaxError).line).toBeGreaterThan(0);
    expect(() => meaningOf(buildModel(text))).toThrow(DockerfileSyntaxError);
    return;
  }
  expect(formatText(out, options)).toBe(out);
  const diff = compareMeanings(meaningOf(buildModel(text)), meaningOf(buildModel(out)));
  expect(diff, diff?.message).toBeNull();
}

const word = fc.stringMatching(/^[a-z0-9_./:=-]{1,8}$/);
const quoted = fc.oneof(
  word.map((w) => `"${w}  ${w}"`),
  word.map((w) => `'${w} $x ${w}'`),
  word.map((w) => `"a\\"${w}"`),
);
const shellWord = fc.oneof(word, word, quoted, fc.constantFrom("$HOME", "${X:-d}", "$(pwd)", "`id`", "*.txt", "a\\ b"));
const op = fc.constantFrom(" && ", " || ", "; ", " | ", " ; ", " &&", "&& ");
const simpleCommand = fc.array(shellWord, { minLength: 1, maxLength: 5 }).map((ws) => ws.join(" "));
const shellText = fc
  .array(fc.tuple(simpleCommand, op), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.map(([c, o], i) => (i === parts.length - 1 ? c : c + o)).join(""));

const keywordCase = (kw: string) => fc.constantFrom(kw, kw.toLowerCase(), kw[0] + kw.slice(1).toLowerCase());
const blanks = fc.constantFrom(" ", "  ", "\t", " \t ");

const instruction = fc.oneof(
  fc.tuple(keywordCase("FROM"), blanks, word, fc.boolean(), word).map(([k, b, img, as, name]) =>
    as ? `${k}${b}${img}${b}as${b}${name}` : `${k}${b}${img}`,
  ),
  fc.tuple(keywordCase("RUN"), blanks, shellText).map(([k, b, s]) => `${k}${b}${s}`),
  fc.tuple(keywordCase("RUN"), blanks, word, shellText).map(([k, b, w, s]) => `${k}${b}--mount=type=cache,target=/${w}${b}${s}`),
  fc.tuple(keywordCase("CMD"), blanks, fc.array(word, { maxLength: 3 })).map(([k, b, ws]) => `${k}${b}[${ws.map((w) => `"${w}"`).join(",")}]`),
  fc.tuple(keywordCase("CMD"), blanks, shellText).map(([k, b, s]) => `${k}${b}${s}`),
  fc.tuple(keywordCase("ENV"), blanks, word, quoted).map(([k, b, n, v]) => `${k}${b}K${n.replace(/[^a-z0-9_]/g, "")}=${v}`),
  fc.tuple(keywordCase("ENV"), blanks, word, word).map(([k, b, n, v]) => `${k}${b}K${n.replace(/[^a-z0-9_]/g, "")}${b}${v}${b}${v}`),
  fc.tuple(keywordCase("COPY"), blanks, word, word).map(([k, b, a, d]) => `${k}${b}--chown=1:1${b}${a}${b}/${d}`),
  fc.tuple(keywordCase("WORKDIR"), blanks, word).map(([k, b, w]) => `${k}${b}/${w}${b}x`),
  fc.tuple(keywordCase("LABEL"), blanks, word, quoted).map(([k, b, n, v]) => `${k}${b}l${n.replace(/[^a-z0-9]/g, "")}=${v}`),
  fc.tuple(keywordCase("ONBUILD"), blanks, keywordCase("RUN"), shellText).map(([k, b, r, s]) => `${k}${b}${r} ${s}`),
  fc.tuple(keywordCase("HEALTHCHECK"), blanks, fc.constantFrom("cmd", "CMD"), shellText).map(([k, b, c, s]) => `${k}${b}--interval=5s${b}${c} ${s}`),
  fc.tuple(keywordCase("RUN"), word).map(([k, w]) => `${k} <<EOF\n  echo ${w}   x\n\tEOF\nEOF`),
  fc.tuple(keywordCase("COPY"), word).map(([k, w]) => `${k} <<-EOT /${w}\n\tbody  ${w}\n\tEOT`),
  word.map((w) => `# comment ${w}  `),
  fc.constant(""),
);

/** Splits a line at random places with a continuation, optional indentation and comment lines. */
function withContinuations(line: string, cuts: number[], indents: string[], comments: boolean[], escape: string): string {
  if (line.includes("\n") || line.startsWith("#")) return line;
  const points = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, line.length - 1))))].sort((a, b) => a - b);
  let out = "";
  let prev = 0;
  points.forEach((p, i) => {
    out += line.slice(prev, p) + `${escape}\n`;
    if (comments[i]) out += `${indents[i] ?? ""}# inside ${i}\n`;
    out += indents[i] ?? "";
    prev = p;
  });
  return out + line.slice(prev);
}

const dockerfile = fc
  .record({
    lines: fc.array(
      fc.tuple(
        instruction,
        fc.array(fc.nat(200), { maxLength: 3 }),
        fc.array(fc.constantFrom("", " ", "    ", "\t"), { minLength: 3, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 8 },
    ),
    backtick: fc.boolean(),
    crlf: fc.boolean(),
    leadingBlank: fc.boolean(),
  })
  .map(({ lines, backtick, crlf, leadingBlank }) => {
    const escape = backtick ? "`" : "\\";
    let text = (leadingBlank ? "\n" : "") + (backtick ? "# escape=`\n" : "");
    text += lines.map(([l, cuts, indents, comments]) => withContinuations(l, cuts, indents, comments, escape)).join("\n") + "\n";
    return crlf ? text.replace(/\n/g, "\r\n") : text;
  });

describe("properties", () => {
  test("generated Dockerfiles: no crash, idempotent, same meaning", () => {
    fc.assert(
      fc.property(dockerfile, fc.boolean(), fc.constantFrom("end" as const, "start" as const, "auto" as const), (text, useTabs, operatorPosition) =>
        checkProperties(text, { useTabs, ...(operatorPosition === "auto" ? {} : { operatorPosition }) }),
      ),
      { numRuns: 400 },
    );
  });

  const sample = HAS_CORPUS ? corpusFiles().filter((_, i) => i % 7 === 0) : [];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("case" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("spaces" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("split" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("comment" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("crlf" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("escape" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("heredoc" as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant("blank-continuation" as const), seed: fc.nat() }),
  );

  function mutate(text: string, m: { kind: string; seed: number }): string {
    const lines = text.split("\n");
    const i = m.seed % Math.max(1, lines.length);
    const line = lines[i] ?? "";
    const at = line.length ? m.seed % line.length : 0;
    switch (m.kind) {
      case "case":
        lines[i] = m.seed % 2 ? line.toLowerCase() : line.toUpperCase();
        break;
      case "spaces":
        lines[i] = line.replace(/ /g, m.seed % 2 ? "  " : " \t");
        break;
      case "split":
        lines[i] = `${line.slice(0, at)}\\\n${" ".repeat(m.seed % 5)}${line.slice(at)}`;
        break;
      case "comment":
        lines.splice(i + 1, 0, `${" ".repeat(m.seed % 3)}# inserted comment`);
        break;
      case "crlf":
        return text.replace(/\r?\n/g, "\r\n");
      case "escape":
        return `# escape=\`\n${text}`;
      case "heredoc":
        lines.splice(i + 1, 0, "RUN <<EOF", `echo ${m.seed}   kept`, "EOF");
        break;
      case "blank-continuation":
        lines[i] = `${line} \\`;
        lines.splice(i + 1, 0, "", "   ");
        break;
    }
    return lines.join("\n");
  }

  test.skipIf(!HAS_CORPUS)("mutated corpus files: no crash, idempotent, same meaning", () => {
    const texts = sample.map((f) => readFileSync(join(CORPUS, f), "utf8"));
    fc.assert(
      fc.property(fc.nat(texts.length - 1), mutation, (index, m) => checkProperties(mutate(texts[index]!, m))),
      { numRuns: 400 },
    );
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
