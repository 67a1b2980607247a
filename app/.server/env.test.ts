import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("parseEnv", () => {
  it("starts with no settings at all, on the embedded database", () => {
    const result = parseEnv({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.env.GATEHOUSE_MODE).toBe("self-hosted");
    expect(result.env.PORT).toBe(3000);
    expect(result.env.PUBLIC_URL.origin).toBe("http://localhost:3000");
    expect(result.env.DATABASE_URL).toBeUndefined();
    expect(result.env.DATA_DIR).toMatch(/\/data$/);
    expect(result.env.TRUST_PROXY).toEqual([]);
  });

  it("reports one line per bad variable, naming each", () => {
    const result = parseEnv({ GATEHOUSE_MODE: "cloud", PORT: "70000", PUBLIC_URL: "localhost:3000", TRUST_PROXY: "10.0.0.0/8,proxy.internal" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(4);
    expect(result.problems[0]).toMatch(/^GATEHOUSE_MODE: .*hosted.*self-hosted.*\(got "cloud"\)$/);
    expect(result.problems.find((p) => p.startsWith("PORT:"))).toContain("at most 65535");
    expect(result.problems.find((p) => p.startsWith("PUBLIC_URL:"))).toContain("http");
    expect(result.problems.find((p) => p.startsWith("TRUST_PROXY:"))).toContain('"proxy.internal"');
  });

  it("never echoes the database URL, which can hold a password", () => {
    const result = parseEnv({ DATABASE_URL: "mysql://admin:hunter2@db/app" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(["DATABASE_URL: must be a postgres:// or postgresql:// connection URL"]);
  });

  it("refuses a public URL with a path, because links and CSRF use its origin", () => {
    const result = parseEnv({ PUBLIC_URL: "https://example.com/portal" });
    expect(result.ok).toBe(false);
  });

  it("requires the operator's name and contact in hosted mode", () => {
    const result = parseEnv({ GATEHOUSE_MODE: "hosted" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.split(":")[0]).sort()).toEqual(["OPERATOR_EMAIL", "OPERATOR_NAME"]);
  });

  it("treats an empty value as unset", () => {
    const result = parseEnv({ PORT: "", DATABASE_URL: "" });
    expect(result.ok && result.env.PORT).toBe(3000);
  });

  it("accepts IPs, CIDR ranges and 'loopback' as trusted proxies", () => {
    const result = parseEnv({ TRUST_PROXY: "loopback, 10.0.0.0/8, 2001:db8::/32, 192.168.1.7" });
    expect(result.ok && result.env.TRUST_PROXY).toEqual(["loopback", "10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]);
  });
});
