// The IdP signing certificate of a SAML connection expires; after that day no
// assertion verifies and nobody signs in through it. Its admins (the org's
// owners and admins; for the instance connection, the operators) are emailed
// 30, 7 and 1 days before.
//
// Run periodically by every process (jobs/background.ts): runExclusively lets
// one process at a time do it, and the saml_certificate_notice row, written in
// the same transaction as the emails, makes each threshold go out once per
// certificate, however often or late the job runs. A connection given a new
// certificate (a new expiry date) is warned again.
import type { Database } from "../../db";
import { queueEmail } from "../../email/queue";
import { getEnv } from "../../env";
import { runExclusively } from "../../jobs/exclusive";

/** Days before expiry at which the admins are told, most urgent last. */
export const EXPIRY_NOTICE_DAYS = [30, 7, 1] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export type CertificateExpiryRun = { ran: false } | { ran: true; notices: number; emails: number };

export async function sendCertificateExpiryNotices(db: Database, options: { now?: Date } = {}): Promise<CertificateExpiryRun> {
  const now = options.now ?? new Date();
  const publicUrl = getEnv().PUBLIC_URL;
  const outcome = await runExclusively(db, "saml-certificate-expiry", async (trx) => {
    let notices = 0;
    let emails = 0;
    for (const connection of await connectionsExpiringSoon(trx, now)) {
      const expiresAt = connection.certificate_expires_at;
      const daysLeft = Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
      // The most urgent threshold reached: a job that did not run for a while
      // sends the 7-day notice, not the 30-day one as well.
      const threshold = [...EXPIRY_NOTICE_DAYS].reverse().find((days) => daysLeft <= days);
      if (threshold === undefined) continue;
      const claimed = await trx
        .insertInto("saml_certificate_notice")
        .values({ connection_id: connection.id, certificate_expires_at: expiresAt, days_before: threshold, sent_at: now })
        .onConflict((conflict) => conflict.columns(["connection_id", "certificate_expires_at", "days_before"]).doNothing())
        .returning("days_before")
        .executeTakeFirst();
      if (!claimed) continue;
      notices++;
      const settingsUrl = new URL(connection.org_slug ? `/orgs/${connection.org_slug}/sso` : "/admin/sso", publicUrl).href;
      for (const recipient of await administrators(trx, connection.org_id)) {
        const queued = await queueEmail(
          trx,
          {
            to: recipient.email,
            toName: recipient.name,
            template: "saml-certificate-expiry",
            props: { connectionName: connection.name, orgName: connection.org_name, expiresOn: expiresAt.toISOString().slice(0, 10), daysLeft, settingsUrl },
          },
          { now },
        );
        if (queued.queued) emails++;
      }
    }
    return { notices, emails };
  });
  return outcome.ran ? { ran: true, ...outcome.result } : { ran: false };
}

async function connectionsExpiringSoon(db: Database, now: Date) {
  const horizon = new Date(now.getTime() + EXPIRY_NOTICE_DAYS[0] * DAY_MS);
  const rows = await db
    .selectFrom("sso_connection")
    .leftJoin("org", "org.id", "sso_connection.org_id")
    .select(["sso_connection.id", "sso_connection.name", "sso_connection.org_id", "sso_connection.certificate_expires_at", "org.slug as org_slug", "org.name as org_name"])
    .where("sso_connection.kind", "=", "saml")
    // A connection that is off signs nobody in; its page shows the date.
    .where("sso_connection.enabled", "=", true)
    .where("sso_connection.certificate_expires_at", ">", now)
    .where("sso_connection.certificate_expires_at", "<=", horizon)
    .orderBy("sso_connection.certificate_expires_at")
    .execute();
  return rows.map((row) => ({ ...row, certificate_expires_at: row.certificate_expires_at! }));
}

/** Who must act: the org's owners and admins, or (org_id null) the instance's operators. */
async function administrators(db: Database, orgId: string | null): Promise<Array<{ email: string; name: string | null }>> {
  if (orgId === null) {
    return db.selectFrom("user").select(["email", "name"]).where("is_operator", "=", true).where("deletion_requested_at", "is", null).orderBy("email").execute();
  }
  return db
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["user.email", "user.name"])
    .where("membership.org_id", "=", orgId)
    .where("membership.role", "in", ["owner", "admin"])
    .where("user.deletion_requested_at", "is", null)
    .orderBy("user.email")
    .execute();
}
