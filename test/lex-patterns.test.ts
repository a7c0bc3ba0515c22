/**
 * `${x#p}`, `${x##p}`, `${x%p}`, `${x%%p}`, `${x/p/r}` and `${x//p/r}` with
 * the variable set, as BuildKit's lexer evaluates them (shell/lex.go:
 * trimPrefix, trimSuffix, convertShellPatternToRegex; `*` and `?` only, no
 * brackets). With no variable set they are checked against BuildKit's
 * recorded ProcessWords results (test/buildkit-oracle.test.ts); BuildKit
 * expands them in FROM, so the stage's base image depends on them.
 */
import { describe, expect, test } from "vitest";
import { LexError, processWord } from "../src/model/lex.js";

const env = (name: string) => ({ path: "/usr/local/bin/app.tar.gz", image: "alpine:3.20-build", dots: "a.b.c", star: "a*b" })[name];
const expand = (text: string) => processWord(text, { escape: "\\" }, env).result;

describe("pattern removal and replacement on a set variable", () => {
  test.each([
    ["${path#*/}", "usr/local/bin/app.tar.gz"],
    ["${path##*/}", "app.tar.gz"],
    ["${path%.*}", "/usr/local/bin/app.tar"],
    ["${path%%.*}", "/usr/local/bin/app"],
    ["${image%-build}", "alpine:3.20"],
    ["${image#alpine:}", "3.20-build"],
    ["${image#nothing}", "alpine:3.20-build"],
    ["${dots/./-}", "a-b.c"],
    ["${dots//./-}", "a-b-c"],
    ["${dots/?/X}", "X.b.c"],
    ["${dots//?/X}", "XXXXX"],
    ["${star#a\\*}", "b"],
    ["${star/\\*/+}", "a+b"],
    ["${path//\\//:}", ":usr:local:bin:app.tar.gz"],
    ["${unset#*}", ""],
    ["${unset/*/r}", "r"],
  ])("%s is %s", (text, expected) => {
    expect(expand(text)).toBe(expected);
  });

  test("many stars on a long value: matched as Go's regexp matches, an automaton (a backtracking regex took 15 s here)", () => {
    const long = (name: string) => (name === "x" ? "a".repeat(80) : undefined);
    expect(processWord("${x#*a*a*a*a*a*a*b}", { escape: "\\" }, long).result).toBe("a".repeat(80));
    expect(processWord("${x//*a*a*a*a*a*a*b/r}", { escape: "\\" }, long).result).toBe("a".repeat(80));
  });

  test("an escape the pattern does not allow is BuildKit's error", () => {
    expect(() => expand("${dots#\\a}")).toThrow(LexError);
    expect(() => expand("${dots#\\a}")).toThrow("invalid pattern (\\a) in substitution: invalid escape '\\a'");
  });
});
