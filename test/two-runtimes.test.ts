/**
 * Two copies of web-tree-sitter in one process (the development dependency
 * that src/ imports and the copy the package ships in dist/vendor/; or two
 * installs of the plugin) each keep their own Emscripten module: formatting
 * with one between two uses of the other changes nothing. When both shared
 * one module object, the second copy's exports replaced the first's, and
 * src/'s tree walk read the shipped runtime's heap: line breaks went missing
 * on the second file (test/prettier-path.test.ts saw 479 differences).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { expect, test } from "vitest";
import { formatText, initShell } from "../src/index.js";
import { ROOT } from "./helpers.js";

const PLUGIN = join(ROOT, "dist/plugin/index.js");
const LONG = "FROM debian\nRUN set -x && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ca-certificates && rm -rf /var/lib/apt/lists/*\n";
const OTHER = "FROM alpine\nRUN if [ -f /a ]; then echo a && echo b; fi && apk add --no-cache curl git make gcc musl-dev linux-headers openssl-dev\n";

test.skipIf(!existsSync(PLUGIN))("src/ and the shipped plugin (through Prettier) in one process, alternating, print alike", async () => {
  await initShell();
  const viaPrettier = (text: string) => prettier.format(text, { parser: "dockerfile", filepath: "/x/Dockerfile", plugins: [PLUGIN] });
  for (let round = 0; round < 3; round++) {
    for (const text of [LONG, OTHER]) {
      const mine = formatText(text, {});
      expect(await viaPrettier(text)).toBe(mine);
      expect(formatText(text, {})).toBe(mine);
    }
  }
  // the long line is broken at its operators (rule 2 of docs/run-layout.md)
  expect(formatText(LONG, { operatorPosition: "end" })).toContain("RUN set -x && \\\n");
});
