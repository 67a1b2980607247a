// Where an endpoint may point. Any http(s) URL without credentials in
// self-hosted mode (the receivers live inside the customer's network); in
// hosted mode never a private, loopback or link-local address (SSRF): checked
// when the endpoint is saved, and again before every delivery, connecting to
// the very address that was checked (DNS can change in between).
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

export const MAX_URL_LENGTH = 2000;

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string };

/** The shape of the URL alone: no DNS. */
export function checkEndpointUrl(raw: string): UrlCheck {
  const text = raw.trim();
  if (text === "") return { ok: false, message: "Enter the URL that should receive the events." };
  if (text.length > MAX_URL_LENGTH) return { ok: false, message: `That URL is too long: at most ${MAX_URL_LENGTH} characters.` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: "That is not a URL. It should look like https://example.com/webhooks." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, message: "The URL must start with https:// (or http://)." };
  if (url.username || url.password) return { ok: false, message: "The URL may not hold a user name or password: every request is signed instead." };
  if (url.hash) return { ok: false, message: "The URL may not have a #fragment." };
  return { ok: true, url };
}

// Addresses a hosted server must never be made to call: this machine, the
// provider's private network, cloud metadata (169.254.169.254), and the like.
const forbidden = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  forbidden.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  forbidden.addSubnet(network, prefix, "ipv6");
}

/** Private, loopback, link-local, multicast or otherwise not a public address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return forbidden.check(address, "ipv4");
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return forbidden.check(mapped[1]!, "ipv4");
    return forbidden.check(address, "ipv6");
  }
  return true;
}

export type ResolvedTarget = { ok: true; address: string; family: 4 | 6 } | { ok: false; message: string };

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Resolves the URL's host and picks the address to connect to. In hosted mode
 * every address the name resolves to must be public (a name with one public
 * and one private address could be steered to the private one).
 */
export async function resolveEndpoint(url: URL, hosted: boolean, resolver: Resolver = systemResolver): Promise<ResolvedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolver(host);
  } catch {
    return { ok: false, message: `The host ${host} could not be found.` };
  }
  if (addresses.length === 0) return { ok: false, message: `The host ${host} could not be found.` };
  if (hosted && addresses.some((a) => isPrivateAddress(a.address))) {
    return { ok: false, message: `${host} points to a private, loopback or link-local address, which this hosted service may not call. Use a public address.` };
  }
  const first = addresses[0]!;
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * Shape and (in hosted mode) address together, for saving an endpoint. A
 * self-hosted install may name a host its own DNS does not know yet.
 */
export async function validateEndpointUrl(raw: string, hosted: boolean, resolver?: Resolver): Promise<UrlCheck> {
  const shape = checkEndpointUrl(raw);
  if (!shape.ok || !hosted) return shape;
  const target = await resolveEndpoint(shape.url, hosted, resolver);
  if (!target.ok) return target;
  return shape;
}
