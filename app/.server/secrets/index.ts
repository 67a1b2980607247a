// Secrets that must be read back (TOTP seeds; later SSO client secrets, token
// signing keys, webhook secrets) go through these two functions, encrypted
// with the process's keyring. Everything else about keys is in keyring.ts.
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { singleton } from "../singleton";
import { decryptWith, encryptWith, isStale } from "./cipher";
import { createKeyring, KEY_FILE_NAME, readOrCreateKeyFile, type Keyring } from "./keyring";

export { SecretDecryptionError } from "./cipher";

/** The keyring, loaded once per process on first use (not at start: most processes never need it). */
export function getKeyring(): Keyring {
  return singleton("secrets-keyring", () => {
    const env = getEnv();
    if (env.SECRETS_KEY) return createKeyring(env.SECRETS_KEY);
    if (env.DATABASE_URL) {
      // Several replicas would each make their own key file and could not read each other's secrets.
      getLogger().warn(`SECRETS_KEY is not set: secrets are encrypted with ${KEY_FILE_NAME} in DATA_DIR. With more than one replica, set SECRETS_KEY (docs/two-factor.md).`);
    }
    return createKeyring([readOrCreateKeyFile(env.DATA_DIR)]);
  });
}

/** Encrypts `plaintext`; `context` (e.g. "totp:<user id>") binds the value to where it is stored. */
export function encryptSecret(plaintext: string, context?: string): string {
  return encryptWith(getKeyring(), plaintext, context);
}

/** Opens a value made by encryptSecret with the same context; throws SecretDecryptionError otherwise. */
export function decryptSecret(ciphertext: string, context?: string): string {
  return decryptWith(getKeyring(), ciphertext, context);
}

/** Whether a stored value should be re-encrypted under the current key (after a rotation). */
export function needsReencryption(ciphertext: string): boolean {
  return isStale(getKeyring(), ciphertext);
}
