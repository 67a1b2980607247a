import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, auditEventsOf, createTestOrg, type TestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { hashToken } from "../tokens";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "./api-keys";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const minutesLater = (n: number) => new Date(now.getTime() + n * 60_000);

let ada: TestUser, org: TestOrg;
beforeEach(async () => {
  ada = await createUser(db);
  org = await createTestOrg(db, { owner: ada });
});

const create = (name = "CI", target: TestOrg = org, by: TestUser = ada) => createApiKey(db, { orgId: target.id, name, actor: actorOf(by), ip: null }, now);

describe("createApiKey", () => {
  it("returns gk_ and a secret once, and stores only its SHA-256 and a visible prefix", async () => {
    const created = await create();
    expect(created.key).toMatch(/^gk_[a-z2-7]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 11));
    const row = await db.selectFrom("api_key").selectAll().executeTakeFirstOrThrow();
    expect(Buffer.from(row.secret_hash)).toEqual(Buffer.from(hashToken(created.key)));
    const secretPart = created.key.slice(created.prefix.length);
    // The plain text is nowhere in the row, and the stored prefix holds too little to guess it.
    for (const value of Object.values(row)) {
      const text = value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : String(value);
      expect(text).not.toContain(created.key);
      expect(text).not.toContain(secretPart);
    }
    expect((await auditEventsOf(db, org.id)).map((e) => [e.action, e.actor_id, e.target])).toEqual([["api_key.created", ada.id, `${created.prefix}… (CI)`]]);
  });

  it("makes a different key every time", async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => create(`k${i}`)));
    expect(new Set(keys.map((k) => k.key)).size).toBe(5);
  });
});

describe("listApiKeys", () => {
  it("shows name, prefix, creator, created, last used and expiry, never the hash", async () => {
    const created = await create("Deploys");
    await authenticateApiKey(db, created.key, null, minutesLater(5));
    const [key, ...others] = await listApiKeys(db, org.id);
    expect(others).toEqual([]);
    expect(key).toEqual({ id: created.id, name: "Deploys", prefix: created.prefix, creator: ada.email, created_at: now, last_used_at: minutesLater(5), revoked_at: null, expires_at: null });
  });

  it("lists only the org's own keys", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const other = await createTestOrg(db, { slug: "other", owner: bob });
    await create("theirs", other, bob);
    await create("ours");
    expect((await listApiKeys(db, org.id)).map((k) => k.name)).toEqual(["ours"]);
  });
});

describe("authenticateApiKey", () => {
  it("finds the org of a live key", async () => {
    const created = await create();
    expect(await authenticateApiKey(db, created.key, "192.0.2.9", now)).toEqual({ keyId: created.id, orgId: org.id, label: `API key ${created.prefix}… (CI)` });
  });

  it("refuses unknown, malformed and tampered keys", async () => {
    const created = await create();
    const tampered = created.key.slice(0, -1) + (created.key.endsWith("a") ? "b" : "a");
    for (const key of ["", "gk_", "gk_nosuchkey", tampered, created.key.toUpperCase(), `${created.key}x`, created.prefix, "x".repeat(200)]) {
      expect(await authenticateApiKey(db, key, null, now), key).toBeNull();
    }
  });

  it("writes api_key.first_used once, and last_used_at at most once a minute", async () => {
    const created = await create();
    await authenticateApiKey(db, created.key, "192.0.2.9", now);
    await authenticateApiKey(db, created.key, "192.0.2.9", minutesLater(0.5));
    await authenticateApiKey(db, created.key, "192.0.2.9", minutesLater(3));
    const firstUses = (await auditEventsOf(db, org.id)).filter((e) => e.action === "api_key.first_used");
    expect(firstUses).toHaveLength(1);
    expect(firstUses[0]).toMatchObject({ actor_id: null, actor_label: `API key ${created.prefix}… (CI)`, ip: "192.0.2.9", created_at: now });
    const [key] = await listApiKeys(db, org.id);
    expect(key!.last_used_at).toEqual(minutesLater(3));
  });

  it("writes api_key.first_used once when the first requests arrive together", async () => {
    const created = await create();
    const results = await Promise.all(Array.from({ length: 8 }, () => authenticateApiKey(db, created.key, null, now)));
    expect(results.every((r) => r?.orgId === org.id)).toBe(true);
    expect((await auditEventsOf(db, org.id)).filter((e) => e.action === "api_key.first_used")).toHaveLength(1);
  });
});

describe("revokeApiKey", () => {
  it("stops the key at once and records api_key.revoked", async () => {
    const created = await create();
    expect(await authenticateApiKey(db, created.key, null, now)).not.toBeNull();
    expect(await revokeApiKey(db, { orgId: org.id, keyId: created.id, actor: actorOf(ada), ip: null }, minutesLater(1))).toEqual({ ok: true });
    expect(await authenticateApiKey(db, created.key, null, minutesLater(1))).toBeNull();
    expect((await listApiKeys(db, org.id))[0]!.revoked_at).toEqual(minutesLater(1));
    expect((await auditEventsOf(db, org.id)).at(-1)).toMatchObject({ action: "api_key.revoked", actor_id: ada.id });
    expect(await revokeApiKey(db, { orgId: org.id, keyId: created.id, actor: actorOf(ada), ip: null })).toEqual({ ok: false });
  });

  it("cannot revoke another org's key", async () => {
    const bob = await createUser(db, { email: "bob@example.com" });
    const other = await createTestOrg(db, { slug: "other", owner: bob });
    const theirs = await create("theirs", other, bob);
    expect(await revokeApiKey(db, { orgId: org.id, keyId: theirs.id, actor: actorOf(ada), ip: null })).toEqual({ ok: false });
    expect(await authenticateApiKey(db, theirs.key, null, now)).toMatchObject({ orgId: other.id });
  });
});
