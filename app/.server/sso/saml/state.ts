// The two bits of SAML state kept in the database: AuthnRequest ids we sent
// (InResponseTo must name one, once, before it expires) and assertion ids we
// accepted (kept until the assertion expires, so a captured response cannot be
// posted again). Both are cleaned by deleteExpiredSamlState (jobs/cleanup.ts)
// and opportunistically on insert.
import { sql } from "kysely";
import type { Database } from "../../db";
import { deleteInBatches } from "../../jobs/batched-delete";

/** How long a person has to finish signing in at the IdP. */
export const REQUEST_LIFETIME_MS = 10 * 60 * 1000;

export async function rememberSamlRequest(db: Database, connectionId: string, requestId: string, now: Date): Promise<void> {
  await db.deleteFrom("saml_request").where("expires_at", "<=", now).execute();
  await db
    .insertInto("saml_request")
    .values({ id: requestId, connection_id: connectionId, expires_at: new Date(now.getTime() + REQUEST_LIFETIME_MS), created_at: now })
    .execute();
}

/** Uses up the request: true only the first time, for its connection, before it expired. */
export async function consumeSamlRequest(db: Database, connectionId: string, requestId: string, now: Date): Promise<boolean> {
  const row = await db
    .deleteFrom("saml_request")
    .where("id", "=", requestId)
    .where("connection_id", "=", connectionId)
    .returning("expires_at")
    .executeTakeFirst();
  return !!row && row.expires_at > now;
}

export async function isSamlRequestKnown(db: Database, connectionId: string, requestId: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom("saml_request")
    .select("id")
    .where("id", "=", requestId)
    .where("connection_id", "=", connectionId)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return !!row;
}

/** Records the assertion id; false when it was already there (a replay). */
export async function recordAssertion(db: Database, connectionId: string, assertionId: string, expiresAt: Date, now: Date): Promise<boolean> {
  await db.deleteFrom("saml_assertion_seen").where("expires_at", "<=", now).execute();
  const inserted = await db
    .insertInto("saml_assertion_seen")
    .values({ connection_id: connectionId, assertion_id: assertionId, expires_at: expiresAt })
    .onConflict((conflict) => conflict.columns(["connection_id", "assertion_id"]).doNothing())
    .returning("assertion_id")
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function wasAssertionSeen(db: Database, connectionId: string, assertionId: string): Promise<boolean> {
  const row = await db
    .selectFrom("saml_assertion_seen")
    .select("assertion_id")
    .where("connection_id", "=", connectionId)
    .where("assertion_id", "=", assertionId)
    .executeTakeFirst();
  return !!row;
}

export async function deleteExpiredSamlState(db: Database, now = new Date()): Promise<{ requests: number; assertions: number }> {
  const requests = await deleteInBatches(db, "saml_request", sql`expires_at <= ${now}`);
  const assertions = await deleteInBatches(db, "saml_assertion_seen", sql`expires_at <= ${now}`);
  return { requests, assertions };
}
