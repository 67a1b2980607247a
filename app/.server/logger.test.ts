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
    expect(redactUrl("/reset-password/s3cr3t?x=1")).toBe("/reset-password/[redacted]?x=1");
    expect(redactUrl("/waitlist/confirm/abc")).toBe("/waitlist/confirm/[redacted]");
    expect(redactUrl("/invite/abc")).toBe("/invite/[redacted]");
    expect(redactUrl("/verify-email?code=12345678&next=/")).toBe("/verify-email?code=[redacted]&next=/");
    expect(redactUrl("/privacy")).toBe("/privacy");
  });
});
