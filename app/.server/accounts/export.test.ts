import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, createTestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { recordAuditEvent } from "../orgs/audit";
import { createSession } from "../session";
import type { Database } from "../db";
import { exportUserDocument } from "./export";

// The document as the download streams it, parsed.
async function exportUserData(db: Database, userId: string, now: Date, batchSize?: number) {
  let text = "";
  for await (const chunk of exportUserDocument(db, userId, now, batchSize)) text += chunk;
  return JSON.parse(text);
}

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

let ada: TestUser, bob: TestUser, carol: TestUser;

// Ada is the person exporting. Bob shares an org with her; Carol only shares one with Bob.
beforeEach(async () => {
  ada = await createUser(db, { email: "ada@example.com", name: "Ada Lovelace", now: at(-600) });
  bob = await createUser(db, { email: "bob@example.com", name: "Bob Secret-Name" });
  carol = await createUser(db, { email: "carol@example.com", name: "Carol" });
  await db.updateTable("user").set({ is_operator: true }).where("id", "=", ada.id).execute();
  const alpha = await createTestOrg(db, { slug: "alpha", name: "Alpha Ltd", owner: ada, members: [{ user: bob, role: "admin" }] });
  const bravo = await createTestOrg(db, { slug: "bravo", name: "Bravo Inc", owner: bob, members: [{ user: carol, role: "member" }] });

  await createSession(db, ada.id, { ip: "192.0.2.1", userAgent: "AdaBrowser/1.0" }, at(-60));
  await createSession(db, ada.id, { ip: "192.0.2.2", userAgent: "AdaPhone/2.0" }, at(-30));
  await createSession(db, bob.id, { ip: "198.51.100.9", userAgent: "BobBrowser/9.9" }, at(-20));

  const invite = (orgId: string, email: string, by: TestUser, minutes: number) =>
    db.insertInto("org_invitation").values({ org_id: orgId, email, role: "member", token_hash: randomBytes(32), invited_by: by.id, expires_at: at(60 * 24 * 7), created_at: at(minutes) }).execute();
  await invite(alpha.id, "dave@example.com", ada, -50);
  await invite(alpha.id, "eve-invited-by-bob@example.com", bob, -40);
  await invite(bravo.id, "ada@example.com", bob, -35);

  await db
    .insertInto("waitlist_entry")
    .values([
      { email: "ada@example.com", name: "Ada", company: "Engines", ip: "192.0.2.50", user_agent: "AdaWaitlist/1.0", created_at: at(-900) },
      { email: "bob@example.com", name: "Bob", company: "Bob's Secret Co", ip: "198.51.100.50", user_agent: "BobWaitlist/1.0" },
    ])
    .execute();

  await recordAuditEvent(db, { orgId: alpha.id, actor: actorOf(ada), action: "member.invited", target: "dave@example.com", ip: "192.0.2.1", metadata: { role: "member" }, at: at(-50) });
  await recordAuditEvent(db, { orgId: alpha.id, actor: actorOf(bob), action: "member.invited", target: "eve-invited-by-bob@example.com", ip: "198.51.100.9", at: at(-40) });
  await recordAuditEvent(db, { orgId: bravo.id, actor: actorOf(bob), action: "api_key.created", target: "bob's key", ip: "198.51.100.9", at: at(-30) });

  await db
    .insertInto("outbox_email")
    .values([
      { template: "verify-email", to_address: "ada@example.com", subject: "Your code", html: "<p>ada body</p>", text_body: "ada body", max_attempts: 8, status: "sent", sent_at: at(-590), created_at: at(-600) },
      { template: "password-reset", to_address: "bob@example.com", subject: "Reset for Bob", html: "<p>bob body</p>", text_body: "bob body", max_attempts: 8 },
    ])
    .execute();

  const notice = await db.insertInto("notice").values({ title: "Policy update", body: "Text", show_until: at(60 * 24 * 30), published_at: at(-10) }).returning("id").executeTakeFirstOrThrow();
  await db.insertInto("notice_dismissal").values([{ notice_id: notice.id, user_id: ada.id, dismissed_at: at(-5) }, { notice_id: notice.id, user_id: bob.id }]).execute();
});

/** Every key in a nested JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

describe("exportUserData", () => {
  it("holds the person's profile, sessions, memberships, invitations, waitlist entry, audit events and emails", async () => {
    const data = await exportUserData(db, ada.id, now);
    expect(data.format).toBe("gatehouse-export/1");
    expect(data.exported_at).toBe(now.toISOString());
    expect(data.profile).toEqual({
      email: "ada@example.com",
      name: "Ada Lovelace",
      created_at: at(-600).toISOString(),
      email_verified_at: at(-600).toISOString(),
      is_operator: true,
      deletion_requested_at: null,
      purge_after: null,
    });
    expect(data.sessions).toEqual([
      { created_at: at(-60).toISOString(), last_seen_at: at(-60).toISOString(), expires_at: expect.any(String), ip: "192.0.2.1", user_agent: "AdaBrowser/1.0" },
      { created_at: at(-30).toISOString(), last_seen_at: at(-30).toISOString(), expires_at: expect.any(String), ip: "192.0.2.2", user_agent: "AdaPhone/2.0" },
    ]);
    expect(data.memberships).toEqual([{ org_name: "Alpha Ltd", org_slug: "alpha", role: "owner", joined_at: expect.any(String) }]);
    expect(data.invitations_sent).toEqual([
      { org_name: "Alpha Ltd", org_slug: "alpha", email: "dave@example.com", role: "member", created_at: at(-50).toISOString(), expires_at: expect.any(String), accepted_at: null, revoked_at: null },
    ]);
    expect(data.invitations_received).toEqual([
      { org_name: "Bravo Inc", org_slug: "bravo", role: "member", created_at: at(-35).toISOString(), expires_at: expect.any(String), accepted_at: null, revoked_at: null },
    ]);
    expect(data.waitlist_entry).toEqual({
      email: "ada@example.com",
      name: "Ada",
      company: "Engines",
      ip: "192.0.2.50",
      user_agent: "AdaWaitlist/1.0",
      joined_at: at(-900).toISOString(),
      confirmed_at: null,
      invited_at: null,
    });
    expect(data.audit_events).toEqual([{ org_slug: "alpha", action: "member.invited", target: "dave@example.com", ip: "192.0.2.1", created_at: at(-50).toISOString() }]);
    expect(data.emails).toEqual([{ template: "verify-email", subject: "Your code", status: "sent", created_at: at(-600).toISOString(), sent_at: at(-590).toISOString() }]);
    expect(data.notices_dismissed).toEqual([{ title: "Policy update", dismissed_at: at(-5).toISOString() }]);
  });

  it("leaks nothing about other people: not their emails, names, sessions, waitlist entries, audit events or messages", async () => {
    const json = JSON.stringify(await exportUserData(db, ada.id, now));
    for (const secret of [
      "bob@example.com",
      "Bob Secret-Name",
      "carol@example.com",
      "eve-invited-by-bob@example.com", // invited into Ada's org, but by Bob
      "198.51.100.9", // Bob's session and audit IP
      "BobBrowser",
      "Bob's Secret Co",
      "BobWaitlist",
      "api_key.created",
      "Reset for Bob",
      "body", // no message bodies, not even Ada's own
      bob.id,
      carol.id,
      ada.id,
    ]) {
      expect(json, secret).not.toContain(secret);
    }
    const keys = new Set(keysOf(JSON.parse(json)));
    for (const forbidden of ["id", "user_id", "org_id", "actor_id", "invited_by", "secret_hash", "token_hash", "password_hash", "confirm_token_hash", "html", "text_body", "metadata"]) {
      expect(keys.has(forbidden), forbidden).toBe(false);
    }
  });

  it("answers empty sections for a new account with nothing else stored", async () => {
    const data = await exportUserData(db, carol.id, now);
    expect(data.profile.email).toBe("carol@example.com");
    expect(data.sessions).toEqual([]);
    expect(data.memberships).toEqual([{ org_name: "Bravo Inc", org_slug: "bravo", role: "member", joined_at: expect.any(String) }]);
    expect(data.invitations_sent).toEqual([]);
    expect(data.waitlist_entry).toBeNull();
    expect(data.audit_events).toEqual([]);
    expect(data.emails).toEqual([]);
  });
});

describe("a long history", () => {
  it("streams every one of the person's events and emails, in order, across batches, and the document parses", async () => {
    const alpha = await db.selectFrom("org").select("id").where("slug", "=", "alpha").executeTakeFirstOrThrow();
    await db
      .insertInto("audit_event")
      .values(Array.from({ length: 23 }, (_, i) => ({ org_id: alpha.id, actor_id: ada.id, actor_label: ada.email, action: `bulk.${String(i).padStart(2, "0")}`, created_at: at(-20 + Math.floor(i / 4)), metadata: "{}" })))
      .execute();
    await db
      .insertInto("outbox_email")
      .values(Array.from({ length: 11 }, (_, i) => ({ template: "bulk", to_address: "ADA@example.com", subject: `Bulk ${i}`, max_attempts: 1, created_at: at(-10) })))
      .execute();
    const data = await exportUserData(db, ada.id, now, 4);
    expect(data.audit_events.map((e: { action: string }) => e.action)).toEqual(["member.invited", ...Array.from({ length: 23 }, (_, i) => `bulk.${String(i).padStart(2, "0")}`)]);
    expect(data.emails).toHaveLength(12);
    expect(new Set(data.emails.map((e: { subject: string }) => e.subject)).size).toBe(12);
    expect(data.notices_dismissed).toHaveLength(1);
  });
});
