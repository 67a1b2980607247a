import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD } from "../../../test/factories/users";
import { createOrg } from "../orgs/orgs";
import { createApiKey } from "../orgs/api-keys";
import { inviteMember } from "../orgs/invitations";
import { createSession, validateSessionToken } from "../session";
import { joinWaitlist } from "../waitlist/join";
import { cancelDeletion, purgeDueAccounts, purgeUser, scheduleDeletion } from "./deletion";
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

  it("is safe to kill midway and run again", async () => {
    const { ada } = await adaEverywhere();
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: ADA_IP, graceDays: 7 }, now);
    // A purge that dies after doing part of its work leaves nothing half done.
    await expect(
      db.transaction().execute(async (tx) => {
        await purgeUser(tx, ada.id);
        throw new Error("killed");
      }),
    ).rejects.toThrow("killed");
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).execute()).toHaveLength(1);
    expect(await rowsMentioning("ada@example.com")).not.toEqual([]);
    expect(await purgeDueAccounts(db, at(8))).toBe(1);
    expect(await rowsMentioning("ada@example.com")).toEqual([]);
    expect(await purgeDueAccounts(db, at(9))).toBe(0);
  });
});
