// `npm run db:migrate`: apply every pending migration to DATABASE_URL (or the
// embedded database in DATA_DIR) and report what ran.
import { migrateToLatest } from "../app/.server/database/migrate";
import { openAppDatabase } from "../app/.server/db";
import { getEnv } from "../app/.server/env";
import { getLogger } from "../app/.server/logger";

const env = getEnv();
const logger = getLogger();
const database = openAppDatabase(env, { logger });
const { results, error } = await migrateToLatest(database.db);
for (const result of results ?? []) console.log(`${result.status.padEnd(7)} ${result.migrationName}`);
if (!results?.length && !error) console.log(`Nothing to migrate: ${database.kind} at ${database.location} is up to date.`);
await database.close();
if (error) {
  console.error("Migration failed:", error);
  process.exit(1);
}
