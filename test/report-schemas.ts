/**
 * The schemas the reports are validated against: SARIF 2.1.0's official
 * schema (shipped with @microsoft/jest-sarif) and the shape GitLab documents
 * for its code quality report (test/gitlab-code-quality.schema.json). Used by
 * test/cli-output.test.ts (the built bin) and test/package.test.ts (the
 * installed one).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Ajv07 from "ajv";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { ROOT } from "./helpers.js";

// CommonJS modules: their default export is the module object's `default`
const Ajv = ((Ajv07 as unknown as { default?: unknown }).default ?? Ajv07) as typeof import("ajv").default;
const AjvOld = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as typeof import("ajv-draft-04").default;
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as typeof import("ajv-formats").default;

export function sarifValidator() {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
  // unicodeRegExp: false: the schema has a pattern that is invalid with the u flag
  const ajv = new AjvOld({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv as never); // uri and uri-reference checked too
  return ajv.compile(schema);
}

export function gitlabValidator() {
  const schema = JSON.parse(readFileSync(join(ROOT, "test/gitlab-code-quality.schema.json"), "utf8"));
  return new Ajv({ allErrors: true, strict: true }).compile(schema);
}
