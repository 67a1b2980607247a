import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../env";

describe("SECRETS_KEY", () => {
  it("takes one or more 32-byte keys, base64 or hex, the first one first", () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const result = parseEnv({ SECRETS_KEY: `${a.toString("base64")}, ${b.toString("hex")}` });
    expect(result.ok && result.env.SECRETS_KEY?.map((key) => key.toString("hex"))).toEqual([a.toString("hex"), b.toString("hex")]);
  });

  it("refuses a key of the wrong size without echoing it", () => {
    const short = randomBytes(16).toString("base64");
    const result = parseEnv({ SECRETS_KEY: short });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/^SECRETS_KEY: key 1 must be 32 random bytes/)] });
    expect(JSON.stringify(result)).not.toContain(short);
  });
});
