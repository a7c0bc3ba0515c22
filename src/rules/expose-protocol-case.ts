/** expose-protocol-case: `EXPOSE 80/TCP` written `EXPOSE 80/tcp`, as BuildKit stores it. */
import { argsLogicalOffset, expectedKey, logicalEditsToSource, logicalSpan, suppressedRules, whitespaceWords } from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "expose-protocol-case";
const PROTOCOLS = new Set(["tcp", "udp", "sctp"]);

/**
 * The protocol of an EXPOSE word when the fix may lower-case it: the
 * letters after the word's last `/`, a protocol BuildKit knows in another
 * case. The word has no quotes or escapes (BuildKit's ProcessWords would
 * rewrite them); `$` expansions may stand before the `/`: whatever they
 * expand to, the protocol letters end the last word and are compared and
 * stored lower case.
 */
export function protocolToLowerCase(word: string, escape: string): { start: number; proto: string } | null {
  if (/["']/.test(word) || word.includes(escape) || word.includes("\\")) return null;
  const slash = word.lastIndexOf("/");
  if (slash === -1) return null;
  const proto = word.slice(slash + 1);
  if (!/^[A-Za-z]+$/.test(proto) || !PROTOCOLS.has(proto.toLowerCase()) || proto === proto.toLowerCase()) return null;
  return { start: slash + 1, proto };
}

export const exposeProtocolCase: RegisteredRule = {
  id: ID,
  summary: "Write the protocol of an EXPOSE port in lower case (`80/TCP` as `80/tcp`), as BuildKit stores it",
  safety: "safe",
  buildkit: ["ExposeProtoCasing"],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes: "Lower-cases the protocol of an EXPOSE port: `EXPOSE 80/TCP 53/Udp` becomes `EXPOSE 80/tcp 53/udp`. On by default.",
    why: "BuildKit warns about an upper-case protocol (ExposeProtoCasing): the image records it lower case anyway, so the upper-case spelling only misleads (and other tools compare it as written).",
    example: "FROM nginx\nEXPOSE 80/TCP 443/Tcp",
    useInstead: "FROM nginx\nEXPOSE 80/tcp 443/tcp",
    fixSafety:
      "Safe: BuildKit accepts the protocol in any case and stores it lower case, so the image's exposed ports and the history entry are the same. Only literal protocol letters after the word's last `/` are changed; words with quotes or escapes are left.",
    facts: [
      "dockerfile2llb/convert_expose.go: each EXPOSE word goes through ProcessWords, then parsePort splits `[ip:][hostPort:]containerPort[/proto]` on `:` and cuts the protocol at the first `/`; splitProtoPort accepts `strings.ToLower(proto)` in tcp, udp, sctp, and the stored port is `port + \"/\" + strings.ToLower(proto)`: the case of the protocol never reaches the image.",
      "The history entry is `EXPOSE [80/tcp ...]`, built from the same lower-cased ports.",
      "A `$` expansion before the `/` may only change which port the word names, not the protocol letters that end it: a value holding a `/` makes the protocol invalid in both spellings.",
      "ONBUILD triggers are left: they run in a child build.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      if (instr.command.keyword !== "EXPOSE" || suppressedRules(model, instr).has(ID)) continue;
      const args = instr.command.args;
      const base = argsLogicalOffset(instr);
      const edits: { start: number; end: number; text: string }[] = [];
      const changed: string[] = [];
      // the port tokens it rewrites, first to last
      const words: { start: number; end: number }[] = [];
      let newArgs = "";
      let pos = 0;
      for (const w of whitespaceWords(args)) {
        const p = protocolToLowerCase(w.word, model.escape);
        if (!p) continue;
        words.push(w);
        const start = w.start + p.start;
        edits.push({ start: base + start, end: base + start + p.proto.length, text: p.proto.toLowerCase() });
        newArgs += args.slice(pos, start) + p.proto.toLowerCase();
        pos = start + p.proto.length;
        changed.push(w.word);
      }
      if (edits.length === 0) continue;
      newArgs += args.slice(pos);
      const key = expectedKey(model, { ...instr.command, args: newArgs }, ctx.shells[instr.index] ?? null, instr.startLine);
      findings.push({
        rule: ID,
        line: instr.startLine + 1,
        column: 1,
        span: logicalSpan(model, instr, base + words[0]!.start, base + words[words.length - 1]!.end),
        instruction: instr.index,
        message: `EXPOSE protocol in upper case (${changed.join(", ")}): BuildKit stores it lower case; write it so`,
        fix: {
          safety: "safe",
          description: "lower-case the protocol",
          edits: logicalEditsToSource(model, instr, edits),
          declares: { removed: [], replaced: new Map([[instr.index, key]]) },
        },
      });
    }
    return findings;
  },
};
