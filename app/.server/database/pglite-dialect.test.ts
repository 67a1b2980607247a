import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../../db/schema";
import { pgliteSeedDir } from "../../../test/setup/pglite-seed";
import { openPGlite } from "./pglite";
import { PGliteDialect } from "./pglite-dialect";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-pglite-"));
let db: Kysely<DB>;

beforeAll(() => {
  db = new Kysely<DB>({ dialect: new PGliteDialect(() => openPGlite(dir, pgliteSeedDir())) });
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const row = (key: string) => ({ key, window_start: new Date(0), count: 1, expires_at: new Date(0) });
const keys = async () => (await db.selectFrom("rate_limit").select("key").orderBy("key").execute()).map((r) => r.key);

describe("PGliteDialect", () => {
  it("keeps overlapping transactions apart: a rollback never takes another request's write with it", async () => {
    await db.deleteFrom("rate_limit").execute();
    const rolledBack = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("rate_limit").values(row("a")).execute();
        await sleep(100); // stay open while the others run
        throw new Error("roll back");
      })
      .catch((error: Error) => error.message);
    await sleep(10);
    const committed = db.transaction().execute(async (trx) => {
      await trx.insertInto("rate_limit").values(row("b")).execute();
    });
    const lone = db.insertInto("rate_limit").values(row("c")).execute();
    // A read queued while that transaction is open must never see its uncommitted row.
    const seenDuring = keys();

    expect(await rolledBack).toBe("roll back");
    await Promise.all([committed, lone]);
    expect(await seenDuring).not.toContain("a");
    expect(await keys()).toEqual(["b", "c"]);
  });

  it("serves many concurrent queries without interleaving results", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => db.selectNoFrom((eb) => eb.val(i).as("n")).executeTakeFirstOrThrow()),
    );
    expect(results.map((r) => Number(r.n))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("reports affected rows for writes", async () => {
    await db.deleteFrom("rate_limit").execute();
    await db.insertInto("rate_limit").values([row("x"), row("y")]).execute();
    const result = await db.deleteFrom("rate_limit").executeTakeFirst();
    expect(result.numDeletedRows).toBe(2n);
  });
});
