import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { OrgRole } from "../../../db/schema";
import { actorOf, auditEventsOf, createTestOrg, deletedUserLabel, membershipsOf, roleOf, type TestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createApiKey, listApiKeys } from "./api-keys";
import { recordAuditEvent } from "./audit";
import { changeRole, removeMember } from "./members";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const change = (org: TestOrg, actor: TestUser, actorRole: OrgRole, target: TestUser) => ({ orgId: org.id, actor: actorOf(actor), actorRole, targetUserId: target.id, ip: null });

let owner: TestUser, admin: TestUser, member: TestUser, org: TestOrg;
beforeEach(async () => {
  [owner, admin, member] = await Promise.all([
    createUser(db, { email: "owner@example.com" }),
    createUser(db, { email: "admin@example.com" }),
    createUser(db, { email: "member@example.com" }),
  ]);
  org = await createTestOrg(db, { owner, members: [{ user: admin, role: "admin" }, { user: member, role: "member" }] });
});

describe("changeRole", () => {
  it("lets an admin promote a member to admin and records from and to", async () => {
    expect(await changeRole(db, { ...change(org, admin, "admin", member), newRole: "admin" })).toEqual({ ok: true });
    expect(await roleOf(db, org.id, member.id)).toBe("admin");
    const [event] = await auditEventsOf(db, org.id);
    expect(event).toMatchObject({ action: "member.role_changed", actor_id: admin.id, target: member.email, metadata: { from: "member", to: "admin" } });
  });

  it("refuses an admin promoting anyone (themselves included) to owner", async () => {
    expect(await changeRole(db, { ...change(org, admin, "admin", member), newRole: "owner" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await changeRole(db, { ...change(org, admin, "admin", admin), newRole: "owner" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await membershipsOf(db, org.id)).toEqual([
      ["admin@example.com", "admin"],
      ["member@example.com", "member"],
      ["owner@example.com", "owner"],
    ]);
  });

  it("refuses an admin demoting an owner", async () => {
    await changeRole(db, { ...change(org, owner, "owner", member), newRole: "owner" });
    expect(await changeRole(db, { ...change(org, admin, "admin", owner), newRole: "member" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await roleOf(db, org.id, owner.id)).toBe("owner");
  });

  it("refuses a member changing anyone's role", async () => {
    expect(await changeRole(db, { ...change(org, member, "member", member), newRole: "admin" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await changeRole(db, { ...change(org, member, "member", admin), newRole: "member" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await roleOf(db, org.id, member.id)).toBe("member");
    expect(await roleOf(db, org.id, admin.id)).toBe("admin");
  });

  it("refuses demoting the only owner, even by themselves", async () => {
    expect(await changeRole(db, { ...change(org, owner, "owner", owner), newRole: "admin" })).toEqual({ ok: false, reason: "last-owner" });
    expect(await roleOf(db, org.id, owner.id)).toBe("owner");
    expect(await auditEventsOf(db, org.id)).toEqual([]);
  });

  it("lets one of two owners step down", async () => {
    await changeRole(db, { ...change(org, owner, "owner", admin), newRole: "owner" });
    expect(await changeRole(db, { ...change(org, owner, "owner", owner), newRole: "member" })).toEqual({ ok: true });
    expect(await roleOf(db, org.id, admin.id)).toBe("owner");
  });

  it("leaves exactly one owner when two owners demote each other at the same moment", async () => {
    for (let round = 0; round < 5; round++) {
      await db.updateTable("membership").set({ role: "owner" }).where("org_id", "=", org.id).where("user_id", "in", [owner.id, admin.id]).execute();
      const results = await Promise.all([
        changeRole(db, { ...change(org, owner, "owner", admin), newRole: "member" }),
        changeRole(db, { ...change(org, admin, "owner", owner), newRole: "member" }),
      ]);
      expect(results.filter((r) => r.ok), `round ${round}`).toHaveLength(1);
      // The second sees, under the lock, that its actor is no longer an owner.
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "forbidden" }]);
      const owners = (await membershipsOf(db, org.id)).filter(([, role]) => role === "owner");
      expect(owners, `round ${round}`).toHaveLength(1);
    }
  });

  it("answers not-found for a user of another org, and changes nothing there", async () => {
    const stranger = await createUser(db, { email: "stranger@example.com" });
    const other = await createTestOrg(db, { slug: "other", owner: stranger });
    expect(await changeRole(db, { ...change(org, owner, "owner", stranger), newRole: "member" })).toEqual({ ok: false, reason: "not-found" });
    expect(await roleOf(db, other.id, stranger.id)).toBe("owner");
  });
});

describe("removeMember", () => {
  it("refuses removing the only owner, and the only owner leaving", async () => {
    expect(await removeMember(db, change(org, owner, "owner", owner))).toEqual({ ok: false, reason: "last-owner" });
    expect(await roleOf(db, org.id, owner.id)).toBe("owner");
  });

  it("refuses an admin removing an owner and a member removing anyone", async () => {
    expect(await removeMember(db, change(org, admin, "admin", owner))).toEqual({ ok: false, reason: "forbidden" });
    expect(await removeMember(db, change(org, member, "member", admin))).toEqual({ ok: false, reason: "forbidden" });
    expect(await membershipsOf(db, org.id)).toHaveLength(3);
  });

  it("lets a member leave, recorded as member.left", async () => {
    expect(await removeMember(db, change(org, member, "member", member))).toEqual({ ok: true });
    expect(await roleOf(db, org.id, member.id)).toBeNull();
    expect((await auditEventsOf(db, org.id)).map((e) => e.action)).toEqual(["member.left"]);
  });

  it("keeps the removed person's keys and events with the org, events renamed to Deleted user #<short id>", async () => {
    const key = await createApiKey(db, { orgId: org.id, name: "CI", actor: actorOf(admin), ip: null });
    await recordAuditEvent(db, { orgId: org.id, actor: actorOf(admin), action: "custom.thing", target: "x" });
    const other = await createTestOrg(db, { slug: "other", owner: admin });
    await recordAuditEvent(db, { orgId: other.id, actor: actorOf(admin), action: "custom.elsewhere" });

    expect(await removeMember(db, change(org, owner, "owner", admin))).toEqual({ ok: true });

    expect(await roleOf(db, org.id, admin.id)).toBeNull();
    expect((await listApiKeys(db, org.id)).map((k) => k.id)).toEqual([key.id]);
    const events = await auditEventsOf(db, org.id);
    const theirs = events.filter((e) => e.action === "api_key.created" || e.action === "custom.thing");
    expect(theirs).toHaveLength(2);
    for (const event of theirs) expect(event).toMatchObject({ actor_id: null, actor_label: deletedUserLabel(admin.id) });
    expect(deletedUserLabel(admin.id)).toMatch(/^Deleted user #[0-9a-f]{8}$/);
    expect(events.at(-1)).toMatchObject({ action: "member.removed", actor_id: owner.id, target: admin.email });
    // Their history in an org they still belong to keeps their name.
    expect(await auditEventsOf(db, other.id)).toEqual([expect.objectContaining({ actor_id: admin.id, actor_label: admin.email })]);
  });

  it("answers not-found for a member of another org", async () => {
    const stranger = await createUser(db, { email: "stranger@example.com" });
    const other = await createTestOrg(db, { slug: "other", owner: stranger, members: [{ user: member, role: "member" }] });
    expect(await removeMember(db, change(org, owner, "owner", stranger))).toEqual({ ok: false, reason: "not-found" });
    expect(await membershipsOf(db, other.id)).toEqual([
      ["member@example.com", "member"],
      ["stranger@example.com", "owner"],
    ]);
  });

  it("keeps one owner when two owners remove each other at once", async () => {
    await db.updateTable("membership").set({ role: "owner" }).where("user_id", "=", admin.id).execute();
    const results = await Promise.all([removeMember(db, change(org, owner, "owner", admin)), removeMember(db, change(org, admin, "owner", owner))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await membershipsOf(db, org.id)).filter(([, role]) => role === "owner")).toHaveLength(1);
  });
});
