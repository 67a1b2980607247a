// Gatehouse's HTTP server. Boot order: settings → logger → database →
// migrations (under an advisory lock) → listen. SIGTERM/SIGINT stop accepting,
// let in-flight requests finish, close the database and exit 0.
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { migrateToLatest } from "./app/.server/database/migrate";
import { openAppDatabase } from "./app/.server/db";
import { getEnv } from "./app/.server/env";
import { createHttpApp } from "./app/.server/http/app";
import { trackConnections } from "./app/.server/http/connection-drain";
import { oidcRoutes } from "./app/.server/identity/http";
import { createOidcProvider, registerOidcProvider } from "./app/.server/identity/provider";
import { startBackgroundWork } from "./app/.server/jobs/background";
import { getLogger } from "./app/.server/logger";

const env = getEnv();
const logger = getLogger();
// In production this file runs as build/server.js, next to the Remix build.
const buildDir = path.dirname(fileURLToPath(import.meta.url));

const database = openAppDatabase(env, { logger, pgliteSeedDir: path.join(buildDir, "pglite-seed") });
const migration = await migrateToLatest(database.db);
for (const result of migration.results ?? []) {
  logger.info({ migration: result.migrationName, status: result.status }, "migration");
}
if (migration.error) {
  logger.fatal({ err: migration.error }, "migrations failed; not starting");
  await database.close();
  process.exit(1);
}

const dev = env.NODE_ENV === "development";
const vite = dev
  ? await import("vite").then(({ createServer: createViteServer }) => createViteServer({ server: { middlewareMode: true } }))
  : undefined;

const oidcProvider = registerOidcProvider(await createOidcProvider({ env, db: database.db, logger }));

const app = createHttpApp({
  env,
  logger,
  db: database.db,
  oidcRoutes: oidcRoutes(oidcProvider, { env, db: database.db }),
  build: vite
    ? () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : ((await import(/* @vite-ignore */ path.join(buildDir, "server/index.js"))) as ServerBuild),
  clientDir: vite ? undefined : path.join(buildDir, "client"),
  devMiddleware: vite?.middlewares,
});

const server = createServer(app);
const connections = trackConnections(server);
// Slowloris guard: a client gets this long to send its headers and whole request.
server.headersTimeout = 20_000;
server.requestTimeout = 60_000;

server.listen(env.PORT, env.HOST, () => {
  logger.info(
    {
      url: env.PUBLIC_URL.origin,
      listen: `${env.HOST}:${env.PORT}`,
      mode: env.GATEHOUSE_MODE,
      database: database.kind,
      // Not "location": that name is redacted as a URL (the Location header).
      databaseAt: database.location,
      // Since the process began, module loading included.
      startupMs: Math.round(process.uptime() * 1000),
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    },
    "gatehouse is listening",
  );
});

const background = env.RUN_WORKER ? startBackgroundWork(env, logger, database.db) : undefined;

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
  const force = setTimeout(() => {
    logger.error("in-flight requests did not finish in time; exiting anyway");
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS);
  force.unref();

  // Stops accepting and waits for active requests; keep-alive connections are
  // told to close with their next answer, and closed once idle (connection-drain.ts).
  await connections.drain();
  await background?.stop();
  await vite?.close();
  await database.close();
  logger.info("stopped cleanly");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
