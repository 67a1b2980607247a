import { describe, expect, it } from "vitest";
import { buildTrustedProxyList } from "../env";
import { resolveClientIp } from "./client-ip";

const none = buildTrustedProxyList([]);
const proxies = buildTrustedProxyList(["loopback", "10.0.0.0/8"]);

describe("resolveClientIp", () => {
  it("ignores a forged X-Forwarded-For when no proxy is trusted", () => {
    expect(resolveClientIp("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(resolveClientIp("203.0.113.9", "1.2.3.4", proxies)).toBe("203.0.113.9");
  });

  it("takes the right-most untrusted hop behind trusted proxies", () => {
    // The client prepended a fake hop; our proxies appended the real one.
    expect(resolveClientIp("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", proxies)).toBe("198.51.100.7");
  });

  it("reads repeated X-Forwarded-For headers as one list", () => {
    expect(resolveClientIp("10.0.0.1", ["6.6.6.6", "198.51.100.7"], proxies)).toBe("198.51.100.7");
  });

  it("stops at a hop that is not an IP address", () => {
    expect(resolveClientIp("10.0.0.1", "198.51.100.7, garbage", proxies)).toBe("10.0.0.1");
  });

  it("unwraps IPv4-mapped IPv6 socket addresses", () => {
    expect(resolveClientIp("::ffff:203.0.113.9", undefined, none)).toBe("203.0.113.9");
    expect(resolveClientIp("::ffff:127.0.0.1", "198.51.100.7", proxies)).toBe("198.51.100.7");
  });

  it("falls back to the peer when a trusted proxy sends no header", () => {
    expect(resolveClientIp("10.0.0.1", undefined, proxies)).toBe("10.0.0.1");
  });
});
