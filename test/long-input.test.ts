/**
 * Input-sized structures are walked without recursion, and big inputs are
 * formatted and fixed without error: a RUN of 4,000 chained commands (the
 * shell tree is 4,000 levels deep) and a 20,000-line file.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { buildModel, compareMeanings, fix, formatText, initShell, meaningOf } from "../src/index.js";
import { longRun } from "./edge-cases.js";

beforeAll(async () => {
  await initShell();
});

function bigFile(lines: number): string {
  const out = ["# syntax=docker/dockerfile:1", "FROM debian:12 AS build"];
  for (let i = 0; out.length < lines - 4; i++) {
    out.push(`run apt-get update && apt-get install -y pkg${i} \\`, `    && echo ${i}`, `env   V${i}=${i}`, `run rm -rf /var/lib/apt/lists/*`, `cmd node server${i}.js`, "");
  }
  out.push("FROM build", "CMD [\"/bin/true\"]");
  return out.join("\n") + "\n";
}

describe("long input", () => {
  test("a RUN of 4,000 chained commands formats, keeps its meaning, and fixes without error", async () => {
    const text = longRun(4000) + "RUN rm -rf /var/lib/apt/lists/*\nCMD node server.js\n";
    const out = formatText(text);
    expect(compareMeanings(meaningOf(buildModel(text)), meaningOf(buildModel(out)))).toBeNull();
    expect(formatText(out)).toBe(out);
    const fixed = await fix(text);
    expect(fixed.fixes.length).toBeGreaterThan(0);
  });

  test("a 20,000-line file formats and fixes without error", async () => {
    const text = bigFile(20_000);
    expect(text.split("\n").length).toBeGreaterThanOrEqual(20_000);
    const out = formatText(text);
    expect(formatText(out)).toBe(out);
    const fixed = await fix(text);
    expect(fixed.changed).toBe(true);
  });
});
