/**
 * The RUN layout (docs/run-layout.md, src/format/run-layout.ts): the
 * `dockerfileShellLayout` option, the rules on small examples, invariants
 * over every run-layout fixture under several option sets, and a corpus
 * pass with options that make the layout work harder than the defaults.
 * The fixtures themselves (input -> expected output) run in
 * format-fixtures.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { beforeAll, describe, expect, test } from "vitest";
import plugin from "../plugin/index.js";
import {
  buildModel,
  compareMeanings,
  DockerfileSyntaxError,
  formatText,
  initShell,
  meaningOf,
  type DockerfileModel,
  type FormatOptions,
} from "../src/index.js";
import { fallbackCount } from "../src/format/format.js";
import { CORPUS, HAS_CORPUS, NO_CORPUS_MESSAGE, ROOT, corpusFiles, fixtureCases } from "./helpers.js";

beforeAll(async () => {
  await initShell();
});

/**
 * The style these tests were written in, pinned where a test does not choose its own: 4 spaces and
 * operators at the line end (the defaults follow the file: test/follow-the-file.test.ts).
 */
function pinned(options: FormatOptions): FormatOptions {
  const indentGiven = options.indent !== undefined || options.useTabs !== undefined || options.tabWidth !== undefined;
  return { ...(indentGiven ? {} : { indent: "4" }), operatorPosition: "end", ...options };
}

/** Formats (in the pinned style) and checks that the self-check did not have to keep any instruction as written. */
function layout(text: string, options: FormatOptions = {}): string {
  const before = fallbackCount.value;
  const out = formatText(text, pinned(options));
  expect(fallbackCount.value - before, "instructions kept as written by the self-check").toBe(0);
  return out;
}

/**
 * Each RUN as BuildKit reads it, blanks removed: keyword, flags, argument
 * text, and the comment lines inside it. The layout may change blanks and
 * line breaks only.
 */
function runsWithoutBlanks(model: DockerfileModel): string[] {
  const out: string[] = [];
  for (const instr of model.instructions) {
    const c = instr.command.keyword === "ONBUILD" && instr.command.trigger ? instr.command.trigger : instr.command;
    if (c.keyword !== "RUN") continue;
    const comments = instr.lines.filter((l) => l.kind === "comment").map((l) => model.lines[l.line]!.text.trim());
    out.push(JSON.stringify([c.flags, c.args.replace(/[ \t]+/g, ""), comments]));
  }
  return out;
}

const OPTION_SETS: FormatOptions[] = [
  {},
  { useTabs: true },
  { tabWidth: 2 },
  { printWidth: 40 },
  { printWidth: 200 },
  { shellLayout: "preserve" },
  { operatorPosition: "start" },
  { operatorPosition: "start", useTabs: true, printWidth: 40 },
];

describe("the dockerfileShellLayout option", () => {
  test("is declared for Prettier: a choice in the Dockerfile category, auto by default, each choice described", () => {
    const option = plugin.options!.dockerfileShellLayout as {
      type: string;
      category: string;
      default: unknown;
      description: string;
      choices: { value: string; description: string }[];
    };
    expect(option.type).toBe("choice");
    expect(option.category).toBe("Dockerfile");
    expect(option.default).toBe("auto");
    expect(option.description.length).toBeGreaterThan(0);
    expect(option.choices.map((c) => c.value)).toEqual(["auto", "preserve"]);
    for (const c of option.choices) expect(c.description.length).toBeGreaterThan(10);
  });

  test("reaches the formatter through Prettier", async () => {
    const text = "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\n";
    const format = (options: Record<string, unknown>) =>
      prettier.format(text, { filepath: "Dockerfile", plugins: [plugin], dockerfileOperatorPosition: "end", ...options });
    expect(await format({})).toBe(
      "FROM a\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl ca-certificates && \\\n    rm -rf /var/lib/apt/lists/*\n",
    );
    expect(await format({ dockerfileShellLayout: "auto" })).toBe(await format({}));
    expect(await format({ dockerfileShellLayout: "preserve" })).toBe(text);
    expect(await format({ dockerfileShellLayout: "preserve", dockerfileIndent: "tab" })).toBe(text);
    await expect(format({ dockerfileShellLayout: "reflow" })).rejects.toThrow(/dockerfileShellLayout/);
  });

  test("the core API takes it as shellLayout or under the Prettier name, and rejects other values", () => {
    const text = "RUN a && b && c && d && e && f && g && h && i && j && k && l && m && n && o && p && q\n";
    expect(formatText(text, { shellLayout: "preserve" })).toBe(text);
    expect(formatText(text, { dockerfileShellLayout: "preserve" })).toBe(text);
    expect(formatText(text)).not.toBe(text);
    expect(() => formatText(text, { shellLayout: "reflow" as "auto" })).toThrow(/"auto" or "preserve"/);
  });
});

describe("the dockerfileOperatorPosition option", () => {
  test("is declared for Prettier: a choice in the Dockerfile category, auto by default, each choice described", () => {
    const option = plugin.options!.dockerfileOperatorPosition as {
      type: string;
      category: string;
      default: unknown;
      description: string;
      choices: { value: string; description: string }[];
    };
    expect(option.type).toBe("choice");
    expect(option.category).toBe("Dockerfile");
    expect(option.default).toBe("auto");
    expect(option.description.length).toBeGreaterThan(0);
    expect(option.choices.map((c) => c.value)).toEqual(["auto", "end", "start"]);
    for (const c of option.choices) expect(c.description.length).toBeGreaterThan(10);
  });

  test("reaches the formatter through Prettier", async () => {
    const text = "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\n";
    const format = (options: Record<string, unknown>) => prettier.format(text, { filepath: "Dockerfile", plugins: [plugin], ...options });
    expect(await format({ dockerfileOperatorPosition: "auto" })).toBe(await format({}));
    expect(await format({ dockerfileOperatorPosition: "end" })).toBe(
      "FROM a\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl ca-certificates && \\\n    rm -rf /var/lib/apt/lists/*\n",
    );
    expect(await format({ dockerfileOperatorPosition: "start" })).toBe(
      "FROM a\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\n",
    );
    await expect(format({ dockerfileOperatorPosition: "middle" })).rejects.toThrow(/dockerfileOperatorPosition/);
  });

  test("the core API takes it as operatorPosition or under the Prettier name, and rejects other values", () => {
    const text = "RUN a \\\n    && b\n";
    expect(formatText(text, { operatorPosition: "start" })).toBe(text);
    expect(formatText(text, { dockerfileOperatorPosition: "start" })).toBe(text);
    expect(formatText(text, { operatorPosition: "end" })).toBe("RUN a && \\\n    b\n");
    expect(formatText(text, { operatorPosition: "auto" })).toBe(text);
    expect(() => formatText(text, { operatorPosition: "middle" as "end" })).toThrow(/"auto" or "end" or "start"/);
  });

  test("start puts && and || at the start of the next line; ; and & always end theirs", () => {
    const b = "b".repeat(70);
    const f = "f".repeat(72);
    const input = `RUN a && ${b} || c; d & e && ${f}\n`;
    expect(layout(input, { operatorPosition: "start" })).toBe(`RUN a \\\n    && ${b} \\\n    || c; \\\n    d & \\\n    e \\\n    && ${f}\n`);
    expect(layout(input)).toBe(`RUN a && \\\n    ${b} || \\\n    c; \\\n    d & \\\n    e && \\\n    ${f}\n`);
    // a line too long is broken between its and-or lists first: one that then fits stays on its line (rule 2)
    expect(layout(`RUN [ -f /x ] || exit 0; d & e && ${f}\n`, { operatorPosition: "start" })).toBe(`RUN [ -f /x ] || exit 0; \\\n    d & \\\n    e \\\n    && ${f}\n`);
  });

  test("the same construct prints the same way at every depth: inside case bodies, if bodies, loops and $( )", () => {
    const leading = [
      "RUN set -ex \\",
      "    && case \"$arch\" in \\",
      "        amd64) \\",
      "            echo amd64 \\",
      "            && apt-get update \\",
      "            ;; \\",
      "    esac \\",
      "    && if true; then \\",
      "        a \\",
      "        || b; \\",
      "    fi \\",
      "    && x=\"$( \\",
      "        cat /etc/os-release \\",
      "        && echo ok \\",
      "    )\"",
      "",
    ].join("\n");
    const trailing = leading.replace(/ \\\n( *)(&&|\|\|) /g, " $2 \\\n$1");
    expect(trailing).not.toMatch(/^ *(&&|\|\|)/m);
    expect(layout(leading)).toBe(trailing);
    expect(layout(trailing, { operatorPosition: "start" })).toBe(leading);
    expect(layout(leading, { operatorPosition: "start" })).toBe(leading);
    expect(layout(trailing)).toBe(trailing);
  });

  test("converting keeps each line's depth: a command's continuation lines stay one level under it", () => {
    const end = "RUN apt-get update && \\\n\tapt-get install \\\n\t\tcurl\n";
    const start = "RUN apt-get update \\\n    && apt-get install \\\n        curl\n";
    expect(layout(end, { operatorPosition: "start" })).toBe(start);
    expect(layout(start, { useTabs: true })).toBe(end);
  });

  test("a lone `; \\` line stays alone in both positions; a lone `&& \\` line (nginx's) stays alone at the line start and joins the line end", () => {
    const input = "RUN set -eux; \\\n\tapk add \\\n\t\tgcc \\\n\t; \\\n\tmake \\\n\t&& \\\n\tmake install\n";
    expect(layout(input, { useTabs: true, operatorPosition: "start" })).toBe(input);
    expect(layout(input, { useTabs: true, operatorPosition: "end" })).toBe(input.replace("make \\\n\t&& \\\n", "make && \\\n"));
  });
});

describe("the layout rules", () => {
  test("a RUN written on one line that fits printWidth stays on one line; one character more and it breaks", () => {
    const run = (n: number) => `RUN echo ${"a".repeat(n)} && echo b\n`;
    const fits = run(80 - "RUN echo  && echo b".length);
    expect(fits.length - 1).toBe(80);
    expect(layout(fits)).toBe(fits);
    const over = run(81 - "RUN echo  && echo b".length);
    expect(layout(over)).toBe(`RUN echo ${"a".repeat(62)} && \\\n    echo b\n`);
    expect(layout(over, { printWidth: 81 })).toBe(over);
  });

  test("a RUN written on several lines keeps your breaks: operators in the middle of a line that fits stay there", () => {
    expect(layout("RUN a && \\\n    b\n")).toBe("RUN a && \\\n    b\n");
    expect(layout("RUN a \\\n    && b\n")).toBe("RUN a && \\\n    b\n");
    const kept = "RUN set -eux; \\\n\tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; \\\n\t[ -z \"$saved\" ] || apt-mark manual $saved\n";
    expect(layout(kept, { useTabs: true })).toBe(kept);
  });

  test("a line still longer than printWidth is broken at each top-level operator in it", () => {
    const input = `RUN set -eux; \\\n    a=1; export a; echo ${"x".repeat(70)}; \\\n    b\n`;
    expect(layout(input)).toBe(`RUN set -eux; \\\n    a=1; \\\n    export a; \\\n    echo ${"x".repeat(70)}; \\\n    b\n`);
  });

  test("a long package list is wrapped one package per line, at the package-list depth; other long commands are not", () => {
    const packages = Array.from({ length: 30 }, (_, i) => `package-${i}`);
    const oneLine = `RUN apt-get install -y --no-install-recommends ${packages.join(" ")}\n`;
    expect(layout(oneLine)).toBe(`RUN apt-get install -y --no-install-recommends \\\n${packages.map((p) => `    ${p}`).join(" \\\n")}\n`);
    const inList = `RUN apt-get update && \\\n    apk add --no-cache --virtual .build-deps ${packages.slice(0, 12).join(" ")} && \\\n    make\n`;
    expect(layout(inList)).toBe(
      `RUN apt-get update && \\\n    apk add --no-cache --virtual .build-deps \\\n${packages.slice(0, 12).map((p) => `        ${p}`).join(" \\\n")} && \\\n    make\n`,
    );
    // a line of packages under the command: one per line at that line's depth
    const under = `RUN apt-get install -y \\\n        ${packages.slice(0, 10).join(" ")}\n`;
    expect(layout(under)).toBe(`RUN apt-get install -y \\\n${packages.slice(0, 10).map((p) => `        ${p}`).join(" \\\n")}\n`);
    for (const kept of [
      `RUN update-alternatives --install /usr/bin/python python /usr/bin/python3.13 10 && echo ${"x".repeat(40)}\n`,
      `RUN apt-get install -y ${packages.slice(0, 8).join(" ")} "quoted package" ${packages.slice(8, 12).join(" ")}\n`,
      `RUN tar -xzf archive.tar.gz -C /usr/local ${packages.slice(0, 10).join(" ")}\n`,
    ]) {
      expect(layout(kept).split("\n").filter((l) => !/&& \\$/.test(l)).join("\n")).not.toMatch(/\n {8}\S+ \\\n {8}/);
    }
    const written = `RUN apt-get install -y \\\n${packages.slice(0, 5).map((p) => `\t\t${p}`).join(" \\\n")}\n`;
    expect(layout(written, { useTabs: true })).toBe(written);
  });

  test("a command's continuation lines keep the extra depth you gave them, in whole levels, and are at least one level deeper", () => {
    const find = "RUN set -eux; \\\n\tfind /usr/local -depth \\\n\t\t\\( \\\n\t\t\t-type d -a -name test \\\n\t\t\\) -exec rm -rf '{}' + \\\n\t; \\\n\ttrue\n";
    expect(layout(find, { useTabs: true })).toBe(find);
    expect(layout(find)).toBe(find.replace(/^\t+/gm, (t) => "    ".repeat(t.length)));
    expect(layout("RUN apk add \\\n\t\tcurl \\\n\t\tgit\n", { useTabs: true })).toBe("RUN apk add \\\n\t\tcurl \\\n\t\tgit\n");
    expect(layout("RUN a && \\\n    apt-get install \\\n    curl\n")).toBe("RUN a && \\\n    apt-get install \\\n        curl\n");
  });

  test("comment lines written at column 0 inside a RUN stay at column 0; others are indented like the line after them", () => {
    const input = "RUN set -eux; \\\n# at column 0\n\tapt-get update; \\\n\t\t# indented\n\tmake\n";
    expect(layout(input, { useTabs: true })).toBe("RUN set -eux; \\\n# at column 0\n\tapt-get update; \\\n\t# indented\n\tmake\n");
    expect(layout("COPY a \\\n# at column 0\n    b /c/\n")).toBe("COPY a \\\n# at column 0\n    b /c/\n");
  });

  test("with operators at the line end, none goes at the start", () => {
    const out = layout("RUN a \\\n  && b \\\n  || c \\\n  ; d && e && f && g && hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh\n");
    const lines = out.trimEnd().split("\n");
    for (const line of lines.slice(1)) expect(line.trimStart()).not.toMatch(/^(&&|\|\||;)/);
    expect(lines.slice(0, -1).every((l) => /(&&|\|\||;) \\$/.test(l))).toBe(true);
  });

  test("a comment line between two commands stays between them, also when the operator moves", () => {
    for (const input of [
      "RUN cmd1 && \\\n# about cmd2\n  cmd2\n",
      "RUN cmd1 \\\n  # about cmd2\n  && cmd2\n",
      "RUN cmd1 && cmd0 && \\\n    # about cmd2\n    cmd2 && cmd3 && cmd4 && cmd5 && cmd6 && cmd7 && cmd8 && cmd9 && cmd10\n",
    ]) {
      const lines = layout(input).split("\n");
      const at = (s: RegExp) => lines.findIndex((l) => s.test(l));
      expect(at(/cmd1 /)).toBeGreaterThanOrEqual(0);
      expect(at(/cmd1 /)).toBeLessThan(at(/^\s*# about cmd2$/));
      expect(at(/^\s*# about cmd2$/)).toBe(at(/^\s*cmd2\b/) - 1);
      expect(layout(layout(input))).toBe(layout(input));
    }
  });

  test("docker-library's lone `\\` separator lines and lone `; \\` lines are kept", () => {
    const input = "RUN set -eux; \\\n\t\\\n\tapk add \\\n\t\tgcc \\\n\t; \\\n\t\\\n\tmake\n";
    expect(layout(input, { useTabs: true })).toBe(input);
  });

  test("bodies of if/for/while/case, ( ), { } and $( ) are indented from the line that opens them", () => {
    const input = [
      "RUN set -eux; \\",
      "for v in a b; do \\",
      "if [ \"$v\" = a ]; then \\",
      "x=\"$( \\",
      "echo a \\",
      "| tr a b \\",
      ")\"; \\",
      "else \\",
      "( cd / && \\",
      "ls ); \\",
      "fi; \\",
      "done",
      "",
    ].join("\n");
    expect(layout(input, { useTabs: true })).toBe(
      [
        "RUN set -eux; \\",
        "\tfor v in a b; do \\",
        "\t\tif [ \"$v\" = a ]; then \\",
        "\t\t\tx=\"$( \\",
        "\t\t\t\techo a \\",
        "\t\t\t\t\t| tr a b \\",
        "\t\t\t)\"; \\",
        "\t\telse \\",
        "\t\t\t( cd / && \\",
        "\t\t\t\tls ); \\",
        "\t\tfi; \\",
        "\tdone",
        "",
      ].join("\n"),
    );
  });

  test("a break inside a word or a string is kept byte for byte", () => {
    const input = 'RUN echo "one \\\n   two" && echo light\\\nning && echo three four five six seven eight nine ten eleven\n';
    for (const options of [{}, { printWidth: 30 }, { operatorPosition: "start" as const }]) {
      const out = layout(input, options);
      expect(out).toContain('echo "one \\\n   two"');
      expect(out).toContain("echo light\\\nning");
    }
  });

  test("heredocs, non-POSIX shells and escape=` files keep their RUN text; only continuation indentation may change", () => {
    const heredoc = "RUN cat <<EOF > /x && echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa && echo b\nhello\nEOF\n";
    expect(layout(heredoc)).toBe(heredoc);
    const stripIndent = (s: string) => s.split("\n").map((l) => l.trimStart());
    for (const input of [
      'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Write-Host one ; Write-Host two ; Write-Host three ; Write-Host four ; Write-Host five ; \\\n      Write-Host six\n',
      "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo one && echo two && echo three && echo four && echo five && echo six && echo seven\n",
      "# escape=`\nFROM alpine\nRUN echo one && echo two && echo three && echo four && echo five && echo six && echo seven && `\n      echo eight\n",
    ]) {
      expect(stripIndent(layout(input))).toEqual(stripIndent(input));
    }
  });

  test("flags stay in order; a first line too long because of them gets one flag per line", () => {
    const input =
      "RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=cache,target=/go/pkg/mod --network=none go build ./...\n";
    expect(layout(input)).toBe(
      "RUN --mount=type=cache,target=/root/.cache/go-build \\\n    --mount=type=cache,target=/go/pkg/mod \\\n    --network=none \\\n    go build ./...\n",
    );
  });
});

describe("every run-layout fixture", () => {
  const cases = fixtureCases("format/run-layout");
  test("there are at least 40", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
  for (const options of OPTION_SETS) {
    test(`with ${JSON.stringify(options)}: only blanks and line breaks change, same meaning, idempotent, no fallback`, () => {
      for (const c of cases) {
        const input = buildModel(c.input);
        const text = layout(c.input, { ...c.options, ...options });
        const output = buildModel(text);
        expect(runsWithoutBlanks(output), c.name).toEqual(runsWithoutBlanks(input));
        expect(compareMeanings(meaningOf(input), meaningOf(output)), c.name).toBeNull();
        expect(layout(text, { ...c.options, ...options }), c.name).toBe(text);
      }
    });
  }
});

describe("docs/run-layout.md", () => {
  test("every before/after example that names a fixture shows that fixture's input and output (FROM lines left out)", () => {
    const doc = readFileSync(join(ROOT, "docs/run-layout.md"), "utf8");
    const examples = [...doc.matchAll(/\(`([a-z0-9-]+)`\):\n\n```dockerfile\n([\s\S]*?)```\n\n```dockerfile\n([\s\S]*?)```/g)];
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const cases = new Map(fixtureCases("format/run-layout").map((c) => [c.name.split("/").pop()!, c]));
    const withoutFrom = (text: string) => text.replace(/^FROM .*\n/gm, "");
    for (const [, name, before, after] of examples) {
      const c = cases.get(name!);
      expect(c, name).toBeDefined();
      expect(before, name).toBe(withoutFrom(c!.input));
      expect(after, name).toBe(withoutFrom(c!.output));
    }
  });
});

describe("the corpus, laid out harder (printWidth 60, the style each file shows; operators at the line start) and preserved", () => {
  test.skipIf(!HAS_CORPUS)("no crash, idempotent, same meaning, only blanks and line breaks change in RUN, no fallback", () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(1300);
    for (const options of [{ printWidth: 60 }, { shellLayout: "preserve" }, { operatorPosition: "start", printWidth: 60 }] as FormatOptions[]) {
      const crashes: string[] = [];
      const notIdempotent: string[] = [];
      const meaningChanged: string[] = [];
      const textChanged: string[] = [];
      const fallbacksBefore = fallbackCount.value;
      let runs = 0;
      for (const file of files) {
        const source = readFileSync(join(CORPUS, file), "utf8");
        let input: DockerfileModel;
        let once: string;
        try {
          input = buildModel(source);
          once = formatText(source, options);
        } catch (error) {
          if (error instanceof DockerfileSyntaxError) continue; // BuildKit rejects it too (corpus.test.ts lists them)
          crashes.push(`${file}: ${(error as Error).message}`);
          continue;
        }
        if (formatText(once, options) !== once) notIdempotent.push(file);
        const output = buildModel(once);
        const diff = compareMeanings(meaningOf(input), meaningOf(output));
        if (diff) meaningChanged.push(`${file}:${diff.lineA + 1}: ${diff.message}`);
        const before = runsWithoutBlanks(input);
        runs += before.length;
        if (JSON.stringify(runsWithoutBlanks(output)) !== JSON.stringify(before)) textChanged.push(file);
      }
      const fallbacks = fallbackCount.value - fallbacksBefore;
      console.log(
        `run layout over the corpus with ${JSON.stringify(options)}: ${files.length} files, ${runs} RUN instructions; ` +
          `crashes ${crashes.length}, not idempotent ${notIdempotent.length}, meaning changed ${meaningChanged.length}, ` +
          `RUN text changed beyond blanks ${textChanged.length}, fallbacks ${fallbacks}`,
      );
      expect(crashes).toEqual([]);
      expect(notIdempotent).toEqual([]);
      expect(meaningChanged).toEqual([]);
      expect(textChanged).toEqual([]);
      expect(fallbacks).toBe(0);
    }
  });
  test.skipIf(!HAS_CORPUS)("converting every corpus file between the house styles and back is lossless", () => {
    const lineEnd: FormatOptions = { indent: "tab", operatorPosition: "end", verify: false };
    const lineStart: FormatOptions = { operatorPosition: "start", indent: "4", verify: false };
    const differs: string[] = [];
    let converted = 0;
    for (const file of corpusFiles()) {
      let once: string;
      try {
        once = formatText(readFileSync(join(CORPUS, file), "utf8"), lineEnd);
      } catch (error) {
        if (error instanceof DockerfileSyntaxError) continue;
        throw error;
      }
      converted++;
      if (formatText(formatText(once, lineStart), lineEnd) !== once) differs.push(file);
    }
    console.log(`line end (tabs) -> line start (4 spaces) -> line end over ${converted} corpus files: ${differs.length} differ`);
    expect(differs).toEqual([]);
  });
  if (!HAS_CORPUS) test.skip(NO_CORPUS_MESSAGE, () => {});
});
