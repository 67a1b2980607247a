// The client IP is what rate limits and the waitlist's abuse checks key on, so a
// client must not be able to choose it. We take the socket's peer address, and
// only when that peer is a proxy named in TRUST_PROXY do we read X-Forwarded-For,
// walking it from the right and stopping at the first hop we do not trust.
import type { BlockList } from "node:net";
import { isIP } from "node:net";

/** "::ffff:1.2.3.4" (an IPv4 peer on a dual-stack socket) is reported as "1.2.3.4". */
export function normalizeIp(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed.toLowerCase();
}

function isTrusted(address: string, trusted: BlockList): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return trusted.check(address, family === 4 ? "ipv4" : "ipv6");
}

export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string {
  const peer = normalizeIp(socketAddress ?? "");
  if (!peer || !isTrusted(peer, trusted)) return peer || "unknown";

  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const hops = header.split(",").map(normalizeIp).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // A hop that is not an IP address was written by someone we cannot vouch for.
    if (isIP(hop) === 0) return peer;
    if (!isTrusted(hop, trusted)) return hop;
  }
  // Every hop is one of our proxies: the left-most one is as far as we can see.
  return hops[0] ?? peer;
}
