import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decryptWith, encryptWith, isStale, SecretDecryptionError } from "./cipher";
import { createKeyring, KEY_FILE_NAME, readOrCreateKeyFile } from "./keyring";

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

describe("secrets at rest", () => {
  it("round-trips, with a fresh nonce each time", () => {
    const keyring = createKeyring([oldKey]);
    const a = encryptWith(keyring, "JBSWY3DPEHPK3PXP", "totp:1");
    const b = encryptWith(keyring, "JBSWY3DPEHPK3PXP", "totp:1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(decryptWith(keyring, a, "totp:1")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("cannot be opened without the key that made it", () => {
    const sealed = encryptWith(createKeyring([oldKey]), "seed");
    expect(() => decryptWith(createKeyring([newKey]), sealed)).toThrow(expect.objectContaining({ reason: "unknown-key" }));
  });

  it("refuses a value moved to another context or altered by one character", () => {
    const keyring = createKeyring([oldKey]);
    const sealed = encryptWith(keyring, "seed", "totp:alice");
    expect(() => decryptWith(keyring, sealed, "totp:mallory")).toThrow(SecretDecryptionError);
    const last = sealed.at(-2) === "A" ? "B" : "A";
    expect(() => decryptWith(keyring, sealed.slice(0, -2) + last + sealed.at(-1), "totp:alice")).toThrow(expect.objectContaining({ reason: "tampered" }));
    expect(() => decryptWith(keyring, "not a ciphertext")).toThrow(expect.objectContaining({ reason: "malformed" }));
  });

  it("rotates: the new key encrypts, the old one still opens what it made", () => {
    const before = createKeyring([oldKey]);
    const sealed = encryptWith(before, "seed");
    const rotated = createKeyring([newKey, oldKey]);
    expect(decryptWith(rotated, sealed)).toBe("seed");
    expect(isStale(rotated, sealed)).toBe(true);
    const resealed = encryptWith(rotated, "seed");
    expect(isStale(rotated, resealed)).toBe(false);
    expect(() => decryptWith(before, resealed)).toThrow(SecretDecryptionError);
  });

  it("creates the key file once, readable by its owner only, and reuses it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-keys-"));
    const first = readOrCreateKeyFile(path.join(dir, "nested"));
    const file = path.join(dir, "nested", KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateKeyFile(path.join(dir, "nested")).equals(first)).toBe(true);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64").equals(first)).toBe(true);
    writeFileSync(file, "short\n");
    expect(() => readOrCreateKeyFile(path.join(dir, "nested"))).toThrow(/32-byte/);
  });
});
