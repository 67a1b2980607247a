// Password hashing (argon2id, OWASP's m=19456 KiB, t=2, p=1) behind a small
// FIFO limiter, plus the password policy shown on signup and password change.
import { hash as argon2Hash, verify as argon2Verify, type Algorithm, type Options } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";

// The package declares Algorithm as a `const enum` in its .d.ts, and its
// runtime export is an empty object: under isolatedModules (Vite, esbuild)
// `Algorithm.Argon2id` would be `undefined` and we would silently rely on the
// library default. So the value is written here and the type proves it is the
// package's Argon2id member.
const ARGON2ID: Algorithm.Argon2id = 2;

const ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

// Each hash takes ~19 MiB and one core for tens of milliseconds. On a 2-core
// machine, more than two at once only makes every request slower; a queue
// bounded at 32 turns a login flood into fast 429s instead of a stalled server.
export const PASSWORD_HASH_CONCURRENCY = 2;
export const PASSWORD_HASH_QUEUE_LIMIT = 32;

/** Too many hashes are already waiting: answer 429 and let the client retry. */
export class PasswordHasherBusyError extends Error {
  constructor() {
    super("Too many password checks are in progress; try again shortly.");
    this.name = "PasswordHasherBusyError";
  }
}

export type PasswordHasher = {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  stats(): { running: number; waiting: number };
};

export function createPasswordHasher({ concurrency, queueLimit }: { concurrency: number; queueLimit: number }): PasswordHasher {
  let running = 0;
  const waiting: Array<() => void> = [];

  async function withSlot<T>(task: () => Promise<T>): Promise<T> {
    if (running < concurrency) {
      running++;
    } else {
      if (waiting.length >= queueLimit) throw new PasswordHasherBusyError();
      // The finishing task hands its slot straight to us (running is not
      // decremented), so a newcomer can never overtake the queue.
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return {
    hash: (password) => withSlot(() => argon2Hash(password, ARGON2_OPTIONS)),
    // The parameters come from the stored hash, so old hashes keep verifying
    // if the defaults above are ever raised.
    verify: (hash, password) => withSlot(() => argon2Verify(hash, password)),
    stats: () => ({ running, waiting: waiting.length }),
  };
}

const defaultHasher = createPasswordHasher({ concurrency: PASSWORD_HASH_CONCURRENCY, queueLimit: PASSWORD_HASH_QUEUE_LIMIT });

// The same visible password can arrive composed ("é") or decomposed ("e" + "́")
// from different keyboards; NIST SP 800-63B asks us to normalise before hashing.
export function hashPassword(password: string): Promise<string> {
  return defaultHasher.hash(password.normalize("NFKC"));
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return defaultHasher.verify(hash, password.normalize("NFKC"));
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

  // The list is lowercase; building the Set costs ~10 ms, so only when first needed.
  commonPasswords ??= new Set(dictionary["passwords-common"]);
  if (commonPasswords.has(lowered)) return "This password is too common: choose one that is harder to guess.";
  return null;
}
