#!/usr/bin/env node
// Writes docs/rules/<rule>.md, each rule's `dockerfile-codemod --explain RULE`
// text: the pages SARIF's helpUri links to (at the release's tag). Run with
// `npm run rule-docs`; test/cli-report.test.ts keeps them in step.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { explain } from "../src/cli/main.ts";
import { RULES } from "../src/rules/index.ts";

const dir = join(fileURLToPath(new URL("..", import.meta.url)), "docs", "rules");
mkdirSync(dir, { recursive: true });
for (const rule of RULES) writeFileSync(join(dir, `${rule.id}.md`), explain(rule));
console.log(`${RULES.length} rule pages written to docs/rules`);
