// `npm run worker`: background work alone (email delivery, clean-up), for
// deployments that run web servers with RUN_WORKER=false and scale this apart.
import { migrateToLatest } from "./app/.server/database/migrate";
import { openAppDatabase } from "./app/.server/db";
import { getEnv } from "./app/.server/env";
import { startBackgroundWork } from "./app/.server/jobs/background";
import { getLogger } from "./app/.server/logger";

const env = getEnv();
const logger = getLogger();
if (!env.DATABASE_URL) {
  // The embedded database belongs to one process: the web server's own worker serves it.
  logger.fatal("npm run worker needs DATABASE_URL; with the embedded database, the web server runs the worker itself");
  process.exit(1);
}
const database = openAppDatabase(env, { logger });
const { error } = await migrateToLatest(database.db);
if (error) {
  logger.fatal({ err: error }, "migrations failed; not starting");
  process.exit(1);
}
const background = startBackgroundWork(env, logger, database.db);

async function shutdown(signal: string) {
  logger.info({ signal }, "worker stopping after the current pass");
  await background.stop();
  await database.close();
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
