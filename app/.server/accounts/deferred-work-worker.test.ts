import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { auditEventsOf, createTestOrg } from "../../../test/factories/orgs";
import { createUser, queuedEmails } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { deferAccountWork } from "./deferred-work";
import { processDeferredAccountWork } from "./deferred-work-worker";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-12-01T09:00:00Z");
const seconds = (n: number) => new Date(now.getTime() + n * 1000);
const waiting = () => db.selectFrom("deferred_account_work").select(["kind", "email", "attempts", "not_before"]).orderBy("id").execute();

describe("processDeferredAccountWork", () => {
  it("writes a failed login's audit rows in each of the member's orgs, with the time and IP of the attempt", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const orgs = [await createTestOrg(db, { slug: "one", owner: ada }), await createTestOrg(db, { slug: "two", owner: ada })];
    await deferAccountWork(db, { kind: "failed-login", email: "ada@example.com", ip: "203.0.113.9", at: now });
    await deferAccountWork(db, { kind: "failed-login", email: "nobody@example.com", ip: "203.0.113.9", at: now });
    expect(await processDeferredAccountWork(db, undefined, seconds(2))).toEqual({ claimed: 2 });
    for (const org of orgs) {
      expect(await auditEventsOf(db, org.id)).toEqual([
        expect.objectContaining({ action: "auth.login_failed", actor_id: null, actor_label: "Unknown (failed login)", target: "ada@example.com", ip: "203.0.113.9", created_at: now }),
      ]);
    }
    expect(await waiting()).toEqual([]);
    // Done once: a second pass finds nothing.
    expect(await processDeferredAccountWork(db, undefined, seconds(3))).toEqual({ claimed: 0 });
  });

  it("gives each row to one of several workers running at once", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const org = await createTestOrg(db, { slug: "one", owner: ada });
    for (let i = 0; i < 30; i++) await deferAccountWork(db, { kind: "failed-login", email: "ada@example.com", ip: `198.51.100.${i}`, at: now });
    const passes = await Promise.all([0, 1, 2].map(() => processDeferredAccountWork(db, undefined, seconds(1))));
    const more = await processDeferredAccountWork(db, undefined, seconds(1));
    expect(passes.reduce((sum, pass) => sum + pass.claimed, more.claimed)).toBe(30);
    const ips = (await auditEventsOf(db, org.id)).map((event) => event.ip);
    expect(ips).toHaveLength(30);
    expect(new Set(ips).size).toBe(30);
  });

  it("puts a row whose work fails back with a growing delay, gives it up after five tries, and does later work as usual", async () => {
    await createUser(db, { email: "ada@example.com" });
    // The work fails for real: the table it writes to refuses every row for now.
    await deferAccountWork(db, { kind: "password-reset", email: "ada@example.com", ip: null, at: now });
    await db.schema.alterTable("password_reset").addCheckConstraint("h14auth_test_refuse", sql`false`).execute();
    try {
      await expect(processDeferredAccountWork(db, undefined, seconds(1))).resolves.toEqual({ claimed: 1 });
      expect(await waiting()).toEqual([{ kind: "password-reset", email: "ada@example.com", attempts: 1, not_before: seconds(31) }]);
      // Not due yet: left alone.
      expect(await processDeferredAccountWork(db, undefined, seconds(30))).toEqual({ claimed: 0 });
      let at = seconds(31);
      for (let attempt = 2; attempt <= 4; attempt++) {
        await processDeferredAccountWork(db, undefined, at);
        const [row] = await waiting();
        expect(row!.attempts).toBe(attempt);
        at = row!.not_before;
      }
      await processDeferredAccountWork(db, undefined, at);
      expect(await waiting()).toEqual([]);
    } finally {
      await db.schema.alterTable("password_reset").dropConstraint("h14auth_test_refuse").execute();
    }
    // Work that can be done still is.
    await deferAccountWork(db, { kind: "password-reset", email: "ada@example.com", ip: null, at: now });
    expect(await processDeferredAccountWork(db, undefined, seconds(1))).toEqual({ claimed: 1 });
    expect(await queuedEmails(db, "ada@example.com")).toHaveLength(1);
  });
});
