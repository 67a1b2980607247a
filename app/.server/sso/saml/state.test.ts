// The SAML state (request ids for InResponseTo, assertion ids against replay)
// on PostgreSQL and on the embedded PGlite: same answers on both, since a
// self-hosted instance runs on either.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../../../db/schema";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { pgliteSeedDir } from "../../../../test/setup/pglite-seed";
import { openPGlite } from "../../database/pglite";
import { PGliteDialect } from "../../database/pglite-dialect";
import type { Database } from "../../db";
import { consumeSamlRequest, deleteExpiredSamlState, isSamlRequestKnown, recordAssertion, rememberSamlRequest, REQUEST_LIFETIME_MS, wasAssertionSeen } from "./state";

const pgliteDir = mkdtempSync(path.join(tmpdir(), "gatehouse-saml-"));
const postgres = connect(workerDatabaseUrl());
let pglite: Kysely<DB>;
const backends: Array<[string, () => Database]> = [
  ["PostgreSQL", () => postgres],
  ["PGlite", () => pglite],
];

beforeAll(async () => {
  await truncateAll(postgres);
  pglite = new Kysely<DB>({ dialect: new PGliteDialect(() => openPGlite(pgliteDir, pgliteSeedDir())) });
}, 60_000);
afterAll(async () => {
  await Promise.all([postgres.destroy(), pglite.destroy()]);
  rmSync(pgliteDir, { recursive: true, force: true });
});

const NOW = new Date("2027-01-01T00:00:00Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);
const newConnection = async (db: Database) => (await db.insertInto("sso_connection").values({ kind: "saml", name: "X" }).returning("id").executeTakeFirstOrThrow()).id;

describe.each(backends)("SAML state on %s", (_name, database) => {
  it("answers a request id once, for its connection, before it expires", async () => {
    const db = database();
    const [mine, other] = [await newConnection(db), await newConnection(db)];
    await rememberSamlRequest(db, mine, "_r1", NOW);
    await rememberSamlRequest(db, mine, "_r2", NOW);
    expect(await consumeSamlRequest(db, other, "_r1", later(1000))).toBe(false);
    expect(await isSamlRequestKnown(db, mine, "_r1", later(1000))).toBe(true);
    expect(await consumeSamlRequest(db, mine, "_r1", later(1000))).toBe(true);
    expect(await consumeSamlRequest(db, mine, "_r1", later(2000))).toBe(false);
    expect(await consumeSamlRequest(db, mine, "_r2", later(REQUEST_LIFETIME_MS))).toBe(false);
  });

  it("records an assertion id once: the second time is a replay", async () => {
    const db = database();
    const connection = await newConnection(db);
    expect(await wasAssertionSeen(db, connection, "_a1")).toBe(false);
    expect(await recordAssertion(db, connection, "_a1", later(60_000), NOW)).toBe(true);
    expect(await recordAssertion(db, connection, "_a1", later(60_000), later(1000))).toBe(false);
    expect(await wasAssertionSeen(db, connection, "_a1")).toBe(true);
  });

  it("cleans expired request ids when a new request is remembered", async () => {
    const db = database();
    const connection = await newConnection(db);
    await rememberSamlRequest(db, connection, "_stale", NOW);
    await rememberSamlRequest(db, connection, "_fresh", later(REQUEST_LIFETIME_MS));
    expect((await db.selectFrom("saml_request").select("id").where("connection_id", "=", connection).execute()).map((row) => row.id)).toEqual(["_fresh"]);
  });

  it("forgets request and assertion ids past their expiry, and keeps the others", async () => {
    const db = database();
    const connection = await newConnection(db);
    await db.deleteFrom("saml_request").execute();
    await db.deleteFrom("saml_assertion_seen").execute();
    await db
      .insertInto("saml_request")
      .values([
        { id: "_old", connection_id: connection, expires_at: later(-1000) },
        { id: "_new", connection_id: connection, expires_at: later(1000) },
      ])
      .execute();
    await recordAssertion(db, connection, "_gone", later(-1000), later(-60_000));
    await recordAssertion(db, connection, "_kept", later(1000), later(-60_000));
    expect(await deleteExpiredSamlState(db, NOW)).toEqual({ requests: 1, assertions: 1 });
    expect((await db.selectFrom("saml_request").select("id").execute()).map((row) => row.id)).toEqual(["_new"]);
    expect((await db.selectFrom("saml_assertion_seen").select("assertion_id").execute()).map((row) => row.assertion_id)).toEqual(["_kept"]);
  });
});
