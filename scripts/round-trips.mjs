#!/usr/bin/env node
/**
 * Round trips over the corpus (issue 18): a file formatted with operators at
 * the line end, then the output with them at the line start, then with them
 * at the line end again, must give back the first output; the same for the
 * indent, tabs -> 4 spaces -> tabs. The other option stays at "auto" (the
 * file's own style), so the trips also check that the detection reads the
 * formatter's own output as it was meant. Prints the counts and the files
 * that differ.
 *
 *   npm run build && node scripts/round-trips.mjs [--every N]
 *
 * test/follow-the-file.test.ts runs the same trips (TRIPS, roundTrip) on
 * every 20th corpus file, through the sources.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { corpusFiles as churnCorpusFiles } from "./churn.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const CORPUS = join(root, "..", "shared", "corpus");

/** Each trip: the options of its first, second and third formatting (the third is the first's). */
export const TRIPS = [
  { name: "end -> start -> end", there: { operatorPosition: "end" }, back: { operatorPosition: "start" } },
  { name: "tabs -> 4 spaces -> tabs", there: { indent: "tab" }, back: { indent: "4" } },
];

/**
 * The trip over one text: null when it gives back the first output (or the
 * text is one BuildKit rejects, `isRejection`), else the first output and
 * the last.
 */
export function roundTrip(formatText, text, trip, isRejection) {
  let first;
  try {
    first = formatText(text, trip.there);
  } catch (error) {
    if (isRejection(error)) return null;
    throw error;
  }
  const last = formatText(formatText(first, trip.back), trip.there);
  return last === first ? null : { first, last };
}

/** Every corpus file (conformance/ included), as paths relative to the corpus. */
export function corpusFiles() {
  return churnCorpusFiles({ conformance: true });
}

async function main() {
  if (!existsSync(CORPUS)) {
    console.log(`round-trips: the corpus is not there (looked for ${CORPUS})`);
    return;
  }
  const dist = join(root, "dist/src/index.js");
  if (!existsSync(dist)) {
    console.error("round-trips: no build in dist/: run `npm run build` first");
    process.exit(1);
  }
  const core = await import(pathToFileURL(dist).href);
  await core.initShell();
  const i = process.argv.indexOf("--every");
  const every = i > 0 ? Number(process.argv[i + 1]) : 1;
  const files = corpusFiles().filter((_, k) => k % every === 0);
  const rejected = (e) => e instanceof core.DockerfileSyntaxError;
  for (const trip of TRIPS) {
    const differ = [];
    let formatted = 0;
    for (const file of files) {
      const text = readFileSync(join(CORPUS, file), "utf8");
      try {
        core.formatText(text, trip.there);
      } catch (e) {
        if (rejected(e)) continue;
      }
      formatted++;
      let result;
      try {
        result = roundTrip(core.formatText, text, trip, rejected);
      } catch (e) {
        differ.push(`${file} (${e.message.split("\n")[0]})`);
        continue;
      }
      if (result) differ.push(file);
    }
    console.log(`${trip.name}: ${formatted} files, ${differ.length} differ${differ.length ? `:\n  ${differ.join("\n  ")}` : ""}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
