import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, createTestOrg } from "../../../test/factories/orgs";
import { createUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createApiKey, revokeApiKey } from "./api-keys";
import { listAuditEvents, recordAuditEvent } from "./audit";
import { presentAuditEvents } from "./audit-history";
import { removeMember } from "./members";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

async function history(org: { id: string; slug: string }) {
  const page = await listAuditEvents(db, org.id, {}, { limit: 50 });
  return presentAuditEvents(db, org, page.events, { billingPage: false });
}

describe("presentAuditEvents", () => {
  it("names actors by their current name and links actor and object while they still exist in this org", async () => {
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada Lovelace" });
    const bob = await createUser(db, { email: "bob@example.com", name: "Bob" });
    const org = await createTestOrg(db, { slug: "acme", owner: ada, members: [{ user: bob, role: "member" }] });
    const kept = await createApiKey(db, { orgId: org.id, name: "CI deploys", actor: actorOf(ada), ip: null });
    const gone = await createApiKey(db, { orgId: org.id, name: "Old", actor: actorOf(ada), ip: null });
    await db.deleteFrom("api_key").where("id", "=", gone.id).execute();
    await recordAuditEvent(db, { orgId: org.id, actor: actorOf(ada), action: "member.role_changed", target: bob.email, metadata: { from: "member", to: "admin" } });

    const [role, oldKey, ciKey] = await history(org);
    expect(ciKey).toMatchObject({ actor: { label: "Ada Lovelace", href: "/orgs/acme/members" }, verb: "created API key", object: { label: "CI deploys", href: "/orgs/acme/api-keys" } });
    expect(oldKey).toMatchObject({ verb: "created API key", object: { label: "Old", href: null } });
    expect(role).toMatchObject({ object: { label: "Bob (bob@example.com)", href: "/orgs/acme/members" }, tail: " from member to admin" });
    void kept;
  });

  it("stops linking a person who left, and shows the anonymised label for what they did", async () => {
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const bob = await createUser(db, { email: "bob@example.com", name: "Bob" });
    const org = await createTestOrg(db, { slug: "acme", owner: ada, members: [{ user: bob, role: "admin" }] });
    const key = await createApiKey(db, { orgId: org.id, name: "Bob's key", actor: actorOf(bob), ip: null });
    await revokeApiKey(db, { orgId: org.id, keyId: key.id, actor: actorOf(ada), ip: null });
    await removeMember(db, { orgId: org.id, actor: actorOf(ada), actorRole: "owner", targetUserId: bob.id, ip: null });
    const [removed, , created] = await history(org);
    expect(removed).toMatchObject({ verb: "removed", object: { label: "bob@example.com", href: null } });
    expect(created!.actor).toEqual({ label: expect.stringMatching(/^Deleted user #/), href: null });
  });

  it("never links to another org's key with the same prefix", async () => {
    const ada = await createUser(db);
    const acme = await createTestOrg(db, { slug: "acme", owner: ada });
    const other = await createTestOrg(db, { slug: "other", owner: ada });
    const key = await createApiKey(db, { orgId: other.id, name: "Theirs", actor: actorOf(ada), ip: null });
    await recordAuditEvent(db, { orgId: acme.id, actor: actorOf(ada), action: "api_key.created", target: `${key.prefix}… (Theirs)` });
    const [event] = await history(acme);
    expect(event!.object).toEqual({ label: "Theirs", href: null });
  });
});
