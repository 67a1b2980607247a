// Accounts for integration tests, and a look at what the accounts code queued
// for them in the outbox. Users are written straight to the table: a test that
// is about login should not depend on signup working.
import type { Database } from "../../app/.server/db";
import { hashPassword } from "../../app/.server/password";
import { createSession } from "../../app/.server/session";

export const DEFAULT_PASSWORD = "correct horse battery staple";

// argon2id costs tens of milliseconds per hash on a loaded runner; the same
// password needs hashing only once per test file.
const hashes = new Map<string, Promise<string>>();
function cachedHash(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

export type TestUser = { id: string; email: string; password: string };

export async function createUser(
  db: Database,
  options: { email?: string; password?: string; name?: string | null; verified?: boolean; now?: Date } = {},
): Promise<TestUser> {
  const email = options.email ?? "ada@example.com";
  const password = options.password ?? DEFAULT_PASSWORD;
  const now = options.now ?? new Date();
  const row = await db
    .insertInto("user")
    .values({
      email,
      password_hash: await cachedHash(password),
      name: options.name === undefined ? "Ada" : options.name,
      email_verified_at: options.verified === false ? null : now,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, email, password };
}

export type QueuedEmail = { template: string; to_address: string; subject: string; text_body: string | null };

/** Everything in the outbox, optionally only what went to one address, oldest first. */
export async function queuedEmails(db: Database, to?: string): Promise<QueuedEmail[]> {
  let query = db.selectFrom("outbox_email").select(["template", "to_address", "subject", "text_body"]).orderBy("created_at").orderBy("id");
  if (to !== undefined) query = query.where("to_address", "=", to);
  return query.execute();
}

/** The 8-digit code of the latest verify-email message to `to` (on a line of its own in the body; never in the subject). */
export async function latestVerificationCode(db: Database, to: string): Promise<string> {
  const emails = (await queuedEmails(db, to)).filter((email) => email.template === "verify-email");
  const code = /^\s*(\d{8})\s*$/m.exec(emails.at(-1)?.text_body ?? "")?.[1];
  if (!code) throw new Error(`no verification code was queued for ${to}`);
  return code;
}

/** The token of the latest link to `path` in a message to `to`, e.g. "/reset-password/" or "/verify-email?token=". */
export async function latestLinkToken(db: Database, to: string, path: string): Promise<string> {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`${escaped}([a-z0-9]+)`);
  const tokens = (await queuedEmails(db, to)).map((email) => pattern.exec(email.text_body ?? "")?.[1]).filter((token) => token !== undefined);
  const token = tokens.at(-1);
  if (!token) throw new Error(`no link to ${path} was queued for ${to}`);
  return token;
}

/** A signed-in browser's Cookie header for `user`, with a session made directly in the database. */
export async function sessionCookieFor(db: Database, user: { id: string }, client: { ip?: string; userAgent?: string } = {}): Promise<string> {
  const { token } = await createSession(db, user.id, { ip: client.ip ?? "127.0.0.1", userAgent: client.userAgent ?? null });
  return `gatehouse_session=${token}`;
}
