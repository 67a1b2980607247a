import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "../setup/server-process";

const dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-data-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded database (no DATABASE_URL)", () => {
  it("is created and migrated on first start, and keeps its data across a restart", async () => {
    const first = await startServer({ DATA_DIR: dataDir });
    const ready = await fetch(`${first.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", database: "ok", pendingMigrations: [] });
    const listening = first.logs.find((l) => l.msg === "gatehouse is listening")!;
    expect(listening.database).toBe("pglite");
    expect(listening.databaseAt).toBe(dataDir);
    expect(await first.stop()).toBe(0);

    // Write a row while the server is stopped, as any earlier request could have.
    const pglite = await PGlite.create({ dataDir });
    await pglite.query("insert into rate_limit (key, window_start, count, expires_at) values ('kept', now(), 3, now() + interval '1 day')");
    await pglite.close();

    const second = await startServer({ DATA_DIR: dataDir });
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    expect(second.logs.some((l) => l.msg === "migration")).toBe(false); // nothing left to apply
    expect(await second.stop()).toBe(0);

    const reopened = await PGlite.create({ dataDir });
    const rows = await reopened.query<{ count: number }>("select count from rate_limit where key = 'kept'");
    await reopened.close();
    expect(rows.rows).toEqual([{ count: 3 }]);
  }, 120_000);
});
