// Runs once per `vitest run`: migrate a template, copy it per worker, and drop
// them all at the end.
import { sql } from "kysely";
import type { TestProject } from "vitest/node";
import { migrateToLatest } from "../../app/.server/database/migrate";
import { ADMIN_URL, connect, databaseUrl, recreateDatabase, runDatabasePrefix, WORKER_COUNT, workerDatabaseName } from "./databases";

export default async function setup(project: TestProject) {
  const prefix = runDatabasePrefix();
  const template = `${prefix}_template`;
  const names = [template, ...Array.from({ length: WORKER_COUNT }, (_, i) => workerDatabaseName(prefix, i + 1))];
  const admin = connect<unknown>(ADMIN_URL);
  try {
    await recreateDatabase(admin, template);
    const templateDb = connect(databaseUrl(template));
    const { error } = await migrateToLatest(templateDb);
    await templateDb.destroy();
    if (error) throw error;
    for (const name of names.slice(1)) await recreateDatabase(admin, name, template);
  } catch (error) {
    await admin.destroy();
    throw new Error(`Test database setup failed against ${ADMIN_URL} (set TEST_DATABASE_URL to point elsewhere): ${(error as Error).message}`);
  }
  project.provide("databasePrefix", prefix);

  return async () => {
    for (const name of names) await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
    await admin.destroy();
  };
}
