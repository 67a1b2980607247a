// Creating forms (an API key, an org, an invitation) carry a one-time token
// made when the page rendered. The first POST with it claims it; a second POST
// of the same render (a double click, a resent form, a reload) finds it claimed
// and creates nothing. Claims are per user, so a token seen by someone else is
// worth nothing to them.
import { sql } from "kysely";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Database } from "../db";
import { deleteInBatches } from "../jobs/batched-delete";

/** The hidden field's schema entry: every creating form lists it. */
export const formTokenField = z
  .string({ error: "This form is out of date. Reload the page and try again." })
  .regex(/^[A-Za-z0-9_-]{22,64}$/, "This form is out of date. Reload the page and try again.");

/** A fresh token for one render of a creating form (128 random bits). */
export function newFormToken(): string {
  return randomBytes(16).toString("base64url");
}

export type FormClaim = { claimed: true } | { claimed: false; result: string | null };

/**
 * Claims a token for this user and purpose. Not claimed means this render was
 * already sent: `result` is what the first POST recorded (null while it runs,
 * or if it recorded nothing).
 */
export async function claimFormToken(db: Database, input: { token: string; userId: string; purpose: string }): Promise<FormClaim> {
  const inserted = await db
    .insertInto("form_submission")
    .values({ token: input.token, user_id: input.userId, purpose: input.purpose })
    .onConflict((oc) => oc.column("token").doNothing())
    .returning("token")
    .executeTakeFirst();
  if (inserted) return { claimed: true };
  const existing = await db
    .selectFrom("form_submission")
    .select(["result", "user_id", "purpose"])
    .where("token", "=", input.token)
    .executeTakeFirst();
  // Another user's or another form's token: say nothing about it, just refuse.
  const mine = existing && existing.user_id === input.userId && existing.purpose === input.purpose;
  return { claimed: false, result: mine ? existing.result : null };
}

/** Records what the claimed POST made, for the answer to a repeat. */
export async function recordFormResult(db: Database, token: string, result: string): Promise<void> {
  await db.updateTable("form_submission").set({ result }).where("token", "=", token).execute();
}

/** Gives a token back when its POST created nothing (bad input, a taken slug), so the same render can be corrected and sent again. */
export async function releaseFormToken(db: Database, token: string): Promise<void> {
  await db.deleteFrom("form_submission").where("token", "=", token).where("result", "is", null).execute();
}

/** Clean-up: a render older than a day is not going to be sent twice. */
export async function deleteOldFormTokens(db: Database, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  return deleteInBatches(db, "form_submission", sql`created_at < ${cutoff}`);
}

/**
 * Runs `create` once per form render. The first POST runs it and records
 * `resultOf(value)` (null means nothing was created: the token is given back
 * so the corrected form can be sent again). A repeat POST does not run it and
 * gets what the first one recorded.
 */
export async function oncePerRender<T>(
  db: Database,
  claim: { token: string; userId: string; purpose: string },
  create: () => Promise<T>,
  resultOf: (value: T) => string | null,
): Promise<{ repeated: false; value: T } | { repeated: true; result: string | null }> {
  const claimed = await claimFormToken(db, claim);
  if (!claimed.claimed) return { repeated: true, result: claimed.result };
  let value: T;
  try {
    value = await create();
  } catch (error) {
    await releaseFormToken(db, claim.token);
    throw error;
  }
  const result = resultOf(value);
  if (result === null) await releaseFormToken(db, claim.token);
  else await recordFormResult(db, claim.token, result);
  return { repeated: false, value };
}
