// Applying and inspecting migrations. Kysely's Migrator takes a transaction-scoped
// Postgres advisory lock (pg_advisory_xact_lock) around the whole run, so several
// replicas starting at once apply each migration exactly once; the test in
// migrate.test.ts races four migrators to prove it.
import { Migrator, type Kysely, type MigrationResultSet } from "kysely";
import { migrations } from "../../../db/migrations";

function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  return createMigrator(db).migrateToLatest();
}

export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await createMigrator(db).getMigrations();
  return all.filter((migration) => !migration.executedAt).map((migration) => migration.name);
}
