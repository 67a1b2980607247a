// Password hashing (argon2id, OWASP's m=19456 KiB, t=2, p=1) through the
// limiter in password-hasher.ts, plus the password policy shown on signup and
// password change.
import { defaultHasher, passwordHasherIsFull, PasswordHasherBusyError } from "./password-hasher";
import { createRequire } from "node:module";

export { createPasswordHasher, PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE_LIMIT, PasswordHasherBusyError, type PasswordHasher } from "./password-hasher";

// The same visible password can arrive composed ("é") or decomposed ("e" + "́")
// from different keyboards; NIST SP 800-63B asks us to normalise before hashing.
export function hashPassword(password: string): Promise<string> {
  return defaultHasher.hash(password.normalize("NFKC"));
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return defaultHasher.verify(hash, password.normalize("NFKC"));
}

/**
 * Throws PasswordHasherBusyError when the queue is already full, so a flood is
 * refused before it spends anything else (queries, an attempt from the
 * person's login allowance). The queue can still fill before the hash itself
 * starts; that is refused the same way.
 */
export function assertPasswordHasherHasRoom(): void {
  if (passwordHasherIsFull()) throw new PasswordHasherBusyError();
}


let dummyHash: Promise<string> | undefined;

/**
 * For an unknown email: spend the same time as checking a real password, so
 * login cannot be used to find out which emails have accounts. Always false.
 * (The very first call in a process also pays for creating the dummy hash.)
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= defaultHasher.hash(randomDummyPassword()).catch((error: unknown) => {
    dummyHash = undefined; // a busy hasher must not poison every later call
    throw error;
  });
  await defaultHasher.verify(await dummyHash, password);
  return false;
}

function randomDummyPassword(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

// The common-password list is loaded on the first password checked, not at
// start-up (~16 MB and ~15 ms that most processes, the worker among them, never need).
const requireLazily = createRequire(import.meta.url);
let commonPasswords: Set<string> | undefined;

/** A user-facing reason the password is refused, or null when it is fine. */
export function checkPasswordPolicy(password: string, context: { email?: string; name?: string | null }): string | null {
  // Code points, not UTF-16 units: an emoji is one character to the user.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  // Refused, never truncated: a silently shortened password is a weaker one.
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;

  const lowered = password.toLowerCase();
  const email = context.email?.trim().toLowerCase();
  const localPart = email?.includes("@") ? email.slice(0, email.lastIndexOf("@")) : undefined;
  if (email && (lowered === email || lowered === localPart)) {
    return "Don't use your email address as your password.";
  }
  const name = context.name?.trim().toLowerCase();
  if (name && lowered === name) return "Don't use your name as your password.";

  // The list is lowercase; building the Set costs ~10 ms more.
  commonPasswords ??= new Set((requireLazily("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common")).dictionary["passwords-common"]);
  if (commonPasswords.has(lowered)) return "This password is too common: choose one that is harder to guess.";
  return null;
}
