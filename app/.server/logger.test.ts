import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, redactUrl } from "./logger";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("info", stream), lines };
}

describe("logger", () => {
  it("redacts cookies, authorization headers, passwords and tokens", () => {
    const { logger, lines } = capture();
    logger.info({
      headers: { cookie: "__Host-session=abc.def", authorization: "Bearer gk_secret" },
      body: { password: "hunter2", token: "tok_123" },
      apiKey: "gk_live",
    });
    const line = lines.join("");
    for (const secret of ["abc.def", "gk_secret", "hunter2", "tok_123", "gk_live"]) expect(line).not.toContain(secret);
    expect(line).toContain("[redacted]");
  });

  it("cuts tokens out of logged URLs", () => {
    expect(redactUrl("/reset-password/s3cr3t?x=1")).toBe("/reset-password/[redacted]?x=[redacted]");
    expect(redactUrl("/waitlist/confirm/abc")).toBe("/waitlist/confirm/[redacted]");
    expect(redactUrl("/invite/abc")).toBe("/invite/[redacted]");
    expect(redactUrl("/verify-email?code=12345678&token=abc")).toBe("/verify-email?code=[redacted]&token=[redacted]");
    expect(redactUrl("/privacy")).toBe("/privacy");
  });

  it("cuts every query value it does not know to be harmless, wherever the secret sits", () => {
    const token = "abcdefghijklmnopqrstuvwxyz234567";
    expect(redactUrl(`/signup?invitation=${token}`)).toBe("/signup?invitation=[redacted]");
    expect(redactUrl(`/anything?whatever=${token}&status=failed`)).toBe("/anything?whatever=[redacted]&status=failed");
    expect(redactUrl(`/x/gk_${token}/y`)).toBe("/x/[redacted]/y");
    // A key or webhook secret whose random part happens to hold no digit (base32: about 1 in 770 keys).
    expect(redactUrl("/x/gk_abcdefghijklmnopqrstuvwxyzabcdef/y")).toBe("/x/[redacted]/y");
    expect(redactUrl("/x/whsec_QUJDREVGR0hJSktMTU5PUFFSU1RV/y")).toBe("/x/[redacted]/y");
    expect(redactUrl("/admin/emails?status=failed&intent=retry")).toBe("/admin/emails?status=failed&intent=retry");
    // Row ids are not secrets.
    expect(redactUrl("/admin/users/0b6a5b7e-4c1b-4f55-9a8e-1f2e3d4c5b6a")).toBe("/admin/users/0b6a5b7e-4c1b-4f55-9a8e-1f2e3d4c5b6a");
  });

  it("redacts a URL inside a redirect parameter, encoded once or twice, and keeps it readable", () => {
    const token = "abcdefghijklmnopqrstuvwxyz234567";
    expect(redactUrl(`/login?redirectTo=${encodeURIComponent(`/invite/${token}`)}`)).toBe("/login?redirectTo=/invite/[redacted]");
    const twice = `/login?redirectTo=${encodeURIComponent(`/login?redirectTo=${encodeURIComponent(`/reset-password/${token}`)}`)}`;
    expect(redactUrl(twice)).not.toContain(token);
    expect(redactUrl(`/login?next=${encodeURIComponent(`https://accounts.example.com/signup?invitation=${token}`)}`)).toBe(
      "/login?next=https://accounts.example.com/signup?invitation%3D[redacted]",
    );
  });

  it("sees through dot segments and escapes in the path", () => {
    expect(redactUrl("/api/v1/../../invite/abc")).toBe("/invite/[redacted]");
    expect(redactUrl("/%69nvite/abc")).not.toContain("abc");
  });

  it("redacts URL fields of any log line, not only the request log", () => {
    const { logger, lines } = capture();
    logger.info({ path: "/invite/s3cr3t-token-value", url: "/signup?invitation=another-secret" }, "something");
    const line = lines.join("");
    expect(line).not.toContain("s3cr3t-token-value");
    expect(line).not.toContain("another-secret");
  });
});
