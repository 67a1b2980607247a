import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { OrgRole } from "../../../db/schema";
import { actorOf, auditEventsOf, createTestOrg, invitationTokens, membershipsOf, newInvitationToken, roleOf, type TestOrg } from "../../../test/factories/orgs";
import { createUser, queuedEmails, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { verifyPassword } from "../password";
import { hashToken } from "../tokens";
import { acceptInvitation, findInvitation, inviteMember, listPendingInvitations, resendInvitation, revokeInvitation, signUpFromInvitation } from "./invitations";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);
const PASSWORD = "a long and unusual passphrase";

let owner: TestUser, admin: TestUser, member: TestUser, org: TestOrg;
beforeEach(async () => {
  [owner, admin, member] = await Promise.all([
    createUser(db, { email: "owner@example.com" }),
    createUser(db, { email: "admin@example.com" }),
    createUser(db, { email: "member@example.com" }),
  ]);
  org = await createTestOrg(db, { owner, members: [{ user: admin, role: "admin" }, { user: member, role: "member" }] });
});

const inviterFor = (user: TestUser, role: OrgRole, target: TestOrg = org) => ({ orgId: target.id, orgName: target.name, actor: actorOf(user), actorRole: role, ip: "198.51.100.7" });

/** Invites `email` as `role` from the owner and returns the token from the email. */
async function invite(email: string, role: OrgRole = "member", by: { user: TestUser; role: OrgRole } = { user: owner, role: "owner" }, target: TestOrg = org) {
  return newInvitationToken(db, email, async () => expect(await inviteMember(db, inviterFor(by.user, by.role, target), { email, role }, now)).toEqual({ ok: true }));
}

describe("inviteMember", () => {
  it("stores only the token's hash, emails the link and records member.invited", async () => {
    const token = await invite("newbie@example.com", "admin");
    const [row, ...others] = await db.selectFrom("org_invitation").selectAll().execute();
    expect(others).toEqual([]);
    expect(row).toMatchObject({ org_id: org.id, email: "newbie@example.com", role: "admin", invited_by: owner.id, accepted_at: null, revoked_at: null });
    expect(Buffer.from(row!.token_hash)).toEqual(Buffer.from(hashToken(token)));
    expect(row!.expires_at).toEqual(later(7));
    const [email] = await queuedEmails(db, "newbie@example.com");
    expect(email).toMatchObject({ template: "org-invitation" });
    expect(email!.text_body).toContain(`/invite/${token}`);
    expect((await auditEventsOf(db, org.id)).map((e) => [e.action, e.target, e.metadata])).toEqual([["member.invited", "newbie@example.com", { role: "admin" }]]);
  });

  it("refuses an admin inviting an owner and a member inviting anyone", async () => {
    expect(await inviteMember(db, inviterFor(admin, "admin"), { email: "boss@example.com", role: "owner" }, now)).toEqual({ ok: false, reason: "forbidden-role" });
    for (const role of ["member", "admin", "owner"] as const) {
      expect(await inviteMember(db, inviterFor(member, "member"), { email: "friend@example.com", role }, now)).toEqual({ ok: false, reason: "forbidden-role" });
    }
    expect(await db.selectFrom("org_invitation").select("id").execute()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);
  });

  it("lets an admin invite an admin, and an owner invite an owner", async () => {
    await invite("a2@example.com", "admin", { user: admin, role: "admin" });
    await invite("o2@example.com", "owner");
    expect((await listPendingInvitations(db, org.id, now)).map((i) => [i.email, i.role]).sort()).toEqual([
      ["a2@example.com", "admin"],
      ["o2@example.com", "owner"],
    ]);
  });

  it("refuses inviting someone who is already a member", async () => {
    expect(await inviteMember(db, inviterFor(owner, "owner"), { email: member.email, role: "admin" }, now)).toEqual({ ok: false, reason: "already-member" });
  });

  it("replaces a pending invitation to the same address: the old link stops working", async () => {
    const first = await invite("newbie@example.com", "member");
    const second = await invite("newbie@example.com", "admin");
    const pending = await listPendingInvitations(db, org.id, now);
    expect(pending.map((i) => [i.email, i.role])).toEqual([["newbie@example.com", "admin"]]);
    expect(await findInvitation(db, first, now)).toBeNull();
    expect(await findInvitation(db, second, now)).toMatchObject({ email: "newbie@example.com", role: "admin" });
  });

  it("enforces the seat limit, counting pending invitations", async () => {
    await db.updateTable("org").set({ seat_limit: 4 }).where("id", "=", org.id).execute();
    await invite("fourth@example.com");
    expect(await inviteMember(db, inviterFor(owner, "owner"), { email: "fifth@example.com", role: "member" }, now)).toEqual({ ok: false, reason: "no-seats" });
    expect(await queuedEmails(db, "fifth@example.com")).toEqual([]);
  });

  it("gives the last free seat to exactly one of two invitations sent at once", async () => {
    await db.updateTable("org").set({ seat_limit: 4 }).where("id", "=", org.id).execute();
    const results = await Promise.all(
      ["x@example.com", "y@example.com"].map((email) => inviteMember(db, inviterFor(owner, "owner"), { email, role: "member" }, now)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await listPendingInvitations(db, org.id, now)).toHaveLength(1);
  });

  it("lets an admin re-invite a pending address (to change the role) when every seat is taken", async () => {
    await db.updateTable("org").set({ seat_limit: 4 }).where("id", "=", org.id).execute();
    await invite("fourth@example.com", "member");
    // The new invitation replaces the pending one, so it needs no extra seat.
    expect(await inviteMember(db, inviterFor(owner, "owner"), { email: "fourth@example.com", role: "admin" }, now)).toEqual({ ok: true });
  });
});

describe("acceptInvitation", () => {
  it("adds the invited person with the invitation's role and records member.joined", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const token = await invite(bob.email, "admin");
    expect(await acceptInvitation(db, token, bob, "192.0.2.1", now)).toEqual({ ok: true, orgSlug: org.slug });
    expect(await roleOf(db, org.id, bob.id)).toBe("admin");
    expect((await auditEventsOf(db, org.id)).at(-1)).toMatchObject({ action: "member.joined", actor_id: bob.id, target: bob.email, ip: "192.0.2.1", metadata: { role: "admin" } });
  });

  it("accepts a token once only", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const token = await invite(bob.email);
    expect((await acceptInvitation(db, token, bob, null, now)).ok).toBe(true);
    expect(await acceptInvitation(db, token, bob, null, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await findInvitation(db, token, now)).toBeNull();
  });

  it("lets exactly one of two simultaneous accepts through", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const token = await invite(bob.email);
    const results = await Promise.all([acceptInvitation(db, token, bob, null, now), acceptInvitation(db, token, bob, null, now)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await auditEventsOf(db, org.id)).filter((e) => e.action === "member.joined")).toHaveLength(1);
  });

  it("refuses an expired invitation", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const token = await invite(bob.email);
    expect(await acceptInvitation(db, token, bob, null, later(8))).toEqual({ ok: false, reason: "invalid" });
    expect(await roleOf(db, org.id, bob.id)).toBeNull();
  });

  it("refuses a revoked invitation", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const token = await invite(bob.email);
    const [pending] = await listPendingInvitations(db, org.id, now);
    expect(await revokeInvitation(db, inviterFor(admin, "admin"), pending!.id, now)).toEqual({ ok: true });
    expect(await acceptInvitation(db, token, bob, null, now)).toEqual({ ok: false, reason: "invalid" });
    expect(await roleOf(db, org.id, bob.id)).toBeNull();
    expect((await auditEventsOf(db, org.id)).map((e) => e.action)).toEqual(["member.invited", "member.invitation_revoked"]);
  });

  it("refuses a different signed-in account, and the invitation stays usable", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const eve = await createUser(db, { email: "eve@example.com" });
    const token = await invite(bob.email);
    expect(await acceptInvitation(db, token, eve, null, now)).toEqual({ ok: false, reason: "wrong-account" });
    expect(await roleOf(db, org.id, eve.id)).toBeNull();
    expect((await acceptInvitation(db, token, bob, null, now)).ok).toBe(true);
  });

  it("refuses an unknown token", async () => {
    expect(await acceptInvitation(db, "nosuchtoken", member, null, now)).toEqual({ ok: false, reason: "invalid" });
  });

  it("checks the seat limit again on accept, and a refused accept keeps the invitation", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const carol = await createUser(db, { email: "carol@example.com" });
    const small = await createTestOrg(db, { slug: "small", owner });
    const bobToken = await invite(bob.email, "member", { user: owner, role: "owner" }, small);
    const carolToken = await invite(carol.email, "member", { user: owner, role: "owner" }, small);
    await db.updateTable("org").set({ seat_limit: 2 }).where("id", "=", small.id).execute();
    expect((await acceptInvitation(db, bobToken, bob, null, now)).ok).toBe(true);
    expect(await acceptInvitation(db, carolToken, carol, null, now)).toEqual({ ok: false, reason: "no-seats" });
    expect(await roleOf(db, small.id, carol.id)).toBeNull();
    expect(await findInvitation(db, carolToken, now)).not.toBeNull();
    await db.updateTable("org").set({ seat_limit: 3 }).where("id", "=", small.id).execute();
    expect((await acceptInvitation(db, carolToken, carol, null, now)).ok).toBe(true);
  });

  it("gives the last free seat to exactly one of two people accepting at once", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const carol = await createUser(db, { email: "carol@example.com" });
    const bobToken = await invite(bob.email);
    const carolToken = await invite(carol.email);
    await db.updateTable("org").set({ seat_limit: 4 }).where("id", "=", org.id).execute();
    const results = await Promise.all([acceptInvitation(db, bobToken, bob, null, now), acceptInvitation(db, carolToken, carol, null, now)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "no-seats" }]);
    expect(await membershipsOf(db, org.id)).toHaveLength(4);
  });

  it("refuses a signed-in member using a token of another org's invitation to someone else", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const other = await createTestOrg(db, { slug: "other", owner: bob });
    const token = await invite("carol@example.com", "member", { user: bob, role: "owner" }, other);
    expect(await acceptInvitation(db, token, bob, null, now)).toEqual({ ok: false, reason: "wrong-account" });
    expect(await membershipsOf(db, org.id)).toHaveLength(3);
  });
});

describe("resendInvitation and revokeInvitation", () => {
  it("resends with a new token: the old link stops working, the new one works", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const first = await invite(bob.email);
    const [pending] = await listPendingInvitations(db, org.id, now);
    const second = await newInvitationToken(db, bob.email, async () => expect(await resendInvitation(db, inviterFor(admin, "admin"), pending!.id, later(1))).toEqual({ ok: true }));
    expect(second).not.toBe(first);
    expect(await acceptInvitation(db, first, bob, null, later(1))).toEqual({ ok: false, reason: "invalid" });
    // The resent link runs 7 days from the resend.
    expect((await acceptInvitation(db, second, bob, null, later(7.5))).ok).toBe(true);
  });

  it("keeps the last emailed link working when a resend cannot be emailed (recipient hourly limit)", async () => {
    await invite("bob@example.com");
    const [pending] = await listPendingInvitations(db, org.id, now);
    // The outbox takes at most EMAIL_RECIPIENT_HOURLY_LIMIT (10) messages an hour per address.
    for (let i = 0; i < 9; i++) expect(await resendInvitation(db, inviterFor(owner, "owner"), pending!.id, now)).toEqual({ ok: true });
    const workingLinksInInbox = async () => {
      const working: string[] = [];
      for (const token of await invitationTokens(db, "bob@example.com")) if (await findInvitation(db, token, now)) working.push(token);
      return working;
    };
    expect((await invitationTokens(db, "bob@example.com")).size).toBe(10);
    expect(await workingLinksInInbox()).toHaveLength(1);
    await resendInvitation(db, inviterFor(owner, "owner"), pending!.id, now);
    expect((await invitationTokens(db, "bob@example.com")).size).toBe(10);
    // Bob holds only the links in his inbox: one of them must still work.
    expect(await workingLinksInInbox()).toHaveLength(1);
  });

  it("does not let an admin resend an owner invitation", async () => {
    await invite("boss@example.com", "owner");
    const [pending] = await listPendingInvitations(db, org.id, now);
    expect(await resendInvitation(db, inviterFor(admin, "admin"), pending!.id, now)).toEqual({ ok: false });
  });

  it("answers not found for another org's invitation id and leaves it pending", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const other = await createTestOrg(db, { slug: "other", owner: bob });
    const token = await invite("carol@example.com", "member", { user: bob, role: "owner" }, other);
    const [theirs] = await listPendingInvitations(db, other.id, now);
    expect(await revokeInvitation(db, inviterFor(owner, "owner"), theirs!.id, now)).toEqual({ ok: false });
    expect(await resendInvitation(db, inviterFor(owner, "owner"), theirs!.id, now)).toEqual({ ok: false });
    expect(await findInvitation(db, token, now)).not.toBeNull();
    expect(await auditEventsOf(db, org.id)).toEqual([]);
  });
});

describe("signUpFromInvitation", () => {
  it("creates a verified account with the invited address and the invitation's role", async () => {
    const token = await invite("newbie@example.com", "admin");
    const result = await signUpFromInvitation(db, token, { password: PASSWORD, name: "Newbie" }, null, now);
    expect(result).toMatchObject({ ok: true, orgSlug: org.slug });
    const user = await db.selectFrom("user").selectAll().where("email", "=", "newbie@example.com").executeTakeFirstOrThrow();
    expect(user).toMatchObject({ name: "Newbie", email_verified_at: now });
    expect(await verifyPassword(user.password_hash, PASSWORD)).toBe(true);
    expect(await roleOf(db, org.id, user.id)).toBe("admin");
    expect(await signUpFromInvitation(db, token, { password: PASSWORD, name: null }, null, now)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses when the address already has an account", async () => {
    const token = await invite("bob@example.com");
    await createUser(db, { email: "bob@example.com" });
    expect(await signUpFromInvitation(db, token, { password: PASSWORD, name: null }, null, now)).toEqual({ ok: false, reason: "account-exists" });
  });

  it("creates no account when the org has no free seat", async () => {
    const token = await invite("newbie@example.com");
    await db.updateTable("org").set({ seat_limit: 3 }).where("id", "=", org.id).execute();
    expect(await signUpFromInvitation(db, token, { password: PASSWORD, name: null }, null, now)).toEqual({ ok: false, reason: "no-seats" });
    expect(await db.selectFrom("user").select("id").where("email", "=", "newbie@example.com").execute()).toEqual([]);
  });

  it("refuses an expired invitation", async () => {
    const token = await invite("newbie@example.com");
    expect(await signUpFromInvitation(db, token, { password: PASSWORD, name: null }, null, later(8))).toEqual({ ok: false, reason: "invalid" });
    expect(await db.selectFrom("user").select("id").where("email", "=", "newbie@example.com").execute()).toEqual([]);
  });
});
