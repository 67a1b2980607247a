// What plans and subscription states allow, at the domain level: a read-only
// org takes no new member and no new key; Solo has no API keys and one org per
// owner; leaving is always possible.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, createTestOrg, membershipsOf, newInvitationToken, type TestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { authenticateApiKey, createApiKey } from "./api-keys";
import { canOwnAnotherSoloOrg, writeRefusalReason } from "./entitlements";
import { acceptInvitation, inviteMember } from "./invitations";
import { removeMember } from "./members";
import { lockOrg } from "./orgs";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");

let owner: TestUser, member: TestUser, org: TestOrg;
beforeEach(async () => {
  [owner, member] = await Promise.all([createUser(db, { email: "owner@example.com" }), createUser(db, { email: "member@example.com" })]);
  org = await createTestOrg(db, { plan: "team", seatLimit: 10, owner, members: [{ user: member, role: "member" }] });
});

const setBilling = (status: string | null, endsAt: Date | null = null) => db.updateTable("org").set({ billing_status: status, billing_ends_at: endsAt }).where("id", "=", org.id).execute();
const inviter = () => ({ orgId: org.id, orgName: org.name, actor: actorOf(owner), actorRole: "owner" as const, ip: null });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return { status: error.status, body: (await error.json()) as { message: string } };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("a read-only org", () => {
  it("is read-only when expired, paused, unpaid, or cancelled past its end; not while past_due or before the end", async () => {
    for (const [status, endsAt, readOnly] of [
      ["expired", null, true],
      ["paused", null, true],
      ["unpaid", null, true],
      ["cancelled", new Date("2026-11-01T00:00:00Z"), true],
      ["cancelled", new Date("2026-12-01T00:00:00Z"), false],
      ["past_due", null, false],
      [null, null, false],
    ] as const) {
      await setBilling(status, endsAt);
      const lock = await db.transaction().execute((tx) => lockOrg(tx, org.id, now));
      expect({ status, readOnly: lock?.readOnly }).toEqual({ status, readOnly });
    }
  });

  it("cannot invite or take in members, even with an invitation sent before", async () => {
    const token = await newInvitationToken(db, "late@example.com", async () => expect(await inviteMember(db, inviter(), { email: "late@example.com", role: "member" }, now)).toEqual({ ok: true }));
    await setBilling("expired");
    expect(await inviteMember(db, inviter(), { email: "new@example.com", role: "member" }, now)).toEqual({ ok: false, reason: "no-seats" });
    const late = await createUser(db, { email: "late@example.com" });
    expect(await acceptInvitation(db, token, late, null, now)).toEqual({ ok: false, reason: "no-seats" });
    // The invitation was not used up: it works once the subscription is back.
    await setBilling("active");
    expect(await acceptInvitation(db, token, late, null, now)).toMatchObject({ ok: true });
  });

  it("cannot create API keys; its existing keys still authenticate, for reading", async () => {
    const { key } = await createApiKey(db, { orgId: org.id, name: "CI", actor: actorOf(owner), ip: null }, now);
    expect(await writeRefusalReason(db, org.id, now)).toBeNull();
    await setBilling("unpaid");
    const refused = await refusal(createApiKey(db, { orgId: org.id, name: "Another", actor: actorOf(owner), ip: null }, now));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("read-only because the subscription is unpaid");
    expect(await authenticateApiKey(db, key, null, now)).toMatchObject({ orgId: org.id });
    expect(await writeRefusalReason(db, org.id, now)).toContain("read-only because the subscription is unpaid");
  });

  it("still lets a member leave", async () => {
    await setBilling("expired");
    expect(await removeMember(db, { orgId: org.id, actor: actorOf(member), actorRole: "member", targetUserId: member.id, ip: null })).toEqual({ ok: true });
    expect((await membershipsOf(db, org.id)).map(([email]) => email)).toEqual(["owner@example.com"]);
  });
});

describe("the Solo plan", () => {
  it("has no API keys", async () => {
    const solo = await createTestOrg(db, { slug: "solo-org", plan: "solo", seatLimit: 3, owner });
    const refused = await refusal(createApiKey(db, { orgId: solo.id, name: "CI", actor: actorOf(owner), ip: null }, now));
    expect(refused).toEqual({ status: 403, body: { entitlement: true, message: "API keys come with the Team plan. An owner or admin can upgrade on the Billing page." } });
  });

  it("allows one Solo org per owner; Team orgs and memberships do not count", async () => {
    expect(await canOwnAnotherSoloOrg(db, owner.id)).toBe(true); // owns a Team org only
    await createTestOrg(db, { slug: "someone-elses", plan: "solo", owner: member, members: [{ user: owner, role: "admin" }] });
    expect(await canOwnAnotherSoloOrg(db, owner.id)).toBe(true);
    await createTestOrg(db, { slug: "mine", plan: "solo", owner });
    expect(await canOwnAnotherSoloOrg(db, owner.id)).toBe(false);
  });
});
