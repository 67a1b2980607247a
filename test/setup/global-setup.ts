// Runs once per `vitest run`: migrate the template, then copy it per worker.
import { migrateToLatest } from "../../app/.server/database/migrate";
import { ADMIN_URL, connect, databaseUrl, recreateDatabase, TEMPLATE_NAME, WORKER_COUNT, workerDatabaseName } from "./databases";

export default async function setup() {
  const admin = connect<unknown>(ADMIN_URL);
  try {
    await recreateDatabase(admin, TEMPLATE_NAME);
    const template = connect(databaseUrl(TEMPLATE_NAME));
    const { error } = await migrateToLatest(template);
    await template.destroy();
    if (error) throw error;
    for (let worker = 1; worker <= WORKER_COUNT; worker++) {
      await recreateDatabase(admin, workerDatabaseName(worker), TEMPLATE_NAME);
    }
  } catch (error) {
    throw new Error(`Test database setup failed against ${ADMIN_URL} (set TEST_DATABASE_URL to point elsewhere): ${(error as Error).message}`);
  } finally {
    await admin.destroy();
  }
}
