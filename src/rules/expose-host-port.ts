/**
 * expose-host-port: `EXPOSE 0.0.0.0:8080:80/tcp` written `EXPOSE 80/tcp`,
 * the container port BuildKit keeps, where BuildKit accepts the host part.
 */
import { isIPv6 } from "node:net";
import { argsLogicalOffset, expectedKey, logicalEditsToSource, logicalSpan, suppressedRules, whitespaceWords } from "./helpers.js";
import type { Finding, RegisteredRule, RuleContext } from "./types.js";

const ID = "expose-host-port";

/** BuildKit's splitParts: `[ip:][hostPort:]containerPort`, split on `:` (an IPv6 address keeps its colons). */
function splitParts(raw: string): { ip: string; hostPort: string; containerPort: string } {
  const parts = raw.split(":");
  if (parts.length === 1) return { ip: "", hostPort: "", containerPort: parts[0]! };
  if (parts.length === 2) return { ip: "", hostPort: parts[0]!, containerPort: parts[1]! };
  const n = parts.length;
  return { ip: parts.slice(0, n - 2).join(":"), hostPort: parts[n - 2]!, containerPort: parts[n - 1]! };
}

/** strconv.ParseInt(s, 10, 0) within 0-65535, as parsePortNumber. */
function portNumber(s: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const v = Number(s);
  return v >= 0 && v <= 65535 ? v : null;
}

/** parsePortRange: `n` or `start-end` (cut at the first `-`). */
function portRange(s: string): [number, number] | null {
  if (s === "") return null;
  const dash = s.indexOf("-");
  const start = portNumber(dash === -1 ? s : s.slice(0, dash));
  if (start === null) return null;
  if (dash === -1 || s.slice(0, dash) === s.slice(dash + 1)) return [start, start];
  const end = portNumber(s.slice(dash + 1));
  if (end === null || end < start) return null;
  return [start, end];
}

/**
 * Go's net.ParseIP, conservatively: dotted IPv4 without leading zeros, or
 * IPv6 without a zone and without an embedded IPv4 part (those are judged
 * invalid here even where Go accepts them: the fix is then not offered).
 */
function parseIP(ip: string): "valid" | "invalid" | "unknown" {
  const octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
  if (new RegExp(`^${octet}(\\.${octet}){3}$`).test(ip)) return "valid";
  if (!ip.includes(":")) return "invalid"; // not IPv6, and not a dotted IPv4 Go accepts (leading zeros included)
  if (ip.includes("%")) return "invalid"; // Go's ParseIP takes no zone
  if (ip.includes(".")) return "unknown";
  return isIPv6(ip) ? "valid" : "invalid";
}

/**
 * Why BuildKit's parsePort rejects a port spec (the build fails), or null
 * when it accepts it; "unknown" where this cannot tell (an IPv6 address
 * with an IPv4 part). Mirrors dockerfile2llb/convert_expose.go.
 */
export function portSpecError(raw: string): string | "unknown" | null {
  let { ip, hostPort, containerPort } = splitParts(raw);
  const slash = containerPort.indexOf("/");
  const port = slash === -1 ? containerPort : containerPort.slice(0, slash);
  const proto = slash === -1 ? "" : containerPort.slice(slash + 1);
  if (port === "") return "no port specified";
  if (!["", "tcp", "udp", "sctp"].includes(proto.toLowerCase())) return `invalid proto: ${proto}`;
  if (ip.startsWith("[")) {
    const m = /^\[([^\]]*)\]$/.exec(ip);
    if (!m) return `invalid IP address ${ip}`;
    ip = m[1]!;
  }
  const parsed = ip === "" ? "valid" : parseIP(ip);
  if (parsed === "invalid") return `invalid IP address: ${ip}`;
  const range = portRange(port);
  if (!range) return `invalid containerPort: ${port}`;
  if (hostPort !== "") {
    const host = portRange(hostPort);
    if (!host) return `invalid hostPort: ${hostPort}`;
    if (range[1] - range[0] !== host[1] - host[0] && range[1] !== range[0]) {
      return `invalid ranges specified for container and host Ports: ${port} and ${hostPort}`;
    }
  }
  return parsed === "unknown" ? "unknown" : null;
}

export const exposeHostPort: RegisteredRule = {
  id: ID,
  summary: "Drop the IP address and host port from an EXPOSE port (`0.0.0.0:8080:80` as `80`): BuildKit keeps only the container port",
  safety: "safe",
  buildkit: ["ExposeInvalidFormat"],
  hadolint: [],
  defaultEnabled: true,
  docs: {
    whatItDoes:
      "Rewrites an EXPOSE port written with an IP address or a host port, `EXPOSE 127.0.0.1:8080:80/tcp 9000:9000`, as the container port alone: `EXPOSE 80/tcp 9000`. On by default.",
    why:
      "EXPOSE only records which container ports the image listens on; publishing to a host address or port is `docker run -p`'s job. BuildKit ignores the host part, warns about it (ExposeInvalidFormat) and says it will become an error.",
    example: "FROM nginx\nEXPOSE 0.0.0.0:8080:80/tcp",
    useInstead: "FROM nginx\nEXPOSE 80/tcp",
    fixSafety:
      "Safe: BuildKit stores only the container port and protocol, so the image's exposed ports and the history entry are the same. A port spec BuildKit rejects (an invalid IP address or host port, host and container ranges of different lengths, an unknown protocol) fails the build today and is left as it is: dropping the host part would make that build pass. Words with `$`, quotes or escapes are left.",
    facts: [
      "dockerfile2llb/convert_expose.go parsePort: splitParts cuts `[ip:][hostPort:]containerPort` at `:` (more than three parts: all but the last two are the IP); it validates the protocol (tcp, udp, sctp, any case), the IP (brackets stripped, net.ParseIP), the container port range and the host port range, and rejects host and container ranges of different lengths unless the container port is a single port; it then returns only `containerPort/proto` for each container port.",
      "The ExposeInvalidFormat warning fires exactly when the IP or the host port is not empty (`:80` and `::80` have neither, and are left).",
      "Each EXPOSE word goes through ProcessWords first, so a word with `$`, quotes or escapes is only known at build time: left.",
      "The image's ExposedPorts and the history entry `EXPOSE [80/tcp]` are built from the returned container ports only.",
    ],
  },
  check(ctx: RuleContext): Finding[] {
    const { model } = ctx;
    const findings: Finding[] = [];
    for (const instr of model.instructions) {
      if (instr.command.keyword !== "EXPOSE" || suppressedRules(model, instr).has(ID)) continue;
      const args = instr.command.args;
      const base = argsLogicalOffset(instr);
      const at = (w: { start: number; end: number }) => logicalSpan(model, instr, base + w.start, base + w.end);
      const where = { rule: ID, line: instr.startLine + 1, column: 1, instruction: instr.index };
      // the fix's finding points from the first port token it rewrites to the last
      let first: { start: number; end: number } | null = null;
      let last: { start: number; end: number } | null = null;
      const edits: { start: number; end: number; text: string }[] = [];
      const changed: string[] = [];
      let newArgs = "";
      let pos = 0;
      for (const w of whitespaceWords(args)) {
        if (/[$"'`\\]/.test(w.word) || w.word.includes(model.escape)) continue;
        const { ip, hostPort } = splitParts(w.word);
        if (ip === "" && hostPort === "") continue;
        const error = portSpecError(w.word);
        if (error === "unknown") {
          findings.push({ ...where, span: at(w), message: `EXPOSE ${w.word}: EXPOSE takes no IP address or host port (not fixed: an IPv6 address with an IPv4 part, which this rule cannot check as BuildKit does)`, fix: null });
          continue;
        }
        if (error) {
          findings.push({ ...where, span: at(w), message: `EXPOSE ${w.word}: EXPOSE takes no IP address or host port, but BuildKit rejects this one (${error}): the build fails; not fixed`, fix: null });
          continue;
        }
        const keep = w.word.slice(w.word.lastIndexOf(":") + 1);
        edits.push({ start: base + w.start, end: base + w.end - keep.length, text: "" });
        newArgs += args.slice(pos, w.start) + keep;
        pos = w.end;
        changed.push(`${w.word} as ${keep}`);
        first ??= w;
        last = w;
      }
      if (edits.length === 0) continue;
      newArgs += args.slice(pos);
      const key = expectedKey(model, { ...instr.command, args: newArgs }, ctx.shells[instr.index] ?? null, instr.startLine);
      findings.push({
        ...where,
        span: { start: at(first!).start, end: at(last!).end },
        message: `EXPOSE with an IP address or host port (${changed.join(", ")}): BuildKit keeps only the container port`,
        fix: {
          safety: "safe",
          description: "keep only the container port",
          edits: logicalEditsToSource(model, instr, edits),
          declares: { removed: [], replaced: new Map([[instr.index, key]]) },
        },
      });
    }
    return findings;
  },
};
