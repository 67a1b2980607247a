import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrations } from "../../../db/migrations";
import { ADMIN_URL, connect, databaseUrl, recreateDatabase } from "../../../test/setup/databases";
import { migrateToLatest, pendingMigrations } from "./migrate";

const name = `gatehouse_migrate_race_${process.pid}`;
const admin = connect<unknown>(ADMIN_URL);

afterAll(async () => {
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
});

describe("migrateToLatest", () => {
  it("applies each migration exactly once when four replicas start together", async () => {
    await recreateDatabase(admin, name);
    const replicas = Array.from({ length: 4 }, () => connect<any>(databaseUrl(name)));
    try {
      expect(await pendingMigrations(replicas[0]!)).toEqual(Object.keys(migrations));
      const outcomes = await Promise.all(replicas.map((db) => migrateToLatest(db)));
      for (const outcome of outcomes) expect(outcome.error).toBeUndefined();

      const applied = outcomes.flatMap((o) => o.results ?? []).filter((r) => r.status === "Success");
      expect(applied.map((r) => r.migrationName).sort()).toEqual(Object.keys(migrations).sort());
      const rows = await sql<{ n: string }>`select count(*) as n from kysely_migration`.execute(replicas[0]!);
      expect(Number(rows.rows[0]!.n)).toBe(Object.keys(migrations).length);
      expect(await pendingMigrations(replicas[0]!)).toEqual([]);
    } finally {
      await Promise.all(replicas.map((db) => db.destroy()));
    }
  });
});
