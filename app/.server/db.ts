// The Kysely instance: a pg Pool when DATABASE_URL is set, embedded PGlite in
// DATA_DIR otherwise. Same migrations, same queries on both.
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import type { DB } from "../../db/schema";
import { PGliteDialect } from "./database/pglite-dialect";
import { openPGlite } from "./database/pglite";
import type { Env } from "./env";
import { singleton } from "./singleton";

export type Database = Kysely<DB>;

export type DatabaseHandle = {
  db: Database;
  kind: "postgres" | "pglite";
  /** Where the data lives, without credentials, for logs. */
  location: string;
  close: () => Promise<void>;
};

type DatabaseSettings = Pick<Env, "DATABASE_URL" | "DATA_DIR" | "DB_POOL_MAX" | "DB_CONNECT_TIMEOUT_MS" | "DB_STATEMENT_TIMEOUT_MS">;

export function createDatabase(env: DatabaseSettings, options: { logger: Logger; pgliteSeedDir?: string }): DatabaseHandle {
  if (env.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: env.DB_POOL_MAX,
      connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
    });
    // An idle client whose server went away emits 'error' on the pool; without a
    // listener that would crash the process on a database restart.
    pool.on("error", (error) => options.logger.warn({ err: error.message }, "idle database connection lost"));
    // pg-pool takes its listener off a client while the client is lent out, and
    // pg emits 'error' on a client whose connection dies, even mid-query: a
    // database restart under traffic would then crash the process. The query
    // itself fails (the request answers 503) and pg-pool discards the broken
    // client on release, so the event only needs to be non-fatal here.
    pool.on("connect", (client) => client.on("error", (error) => options.logger.debug({ err: error.message }, "database connection lost while in use")));
    const url = new URL(env.DATABASE_URL);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", location: `${url.hostname}:${url.port || 5432}${url.pathname}`, close: () => db.destroy() };
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(() => openPGlite(env.DATA_DIR, options.pgliteSeedDir)) });
  return { db, kind: "pglite", location: env.DATA_DIR, close: () => db.destroy() };
}

const HANDLE_KEY = "database";

/** Opens the process-wide database; called once by the server or a CLI at start. */
export function openAppDatabase(env: DatabaseSettings, options: { logger: Logger; pgliteSeedDir?: string }): DatabaseHandle {
  return singleton(HANDLE_KEY, () => createDatabase(env, options));
}

/** The process-wide database for loaders, actions and jobs. */
export function getDb(): Database {
  return singleton<DatabaseHandle>(HANDLE_KEY, () => {
    throw new Error("The database has not been opened: call openAppDatabase() at start-up");
  }).db;
}
