// An SSO sign-in whose address an existing account uses. The IdP's word is
// not enough to take over an account someone made with a password: the
// account proves itself with its own sign-in (password, and its second factor
// if on), and only then is the IdP identity linked to it. Until then the
// pending link waits, bound to the browser by a cookie, for 30 minutes.
import type { Database } from "../db";
import { getEnv } from "../env";
import { recordAuditEvent } from "../orgs/audit";
import type { ValidSession } from "../session";
import { generateSecret, hashToken } from "../tokens";
import { findSsoConnection } from "./connections";
import { joinOrg } from "./sign-in";

export const PENDING_LINK_TTL_MS = 30 * 60 * 1000;

export async function createPendingLink(db: Database, input: { connectionId: string; subject: string; userId: string }, now = new Date()): Promise<string> {
  const token = generateSecret(32);
  await db
    .insertInto("sso_pending_link")
    .values({ token_hash: hashToken(token), connection_id: input.connectionId, subject: input.subject, user_id: input.userId, expires_at: new Date(now.getTime() + PENDING_LINK_TTL_MS), created_at: now })
    .execute();
  return token;
}

export type PendingLink = { id: string; connectionId: string; connectionName: string; subject: string; userId: string; email: string };

export async function findPendingLink(db: Database, token: string | null, now = new Date()): Promise<PendingLink | null> {
  if (!token || token.length > 100) return null;
  const row = await db
    .selectFrom("sso_pending_link")
    .innerJoin("sso_connection", "sso_connection.id", "sso_pending_link.connection_id")
    .innerJoin("user", "user.id", "sso_pending_link.user_id")
    .select(["sso_pending_link.id", "sso_pending_link.connection_id", "sso_pending_link.subject", "sso_pending_link.user_id", "sso_connection.name", "user.email"])
    .where("sso_pending_link.token_hash", "=", hashToken(token))
    .where("sso_pending_link.expires_at", ">", now)
    .executeTakeFirst();
  return row ? { id: row.id, connectionId: row.connection_id, connectionName: row.name, subject: row.subject, userId: row.user_id, email: row.email } : null;
}

/** A proof counts when the session signed in with the account's own credentials within the link's lifetime. */
export function sessionProvesAccount(session: ValidSession, link: PendingLink, now = new Date()): boolean {
  return session.user.id === link.userId && session.authMethod !== "sso" && now.getTime() - session.authenticatedAt.getTime() <= PENDING_LINK_TTL_MS;
}

export type LinkResult = { ok: true } | { ok: false; reason: "gone" | "no-seats" };

/** Links the IdP identity to the account that just proved itself, and joins the connection's org. */
export async function completePendingLink(db: Database, link: PendingLink, ip: string | null, now = new Date()): Promise<LinkResult> {
  const connection = await findSsoConnection(db, link.connectionId);
  if (!connection) return { ok: false, reason: "gone" };
  return db.transaction().execute(async (tx) => {
    const taken = await tx.deleteFrom("sso_pending_link").where("id", "=", link.id).executeTakeFirst();
    if (taken.numDeletedRows === 0n) return { ok: false as const, reason: "gone" as const };
    await tx
      .insertInto("sso_identity")
      .values({ connection_id: connection.id, subject: link.subject, user_id: link.userId, created_at: now, last_sign_in_at: now })
      .onConflict((oc) => oc.columns(["connection_id", "subject"]).doNothing())
      .execute();
    // The IdP vouched for the address on a verified domain, and the account proved itself.
    await tx.updateTable("user").set({ email_verified_at: now }).where("id", "=", link.userId).where("email_verified_at", "is", null).execute();
    if (connection.org_id) {
      if (!(await joinOrg(tx, connection, { id: link.userId, email: link.email }, ip, now))) return { ok: false as const, reason: "no-seats" as const };
      await recordAuditEvent(tx, { orgId: connection.org_id, actor: { userId: link.userId, label: link.email }, action: "sso.account_linked", target: link.email, ip, metadata: { connection: connection.name }, at: now });
    }
    return { ok: true as const };
  });
}

const COOKIE = "gatehouse_sso_link";

function attributes(maxAgeSeconds: number): string {
  const secure = getEnv().PUBLIC_URL.protocol === "https:" ? "; Secure" : "";
  return `Path=/sso; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export const pendingLinkCookie = (token: string) => `${COOKIE}=${token}; ${attributes(PENDING_LINK_TTL_MS / 1000)}`;
export const clearedPendingLinkCookie = () => `${COOKIE}=; ${attributes(0)}`;

export function readPendingLinkCookie(request: Request): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === COOKIE) return value.join("=") || null;
  }
  return null;
}
