// The argon2id limiter: at most PASSWORD_HASH_CONCURRENCY hashes at once, a
// bounded FIFO queue behind them. Its own module (no password policy, no
// dictionary) because the HTTP server's bundle needs it too, to shed login floods.
import { hash as argon2Hash, verify as argon2Verify, type Algorithm, type Options } from "@node-rs/argon2";
import { singleton } from "./singleton";

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

// One per process, shared by the HTTP server's bundle (which sheds login floods
// before Remix, http/login-shedding.ts) and the Remix build (which hashes).
export const defaultHasher = singleton("password-hasher", () => createPasswordHasher({ concurrency: PASSWORD_HASH_CONCURRENCY, queueLimit: PASSWORD_HASH_QUEUE_LIMIT }));

export function passwordHasherIsFull(): boolean {
  return defaultHasher.stats().waiting >= PASSWORD_HASH_QUEUE_LIMIT;
}

/**
 * Whether `error` is the hasher refusing work. By name, not instanceof: the
 * shared hasher may have been created by the other bundle, with its own copy
 * of the class.
 */
export function isPasswordHasherBusy(error: unknown): boolean {
  return error instanceof Error && error.name === "PasswordHasherBusyError";
}
