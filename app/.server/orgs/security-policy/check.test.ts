// The one policy check, against a real database: each rule, on each kind of
// sign-in, with an injected clock for grace periods and session limits.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { enrolTotp } from "../../../../test/factories/mfa";
import { addMember, auditEventsOf, createTestOrg, type TestOrg } from "../../../../test/factories/orgs";
import { createUser, queuedEmails, type TestUser } from "../../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { createSession, validateSessionToken } from "../../session";
import { apiKeyExpiry, checkInvitationDomain, checkSignInPolicies, mayReceiveTokens } from "./check";
import { countNonCompliantMembers, listNonCompliantMembers } from "./compliance";
import { applySessionLimitsOfOrg } from "./session-limits";

process.env.SECRETS_KEY ??= Buffer.alloc(32, 7).toString("base64");

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());

const now = new Date("2026-12-02T12:00:00Z");
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const client = { ip: "203.0.113.9", userAgent: null };

let owner: TestUser, otherOwner: TestUser, member: TestUser, guest: TestUser, org: TestOrg;
let connectionId: string;

async function setPolicy(values: Record<string, unknown>, orgId = org.id) {
  await db
    .insertInto("org_security_policy")
    .values({ org_id: orgId, ...values })
    .onConflict((oc) => oc.column("org_id").doUpdateSet(values))
    .execute();
}

async function ssoConnection(orgId: string | null, enabled = true): Promise<string> {
  const row = await db.insertInto("sso_connection").values({ org_id: orgId, kind: "oidc", name: "IdP", enabled }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

beforeEach(async () => {
  await truncateAll(db);
  owner = await createUser(db, { email: "olivia@acme.test" });
  otherOwner = await createUser(db, { email: "oscar@acme.test" });
  member = await createUser(db, { email: "max@acme.test" });
  guest = await createUser(db, { email: "gina@contractor.test" });
  org = await createTestOrg(db, { slug: "acme", owner, members: [{ user: otherOwner, role: "owner" }, { user: member, role: "member" }, { user: guest, role: "member" }] });
  connectionId = await ssoConnection(org.id);
  await db.insertInto("sso_domain").values({ org_id: org.id, connection_id: connectionId, domain: "acme.test", verification_token: "t", verified_at: now }).execute();
});

describe("require SSO", () => {
  beforeEach(() => setPolicy({ require_sso: true, sso_enforced_from: now }));

  it("refuses a password or passkey sign-in of a member on the org's domain, and says which org", async () => {
    for (const method of ["password", "passkey", "password+totp"] as const) {
      const decision = await checkSignInPolicies(db, { userId: member.id, method, now });
      expect(decision, method).toMatchObject({ ok: false, reason: "sso-required" });
      if (!decision.ok) expect(decision.message).toContain("Acme");
    }
  });

  it("lets the member in through the org's connection, or the instance's", async () => {
    expect(await checkSignInPolicies(db, { userId: member.id, method: "sso", ssoConnectionId: connectionId, now })).toMatchObject({ ok: true });
    const instance = await ssoConnection(null);
    expect(await checkSignInPolicies(db, { userId: member.id, method: "sso", ssoConnectionId: instance, now })).toMatchObject({ ok: true });
  });

  it("binds only the people on the org's verified domains", async () => {
    expect(await checkSignInPolicies(db, { userId: guest.id, method: "password", now })).toMatchObject({ ok: true });
  });

  it("is only a warning during the grace period", async () => {
    await setPolicy({ require_sso: true, sso_enforced_from: later(60) });
    expect(await checkSignInPolicies(db, { userId: member.id, method: "password", now })).toMatchObject({ ok: true });
    expect(await checkSignInPolicies(db, { userId: member.id, method: "password", now: later(61) })).toMatchObject({ ok: false, reason: "sso-required" });
  });

  it("lets an owner break glass with password and second factor: audited, and the other owners emailed", async () => {
    const decision = await checkSignInPolicies(db, { userId: owner.id, method: "password+totp", ip: "203.0.113.9", now });
    expect(decision).toMatchObject({ ok: true, breakGlassOrgIds: [org.id] });
    const events = await auditEventsOf(db, org.id);
    expect(events.map((e) => e.action)).toContain("security_policy.break_glass_used");
    expect((await queuedEmails(db, otherOwner.email)).map((e) => e.template)).toEqual(["break-glass-used"]);
    expect(await queuedEmails(db, owner.email)).toEqual([]);
  });

  it("gives an owner no break-glass with the password alone or a passkey alone", async () => {
    expect(await checkSignInPolicies(db, { userId: owner.id, method: "password", now })).toMatchObject({ ok: false, reason: "sso-required" });
    expect(await checkSignInPolicies(db, { userId: owner.id, method: "passkey", now })).toMatchObject({ ok: false, reason: "sso-required" });
  });

  it("lists who has not signed in through the org's SSO yet, by email, a page at a time", async () => {
    await db.insertInto("sso_identity").values({ connection_id: connectionId, subject: "s-owner", user_id: owner.id }).execute();
    expect(await countNonCompliantMembers(db, org.id, "sso")).toBe(2);
    const first = await listNonCompliantMembers(db, org.id, "sso", null, 1);
    expect(first.members.map((m) => m.email)).toEqual(["max@acme.test"]);
    const second = await listNonCompliantMembers(db, org.id, "sso", first.nextAfter, 1);
    expect(second.members.map((m) => m.email)).toEqual(["oscar@acme.test"]);
    expect(second.nextAfter).toBeNull();
  });
});

describe("require two-factor", () => {
  beforeEach(() => setPolicy({ require_two_factor: true, two_factor_enforced_from: now }));

  it("sends a password-only sign-in to turn on two-factor first", async () => {
    expect(await checkSignInPolicies(db, { userId: member.id, method: "password", now })).toMatchObject({ ok: true, next: "/settings/security?required=two-factor" });
    expect(await checkSignInPolicies(db, { userId: member.id, method: "password+totp", now })).toMatchObject({ ok: true, next: null });
    expect(await checkSignInPolicies(db, { userId: member.id, method: "passkey", now })).toMatchObject({ ok: true, next: null });
  });

  it("counts an SSO sign-in only when the IdP asserted MFA, unless the admin trusts the org's IdP", async () => {
    expect(await checkSignInPolicies(db, { userId: member.id, method: "sso", ssoConnectionId: connectionId, ssoMfaAsserted: false, now })).toMatchObject({ ok: false, reason: "idp-mfa-required" });
    expect(await checkSignInPolicies(db, { userId: member.id, method: "sso", ssoConnectionId: connectionId, ssoMfaAsserted: true, now })).toMatchObject({ ok: true });
    await setPolicy({ sso_needs_idp_mfa: false });
    expect(await checkSignInPolicies(db, { userId: member.id, method: "sso", ssoConnectionId: connectionId, ssoMfaAsserted: false, now })).toMatchObject({ ok: true });
  });

  it("issues tokens only to members who have a second factor or an SSO identity with the org", async () => {
    expect(await mayReceiveTokens(db, member.id, now)).toBe(false);
    await enrolTotp(db, member, now);
    expect(await mayReceiveTokens(db, member.id, now)).toBe(true);
    await db.insertInto("sso_identity").values({ connection_id: connectionId, subject: "s-guest", user_id: guest.id }).execute();
    expect(await mayReceiveTokens(db, guest.id, now)).toBe(true);
  });
});

describe("session limits", () => {
  it("gives a new session the strictest lifetime and idle timeout of the person's orgs", async () => {
    const other = await createTestOrg(db, { slug: "other", owner: otherOwner });
    await addMember(db, other.id, member, "member");
    await setPolicy({ session_max_minutes: 600, session_idle_minutes: 60 });
    await setPolicy({ session_max_minutes: 120, session_idle_minutes: 240 }, other.id);
    const decision = await checkSignInPolicies(db, { userId: member.id, method: "password", now });
    expect(decision).toMatchObject({ ok: true, sessionLimits: { maxLifetimeMs: 120 * 60_000, idleTimeoutMs: 60 * 60_000 } });
    if (!decision.ok) return;
    const { token } = await createSession(db, member.id, client, now, "password", { limits: decision.sessionLimits });
    // Used every 50 minutes it lives, but not past two hours from sign-in.
    expect(await validateSessionToken(db, token, client, later(50))).not.toBeNull();
    expect(await validateSessionToken(db, token, client, later(100))).not.toBeNull();
    expect(await validateSessionToken(db, token, client, later(121))).toBeNull();
  });

  it("ends an idle session after the idle timeout", async () => {
    await setPolicy({ session_idle_minutes: 30 });
    const decision = await checkSignInPolicies(db, { userId: member.id, method: "password", now });
    if (!decision.ok) throw new Error("refused");
    const { token } = await createSession(db, member.id, client, now, "password", { limits: decision.sessionLimits });
    expect(await validateSessionToken(db, token, client, later(31))).toBeNull();
  });

  it("brings sessions that already run under a tightened policy", async () => {
    const { token } = await createSession(db, member.id, client, now);
    const { token: guestToken } = await createSession(db, guest.id, client, now);
    await setPolicy({ session_max_minutes: 60 });
    await applySessionLimitsOfOrg(db, org.id);
    expect(await validateSessionToken(db, token, client, later(59))).not.toBeNull();
    expect(await validateSessionToken(db, token, client, later(61))).toBeNull();
    expect(await validateSessionToken(db, guestToken, client, later(61))).toBeNull();
  });
});

describe("invitations and API keys", () => {
  it("allows invitations only to the listed domains, when there are any", async () => {
    expect(await checkInvitationDomain(db, org.id, "x@anything.test")).toEqual({ ok: true });
    await setPolicy({ invite_domains: ["acme.test"] });
    expect(await checkInvitationDomain(db, org.id, "x@acme.test")).toEqual({ ok: true });
    expect(await checkInvitationDomain(db, org.id, "x@evil.test")).toMatchObject({ ok: false, message: expect.stringContaining("acme.test") });
    expect(await checkInvitationDomain(db, org.id, "x@sub.acme.test")).toMatchObject({ ok: false });
  });

  it("gives new keys an expiry when the org caps their lifetime", async () => {
    expect(await apiKeyExpiry(db, org.id, now)).toBeNull();
    await setPolicy({ api_key_max_days: 30 });
    expect(await apiKeyExpiry(db, org.id, now)).toEqual(new Date(now.getTime() + 30 * 86_400_000));
  });
});
