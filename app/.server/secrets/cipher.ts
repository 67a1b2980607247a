// AES-256-GCM with a fresh 96-bit nonce per message. The text form is
//   v1.<key id>.<nonce>.<ciphertext+tag>   (base64url parts)
// so a stored value names the key that can open it (rotation) and a format
// change can come later. The optional context is authenticated but not stored:
// a ciphertext copied onto another row (another user's factor) fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring";

const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type DecryptFailure = "malformed" | "unknown-key" | "tampered";

/** Thrown when a stored secret cannot be opened; never carries the plaintext or the key. */
export class SecretDecryptionError extends Error {
  constructor(readonly reason: DecryptFailure) {
    super(reason === "unknown-key" ? "this secret was encrypted with a key that is not in SECRETS_KEY" : `this secret cannot be decrypted (${reason})`);
    this.name = "SecretDecryptionError";
  }
}

export function encryptWith(keyring: Keyring, plaintext: string, context = ""): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, nonce);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, keyring.current.id, nonce.toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptWith(keyring: Keyring, ciphertext: string, context = ""): string {
  const [version, id, nonceText, bodyText, ...rest] = ciphertext.split(".");
  if (version !== VERSION || !id || !nonceText || !bodyText || rest.length > 0) throw new SecretDecryptionError("malformed");
  const entry = keyring.byId.get(id);
  if (!entry) throw new SecretDecryptionError("unknown-key");
  const nonce = Buffer.from(nonceText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new SecretDecryptionError("malformed");
  try {
    const decipher = createDecipheriv("aes-256-gcm", entry.key, nonce);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("tampered");
  }
}

/** True when the value was made with a key other than the current one (so it should be re-encrypted). */
export function isStale(keyring: Keyring, ciphertext: string): boolean {
  return ciphertext.split(".")[1] !== keyring.current.id;
}
