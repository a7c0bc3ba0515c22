/**
 * Prints a model the way BuildKit's parser dumps its AST (parser.Node.Dump),
 * so the model and the meaning's BuildKit view (src/meaning/buildkit.ts) can
 * be checked against BuildKit's own `result` files in ../shared/corpus/conformance.
 */
import type { DockerfileModel } from "../src/model/model.js";
import { goQuote } from "../src/model/command.js";
import { goToLower } from "../src/model/go.js";
import { buildkitNode, type BuildkitNode } from "../src/meaning/buildkit.js";

export { goQuote };

/** Node.Dump: the keyword lower case, the flags, then each Next value quoted, or ONBUILD's child in parentheses. */
function dumpNode(node: BuildkitNode): string {
  let s = goToLower(node.value);
  if (node.flags.length > 0) s += ` [${node.flags.map(goQuote).join(" ")}]`;
  if (node.child) s += ` (${dumpNode(node.child)})\n`;
  else for (const x of node.next) s += ` ${goQuote(x)}`;
  return s.trim();
}

export function dumpModel(model: DockerfileModel): string {
  return model.instructions.map((i) => `(${dumpNode(buildkitNode(i.command, i.logical, model.escape))})`).join("\n");
}
