// The provider's storage and keys, on PostgreSQL and on the embedded PGlite:
// what oidc-provider writes through the adapter comes back the same on both,
// and signing keys are stored encrypted and keep verifying after a rotation.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK } from "jose";
import { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../../db/schema";
import { pgliteSeedDir } from "../../../test/setup/pglite-seed";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { PGliteDialect } from "../database/pglite-dialect";
import { openPGlite } from "../database/pglite";
import type { Database } from "../db";
import { createAdapterFactory, deleteExpiredOidcPayloads } from "./adapter";
import { ensureOidcKeys, loadOidcKeys, publicSigningKeys, rotateSigningKey } from "./keys";

// The secrets key is read on first use: give this process its own, rather than a key file in ./data.
process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");

const pgliteDir = mkdtempSync(path.join(tmpdir(), "gatehouse-oidc-"));
const backends: Array<[string, () => Database]> = [];
const postgres = connect(workerDatabaseUrl());
let pglite: Kysely<DB>;
backends.push(["PostgreSQL", () => postgres], ["PGlite", () => pglite]);

beforeAll(async () => {
  await truncateAll(postgres);
  pglite = new Kysely<DB>({ dialect: new PGliteDialect(() => openPGlite(pgliteDir, pgliteSeedDir())) });
}, 60_000);
afterAll(async () => {
  await Promise.all([postgres.destroy(), pglite.destroy()]);
  rmSync(pgliteDir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

describe.each(backends)("the provider's adapter on %s", (_name, database) => {
  it("stores, finds by id, uid and user code, consumes and revokes by grant", async () => {
    const adapter = createAdapterFactory(database());
    const deviceCodes = adapter("DeviceCode");
    const refreshTokens = adapter("RefreshToken");
    await deviceCodes.upsert("dc-1", { userCode: "BCDFGHJK", grantId: "g-1", clientId: "app_1", exp: now() + 60 }, 60);
    await refreshTokens.upsert("rt-1", { grantId: "g-1", accountId: "u-1", clientId: "app_1", exp: now() + 60 }, 60);
    await adapter("Interaction").upsert("i-1", { uid: "uid-1", exp: now() + 60 }, 60);

    expect(await deviceCodes.find("dc-1")).toMatchObject({ userCode: "BCDFGHJK", grantId: "g-1" });
    expect(await deviceCodes.findByUserCode("BCDFGHJK")).toMatchObject({ grantId: "g-1" });
    expect(await adapter("Interaction").findByUid("uid-1")).toMatchObject({ uid: "uid-1" });
    expect(await adapter("Interaction").find("dc-1")).toBeUndefined();

    await refreshTokens.consume("rt-1");
    expect((await refreshTokens.find("rt-1"))?.consumed).toBeGreaterThan(0);

    await deviceCodes.upsert("dc-1", { userCode: "BCDFGHJK", grantId: "g-1", accountId: "u-1", exp: now() + 60 }, 60);
    expect(await deviceCodes.find("dc-1")).toMatchObject({ accountId: "u-1" });

    await refreshTokens.revokeByGrantId("g-1");
    expect(await refreshTokens.find("rt-1")).toBeUndefined();
    expect(await deviceCodes.find("dc-1")).toBeDefined();
    await deviceCodes.destroy("dc-1");
    expect(await deviceCodes.find("dc-1")).toBeUndefined();
  });

  it("lets the clean-up job delete what has expired", async () => {
    const db = database();
    await createAdapterFactory(db)("AccessToken").upsert("old", { exp: now() - 10 }, 1);
    expect(await deleteExpiredOidcPayloads(db, new Date(Date.now() + 2000))).toBeGreaterThanOrEqual(1);
    expect(await createAdapterFactory(db)("AccessToken").find("old")).toBeUndefined();
  });
});

describe("signing keys", () => {
  it("are made once, even by replicas starting together, and stored encrypted", async () => {
    await postgres.deleteFrom("oidc_key").execute();
    await Promise.all([ensureOidcKeys(postgres), ensureOidcKeys(postgres), ensureOidcKeys(postgres)]);
    const rows = await postgres.selectFrom("oidc_key").select(["purpose", "encrypted_material"]).execute();
    expect(rows.map((row) => row.purpose).sort()).toEqual(["cookie", "signing"]);
    const signing = rows.find((row) => row.purpose === "signing")!;
    expect(signing.encrypted_material).toMatch(/^v1\./);
    expect(signing.encrypted_material).not.toContain("RS256");
    const { signing: keys } = await loadOidcKeys(postgres);
    expect(keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(keys[0]!.d).toBeTruthy();
  });

  it("rotate: the new key signs, the old one stays in the JWKS so its tokens keep verifying, then goes", async () => {
    await postgres.deleteFrom("oidc_key").execute();
    await ensureOidcKeys(postgres);
    const [oldKey] = (await loadOidcKeys(postgres)).signing as [JWK];
    const oldToken = await new SignJWT({ sub: "someone" }).setProtectedHeader({ alg: "RS256", kid: oldKey.kid }).setIssuedAt().setExpirationTime("1h").sign(await importJWK(oldKey, "RS256"));

    const rotated = await rotateSigningKey(postgres);
    expect(rotated.retiredKids).toEqual([oldKey.kid]);
    const keys = await loadOidcKeys(postgres);
    expect(keys.signing.map((key) => key.kid)).toEqual([rotated.newKid, oldKey.kid]);

    const published = await publicSigningKeys(postgres);
    expect(published.every((key) => key.d === undefined && key.p === undefined)).toBe(true);
    await expect(jwtVerify(oldToken, createLocalJWKSet({ keys: published }))).resolves.toBeTruthy();

    // A day later the retired key is no longer published.
    const later = new Date(Date.now() + 25 * 60 * 60 * 1000);
    expect((await publicSigningKeys(postgres, later)).map((key) => key.kid)).toEqual([rotated.newKid]);
  });
});
