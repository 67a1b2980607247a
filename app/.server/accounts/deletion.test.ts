import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD } from "../../../test/factories/users";
import { createOrg } from "../orgs/orgs";
import { createApiKey } from "../orgs/api-keys";
import { acceptInvitation, findInvitation, inviteMember } from "../orgs/invitations";
import { createSession, validateSessionToken } from "../session";
import { joinWaitlist } from "../waitlist/join";
import { cancelDeletion, eraseAccountNow, purgeDueAccounts, scheduleDeletion } from "./deletion";
import { processDeferredAccountWork } from "./deferred-work-worker";
import { logIn } from "./login";
import { signUp } from "./signup";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherProcess.destroy()]));
beforeEach(() => truncateAll(db));

const DAY = 86_400_000;
const now = new Date("2026-11-22T12:00:00Z");
const at = (days: number) => new Date(now.getTime() + days * DAY);
const ADA_IP = "203.0.113.77";
const client = { ip: ADA_IP, userAgent: "Firefox" };

/** Ada with a footprint in every table: sessions, waitlist, orgs, keys, audit, outbox. */
async function adaEverywhere() {
  const ada = await createUser(db, { email: "ada@example.com", name: "Ada Lovelace", now });
  const bob = await createUser(db, { email: "bob@example.com", name: "Bob", now });
  await createSession(db, ada.id, client, now);
  await joinWaitlist(db, { email: "ada@example.com", name: "Ada Lovelace", company: "Analytical Engines" }, client, now);
  // An org she shares with Bob (he owns it too), and one that is hers alone.
  await createOrg(db, { name: "Shared", slug: "shared", owner: { userId: bob.id, label: bob.email }, ip: "198.51.100.1" });
  const shared = await db.selectFrom("org").select("id").where("slug", "=", "shared").executeTakeFirstOrThrow();
  await db.insertInto("membership").values({ org_id: shared.id, user_id: ada.id, role: "admin" }).execute();
  await createApiKey(db, { orgId: shared.id, name: "Ada's deploy key", actor: { userId: ada.id, label: ada.email }, ip: ADA_IP }, now);
  await inviteMember(db, { orgId: shared.id, orgName: "Shared", actor: { userId: ada.id, label: ada.email }, actorRole: "admin", ip: ADA_IP }, { email: "carol@example.com", role: "member" }, now);
  await inviteMember(db, { orgId: shared.id, orgName: "Shared", actor: { userId: bob.id, label: bob.email }, actorRole: "owner", ip: "198.51.100.1" }, { email: "ada-new@example.com", role: "member" }, now);
  await createOrg(db, { name: "Ada Solo", slug: "ada-solo", owner: { userId: ada.id, label: ada.email }, ip: ADA_IP });
  await logIn(db, "ada@example.com", "wrong password entirely", client, now); // a failed login is audited in her orgs
  await processDeferredAccountWork(db, undefined, now); // (by the worker)
  // A stored billing webhook whose payload names her (as LemonSqueezy's do).
  await db
    .insertInto("webhook_event")
    .values({
      source: "lemonsqueezy",
      dedupe_key: "test-ada",
      event_name: "subscription_created",
      body: JSON.stringify({ data: { attributes: { user_email: "ada@example.com", user_name: "Ada Lovelace" } } }),
    } as never)
    .execute();
  return { ada, bob, sharedId: shared.id };
}

/** Every text-like column of every table that still mentions `needle`. */
async function rowsMentioning(needle: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and data_type in ('text', 'jsonb', 'character varying')`.execute(db);
  const hits: string[] = [];
  for (const { table_name, column_name } of columns.rows) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text ilike ${`%${needle}%`}`.execute(db);
    if (Number(rows[0]!.n) > 0) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

describe("scheduleDeletion", () => {
  it("ends every session, sets the purge date, audits in each org and emails the date", async () => {
    const { ada, sharedId } = await adaEverywhere();
    const result = await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: ADA_IP, graceDays: 7 }, now);
    expect(result).toEqual({ ok: true, purgeAfter: at(7) });
    expect(await db.selectFrom("session").select("id").where("user_id", "=", ada.id).execute()).toEqual([]);
    const events = await db.selectFrom("audit_event").select(["org_id", "action"]).where("action", "=", "account.deletion_scheduled").execute();
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.org_id)).toContain(sharedId);
    const mail = await db.selectFrom("outbox_email").select(["subject", "text_body"]).where("template", "=", "deletion-scheduled").executeTakeFirstOrThrow();
    expect(mail.subject).toContain("2026-11-29");
    expect(mail.text_body).toContain("Ada Solo");
    // Her solo org goes with her; the shared one stays.
    const orgs = await db.selectFrom("org").select(["slug", "purge_after"]).orderBy("slug").execute();
    expect(orgs).toEqual([
      { slug: "ada-solo", purge_after: at(7) },
      { slug: "shared", purge_after: null },
    ]);
  });

  it("needs the right password", async () => {
    const ada = await createUser(db, { now });
    expect(await scheduleDeletion(db, { userId: ada.id, password: "not it at all", ip: null, graceDays: 7 }, now)).toEqual({ ok: false, reason: "wrong-password" });
    expect((await db.selectFrom("user").select("purge_after").executeTakeFirstOrThrow()).purge_after).toBeNull();
  });

  it("refuses an org's only owner while the org has other members", async () => {
    const ada = await createUser(db, { email: "ada@example.com", now });
    const bob = await createUser(db, { email: "bob@example.com", now });
    await createOrg(db, { name: "Acme", slug: "acme", owner: { userId: ada.id, label: ada.email }, ip: null });
    const acme = await db.selectFrom("org").select("id").executeTakeFirstOrThrow();
    await db.insertInto("membership").values({ org_id: acme.id, user_id: bob.id, role: "admin" }).execute();
    expect(await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, now)).toEqual({ ok: false, reason: "sole-owner", orgs: ["Acme"] });
    // Once Bob is an owner too, she may go.
    await db.updateTable("membership").set({ role: "owner" }).where("user_id", "=", bob.id).execute();
    expect((await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, now)).ok).toBe(true);
  });
});

describe("the grace period", () => {
  it("lets the right password log in to cancel, and cancelling restores the account", async () => {
    const { ada } = await adaEverywhere();
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: ADA_IP, graceDays: 7 }, now);
    const login = await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, at(2));
    expect(login).toMatchObject({ ok: true, deletionPending: true });
    const session = await validateSessionToken(db, (login as { token: string }).token, client, at(2));
    expect(session?.user.deletionPending).toBe(true);

    expect(await cancelDeletion(db, ada.id, ADA_IP, at(2))).toEqual({ ok: true });
    const user = await db.selectFrom("user").select(["purge_after", "deletion_requested_at"]).where("id", "=", ada.id).executeTakeFirstOrThrow();
    expect(user).toEqual({ purge_after: null, deletion_requested_at: null });
    expect((await db.selectFrom("org").select("purge_after").where("slug", "=", "ada-solo").executeTakeFirstOrThrow()).purge_after).toBeNull();
    expect(await db.selectFrom("outbox_email").select("template").where("template", "=", "deletion-cancelled").execute()).toHaveLength(1);
    // Nothing is purged later.
    expect(await purgeDueAccounts(db, at(30))).toBe(0);
  });

  it("answers a signup with the same email like any signup, and creates nothing", async () => {
    const ada = await createUser(db, { email: "ada@example.com", now });
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, now);
    const result = await signUp(db, { email: "ada@example.com", password: "another fine passphrase", name: null, invitationToken: null }, "open", at(1));
    expect(result).toEqual({ ok: true, kind: "check-email" });
    expect(await db.selectFrom("user").select("id").execute()).toHaveLength(1);
  });
});

describe("purgeDueAccounts", () => {
  it("erases the person from every table, keeps the org's history anonymised, and frees the email", async () => {
    const { ada, sharedId } = await adaEverywhere();
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: ADA_IP, graceDays: 7 }, now);
    expect(await purgeDueAccounts(db, at(6))).toBe(0); // still in grace
    expect(await purgeDueAccounts(db, at(7))).toBe(1);

    for (const needle of ["ada@example.com", "Ada Lovelace", ADA_IP, "Analytical Engines"]) {
      expect(await rowsMentioning(needle), needle).toEqual([]);
    }
    const history = await db.selectFrom("audit_event").select(["actor_label", "action", "actor_id"]).where("org_id", "=", sharedId).execute();
    expect(history.length).toBeGreaterThan(3);
    const short = ada.id.replaceAll("-", "").slice(0, 8);
    expect(history.filter((e) => e.actor_label === `Deleted user #${short}`).map((e) => e.action)).toEqual(
      expect.arrayContaining(["api_key.created", "member.invited", "account.deletion_scheduled"]),
    );
    expect(history.every((e) => e.actor_id === null || e.actor_label !== "ada@example.com")).toBe(true);
    // What she made for the org stays with it.
    expect(await db.selectFrom("api_key").select(["name", "created_by"]).execute()).toEqual([{ name: "Ada's deploy key", created_by: null }]);
    // Her solo org went with her; the shared one stays.
    expect((await db.selectFrom("org").select("slug").execute()).map((o) => o.slug)).toEqual(["shared"]);
    // The address is free for a new, unrelated account.
    const again = await signUp(db, { email: "ada@example.com", password: "a brand new passphrase", name: null, invitationToken: null }, "open", at(8));
    expect(again).toEqual({ ok: true, kind: "check-email" });
    const fresh = await db.selectFrom("user").select("id").where("email", "=", "ada@example.com").executeTakeFirstOrThrow();
    expect(fresh.id).not.toBe(ada.id);
  });

  it("gives the same end state when two processes run it at once", async () => {
    const users = await Promise.all(["a", "b", "c", "d", "e"].map((n) => createUser(db, { email: `${n}@example.com`, now })));
    for (const user of users) await scheduleDeletion(db, { userId: user.id, password: null, ip: null, graceDays: 7 }, now);
    const [first, second] = await Promise.all([purgeDueAccounts(db, at(8)), purgeDueAccounts(otherProcess, at(8))]);
    expect(first + second).toBe(5);
    expect(await db.selectFrom("user").select("id").execute()).toEqual([]);
  });

  it("is safe to stop midway and run again", async () => {
    const { ada } = await adaEverywhere();
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: ADA_IP, graceDays: 7 }, now);
    // A run that stops after two batches leaves her findable, and the next one finishes.
    expect(await purgeDueAccounts(db, at(8), { settings: { batchSize: 2, leaseMs: 60_000, maxBatches: 2 } })).toBe(0);
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).execute()).toHaveLength(1);
    expect(await rowsMentioning("ada@example.com")).not.toEqual([]);
    expect(await purgeDueAccounts(db, at(8))).toBe(1);
    expect(await rowsMentioning("ada@example.com")).toEqual([]);
    expect(await purgeDueAccounts(db, at(9))).toBe(0);
  });

  it("never lets a deletion be cancelled once its grace period is over", async () => {
    const ada = await createUser(db, { now });
    await scheduleDeletion(db, { userId: ada.id, password: null, ip: null, graceDays: 7 }, now);
    expect(await cancelDeletion(db, ada.id, null, at(7))).toEqual({ ok: false });
    expect(await purgeDueAccounts(db, at(7))).toBe(1);
  });
});

describe("nothing irreversible before the purge", () => {
  it("keeps the invitations sent from an org that would go with her, working again once she cancels", async () => {
    const ada = await createUser(db, { email: "ada@example.com", now });
    const carol = await createUser(db, { email: "carol@example.com", now });
    await createOrg(db, { name: "Ada Solo", slug: "ada-solo", owner: { userId: ada.id, label: ada.email }, ip: null });
    const solo = await db.selectFrom("org").select("id").executeTakeFirstOrThrow();
    await inviteMember(db, { orgId: solo.id, orgName: "Ada Solo", actor: { userId: ada.id, label: ada.email }, actorRole: "owner", ip: null }, { email: carol.email, role: "member" }, now);
    const token = /\/invite\/([a-z0-9]+)/.exec((await db.selectFrom("outbox_email").select("text_body").where("to_address", "=", carol.email).executeTakeFirstOrThrow()).text_body!)![1]!;

    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, now);
    // While the org is due to go it takes nobody in, but the invitation itself is untouched.
    expect(await findInvitation(db, token, at(1))).toBeNull();
    expect(await db.selectFrom("org_invitation").select(["revoked_at", "accepted_at"]).executeTakeFirstOrThrow()).toEqual({ revoked_at: null, accepted_at: null });

    expect(await cancelDeletion(db, ada.id, null, at(2))).toEqual({ ok: true });
    expect(await acceptInvitation(db, token, { id: carol.id, email: carol.email }, null, at(3))).toEqual({ ok: true, orgSlug: "ada-solo" });
  });

  it("lets the org and its invitations go at the purge", async () => {
    const ada = await createUser(db, { email: "ada@example.com", now });
    await createOrg(db, { name: "Ada Solo", slug: "ada-solo", owner: { userId: ada.id, label: ada.email }, ip: null });
    const solo = await db.selectFrom("org").select("id").executeTakeFirstOrThrow();
    await inviteMember(db, { orgId: solo.id, orgName: "Ada Solo", actor: { userId: ada.id, label: ada.email }, actorRole: "owner", ip: null }, { email: "carol@example.com", role: "member" }, now);
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, now);
    expect(await purgeDueAccounts(db, at(7))).toBe(1);
    expect(await db.selectFrom("org").select("id").execute()).toEqual([]);
    expect(await db.selectFrom("org_invitation").select("id").execute()).toEqual([]);
  });
});

describe("erase now", () => {
  it("erases at once, and says so", async () => {
    const { ada } = await adaEverywhere();
    expect(await eraseAccountNow(db, { userId: ada.id, ip: "192.0.2.9" }, now)).toEqual({ ok: true, outcome: "erased" });
    for (const needle of ["ada@example.com", "Ada Lovelace", ADA_IP, "Analytical Engines"]) expect(await rowsMentioning(needle), needle).toEqual([]);
    // No "your account will be deleted" message is left for an address that is gone.
    expect(await db.selectFrom("outbox_email").select("id").where("template", "=", "deletion-scheduled").execute()).toEqual([]);
  });

  it("leaves a long purge to the scheduled job once its time in the request is up", async () => {
    const { ada } = await adaEverywhere();
    expect(await eraseAccountNow(db, { userId: ada.id, ip: null }, now, { batchSize: 1, leaseMs: 60_000, deadline: Date.now() - 1 })).toEqual({ ok: true, outcome: "under-way" });
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).execute()).toHaveLength(1);
    // Scheduling it again changes nothing now that the grace period is over.
    expect(await scheduleDeletion(db, { userId: ada.id, password: null, ip: null, graceDays: 7 }, now)).toEqual({ ok: true, purgeAfter: now });
    expect(await purgeDueAccounts(otherProcess, now)).toBe(1);
    expect(await rowsMentioning("ada@example.com")).toEqual([]);
  });

  it("refuses an org's only owner while the org has other members", async () => {
    const ada = await createUser(db, { email: "ada@example.com", now });
    const bob = await createUser(db, { email: "bob@example.com", now });
    await createOrg(db, { name: "Acme", slug: "acme", owner: { userId: ada.id, label: ada.email }, ip: null });
    const acme = await db.selectFrom("org").select("id").executeTakeFirstOrThrow();
    await db.insertInto("membership").values({ org_id: acme.id, user_id: bob.id, role: "member" }).execute();
    expect(await eraseAccountNow(db, { userId: ada.id, ip: null }, now)).toEqual({ ok: false, reason: "sole-owner", orgs: ["Acme"] });
    expect(await db.selectFrom("user").select("purge_after").where("id", "=", ada.id).executeTakeFirstOrThrow()).toEqual({ purge_after: null });
  });

  // Before: each request scheduled (locking her memberships, then her user row)
  // and then purged (locking her user row, then deleting her memberships), so
  // simultaneous requests deadlocked and one of them answered 500.
  it("never fails when several operators erase the same person at once, or the scheduled purge runs too", async () => {
    const third = connect(workerDatabaseUrl());
    try {
      for (let round = 0; round < 5; round++) {
        await truncateAll(db);
        const { ada } = await adaEverywhere();
        if (round % 2 === 1) await scheduleDeletion(db, { userId: ada.id, password: null, ip: null, graceDays: 0 }, now);
        const settings = { batchSize: 3, leaseMs: 60_000 };
        const results = await Promise.all([
          eraseAccountNow(db, { userId: ada.id, ip: null }, now, settings),
          eraseAccountNow(otherProcess, { userId: ada.id, ip: null }, now, settings),
          eraseAccountNow(third, { userId: ada.id, ip: null }, now, settings),
          purgeDueAccounts(db, now, { settings }),
        ]);
        const answers = results.slice(0, 3) as Array<{ ok: boolean; outcome?: string }>;
        expect(answers.every((answer) => answer.ok)).toBe(true);
        // Whoever came second waited for the first, or found the work under way or done.
        expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).execute()).toEqual([]);
        expect(await rowsMentioning("ada@example.com")).toEqual([]);
      }
    } finally {
      await third.destroy();
    }
  });

  it("answers for an account that is already gone", async () => {
    const ada = await createUser(db, { now });
    await eraseAccountNow(db, { userId: ada.id, ip: null }, now);
    expect(await eraseAccountNow(db, { userId: ada.id, ip: null }, now)).toEqual({ ok: true, outcome: "already-gone" });
    expect(await scheduleDeletion(db, { userId: ada.id, password: null, ip: null, graceDays: 7 }, now)).toEqual({ ok: false, reason: "not-found" });
  });
});
