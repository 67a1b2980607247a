// Joining the waitlist. Joining twice answers exactly like joining once: the
// second join changes nothing that matters and sends at most one more
// confirmation a day (only while the first is unconfirmed).
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import type { ClientInfo } from "../session";
import { generateSecret, hashToken } from "../tokens";

export const CONFIRM_TTL_DAYS = 7;
const RESEND_AFTER_MS = 24 * 60 * 60 * 1000;

export type JoinInput = { email: string; name: string | null; company: string | null };

/**
 * `claim`, when given, runs first in the same transaction: when it answers
 * false nothing is joined and joinWaitlist answers false. (The form's stamp is
 * used up this way, so a join that fails, say while the database restarts,
 * does not use it up.)
 */
export async function joinWaitlist(
  db: Database,
  input: JoinInput,
  client: ClientInfo,
  now = new Date(),
  claim?: (tx: Database) => Promise<boolean>,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (claim && !(await claim(tx))) return false;
    await addOrRemind(tx, input, client, now);
    return true;
  });
}

async function addOrRemind(tx: Database, input: JoinInput, client: ClientInfo, now: Date): Promise<void> {
  // A new entry is stored with its confirmation token in the same statement.
  const confirmation = newConfirmation(now);
  const created = await tx
    .insertInto("waitlist_entry")
    .values({
      email: input.email,
      name: input.name,
      company: input.company,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 500) ?? null,
      created_at: now,
      ...confirmation.columns,
    })
    .onConflict((oc) => oc.column("email").doNothing())
    .returning(["id", "name"])
    .executeTakeFirst();
  if (created) return queueConfirmation(tx, { email: input.email, name: created.name }, confirmation.token, now);

  const unconfirmed = await tx
    .selectFrom("waitlist_entry")
    .select(["id", "name"])
    .where("email", "=", input.email)
    .where("confirmed_at", "is", null)
    .where((eb) => eb.or([eb("confirmation_sent_at", "is", null), eb("confirmation_sent_at", "<", new Date(now.getTime() - RESEND_AFTER_MS))]))
    .forUpdate()
    .executeTakeFirst();
  if (!unconfirmed) return;
  // A fresh token replaces the old one: only the newest link works.
  await tx.updateTable("waitlist_entry").set(confirmation.columns).where("id", "=", unconfirmed.id).execute();
  await queueConfirmation(tx, { email: input.email, name: unconfirmed.name }, confirmation.token, now);
}

function newConfirmation(now: Date) {
  const token = generateSecret();
  const columns = { confirm_token_hash: hashToken(token), confirm_expires_at: new Date(now.getTime() + CONFIRM_TTL_DAYS * 86_400_000), confirmation_sent_at: now };
  return { token, columns };
}

async function queueConfirmation(tx: Database, entry: { email: string; name: string | null }, token: string, now: Date) {
  await queueEmail(
    tx,
    { to: entry.email, toName: entry.name, template: "waitlist-confirm", props: { name: entry.name, confirmUrl: publicLink(`/waitlist/confirm/${token}`), expiresInDays: CONFIRM_TTL_DAYS } },
    { now },
  );
}

/** Follows the confirmation link: single use, until it expires. */
export async function confirmWaitlistEntry(db: Database, token: string, now = new Date()): Promise<{ ok: boolean }> {
  if (!token || token.length > 100) return { ok: false };
  const result = await db
    .updateTable("waitlist_entry")
    .set({ confirmed_at: now, confirm_token_hash: null, confirm_expires_at: null })
    .where("confirm_token_hash", "=", hashToken(token))
    .where("confirm_expires_at", ">", now)
    .executeTakeFirst();
  return { ok: result.numUpdatedRows > 0n };
}
