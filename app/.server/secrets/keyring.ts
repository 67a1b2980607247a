// The keys that encrypt secrets at rest. They never live in the database: a
// copy of the database (a backup, a replica, a leaked dump) reveals nothing
// without them. SECRETS_KEY lists them (the first one encrypts); without it, a
// key file made once in DATA_DIR serves the single-process embedded default.
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export type SecretKey = { id: string; key: Buffer };
export type Keyring = { current: SecretKey; byId: Map<string, SecretKey> };

export const KEY_FILE_NAME = "secrets.key";

/**
 * A key is named by a short hash of itself, so ciphertexts say which key made
 * them without anyone having to name keys, and a wrong key is told apart from
 * a damaged ciphertext.
 */
export function keyId(key: Buffer): string {
  return createHash("sha256").update("gatehouse secrets key id\0").update(key).digest("base64url").slice(0, 8);
}

export function createKeyring(keys: Buffer[]): Keyring {
  if (keys.length === 0) throw new Error("a keyring needs at least one key");
  const entries = keys.map((key) => ({ id: keyId(key), key }));
  return { current: entries[0]!, byId: new Map(entries.map((entry) => [entry.id, entry])) };
}

/**
 * The key file in `dataDir`, created on first use (mode 0600, written with
 * O_EXCL so two processes starting at once cannot each write a different key).
 */
export function readOrCreateKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE_NAME);
  try {
    return parseKeyFile(readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600); // the umask may have narrowed, never widened, it; be explicit
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return parseKeyFile(readFileSync(file, "utf8"), file);
  }
}

function parseKeyFile(contents: string, file: string): Buffer {
  const key = Buffer.from(contents.trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key; restore it from a backup (secrets encrypted with it cannot be read otherwise)`);
  return key;
}
