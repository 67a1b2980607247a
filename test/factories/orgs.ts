// Organizations for integration tests, written straight to the tables: a test
// about invitations should not depend on the create-org form working.
import type { OrgRole } from "../../db/schema";
import type { Database } from "../../app/.server/db";
import type { Actor } from "../../app/.server/orgs/audit";
import { queuedEmails, type TestUser } from "./users";

export type TestOrg = { id: string; slug: string; name: string };

export async function createTestOrg(
  db: Database,
  options: { slug?: string; name?: string; plan?: string; seatLimit?: number | null; owner?: TestUser; members?: Array<{ user: TestUser; role: OrgRole }> } = {},
): Promise<TestOrg> {
  const slug = options.slug ?? "acme";
  const name = options.name ?? slug.charAt(0).toUpperCase() + slug.slice(1);
  const org = await db
    .insertInto("org")
    .values({ slug, name, plan: options.plan ?? "enterprise", seat_limit: options.seatLimit ?? null })
    .returning("id")
    .executeTakeFirstOrThrow();
  const members = [...(options.owner ? [{ user: options.owner, role: "owner" as const }] : []), ...(options.members ?? [])];
  for (const member of members) await addMember(db, org.id, member.user, member.role);
  return { id: org.id, slug, name };
}

export async function addMember(db: Database, orgId: string, user: TestUser, role: OrgRole): Promise<void> {
  await db.insertInto("membership").values({ org_id: orgId, user_id: user.id, role }).execute();
}

export async function roleOf(db: Database, orgId: string, userId: string): Promise<OrgRole | null> {
  const row = await db.selectFrom("membership").select("role").where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
  return row?.role ?? null;
}

/** The org's memberships as [email, role], sorted by email: a snapshot to compare before and after. */
export async function membershipsOf(db: Database, orgId: string): Promise<Array<[string, OrgRole]>> {
  const rows = await db
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["user.email", "membership.role"])
    .where("membership.org_id", "=", orgId)
    .orderBy("user.email")
    .execute();
  return rows.map((r) => [r.email, r.role]);
}

/** The org's audit events, oldest first. */
export async function auditEventsOf(db: Database, orgId: string) {
  return db
    .selectFrom("audit_event")
    .select(["id", "actor_id", "actor_label", "action", "target", "ip", "metadata", "created_at"])
    .where("org_id", "=", orgId)
    .orderBy("id")
    .execute();
}

/** How an org's audit history names a user who left: "Deleted user #" and the first 8 hex digits of the id. */
export function deletedUserLabel(userId: string): string {
  return `Deleted user #${userId.replaceAll("-", "").slice(0, 8)}`;
}

export const actorOf = (user: TestUser): Actor & { userId: string } => ({ userId: user.id, label: user.email });

/** Every invitation token emailed to `email` so far (the outbox orders them only by time, which tests often freeze). */
export async function invitationTokens(db: Database, email: string): Promise<Set<string>> {
  const emails = (await queuedEmails(db, email)).filter((e) => e.template === "org-invitation");
  return new Set(emails.map((e) => /\/invite\/([a-z0-9]+)/.exec(e.text_body ?? "")?.[1]).filter((t) => t !== undefined));
}

/** Runs `send` and returns the one invitation token it emailed to `email`. */
export async function newInvitationToken(db: Database, email: string, send: () => Promise<unknown>): Promise<string> {
  const before = await invitationTokens(db, email);
  await send();
  const added = [...(await invitationTokens(db, email))].filter((t) => !before.has(t));
  if (added.length !== 1) throw new Error(`expected one new invitation email to ${email}, found ${added.length}`);
  return added[0]!;
}
