// The databases tests run against. One template is migrated once per run; each
// Vitest worker gets its own copy (CREATE DATABASE ... TEMPLATE), so workers never
// see each other's rows and no test pays for migrations.
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { inject } from "vitest";
import type { DB } from "../../db/schema";

/** Where the test PostgreSQL is; any database on the server works as the admin connection. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const WORKER_COUNT = 3;

declare module "vitest" {
  export interface ProvidedContext {
    databasePrefix: string;
  }
}

/** Each run names its databases after its own process, so two runs never drop each other's. */
export function runDatabasePrefix(pid = process.pid): string {
  return `gatehouse_test_${pid}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function workerDatabaseName(prefix: string, workerId: string | number): string {
  return `${prefix}_w${workerId}`;
}

/** This worker's database URL (VITEST_POOL_ID is 1..maxWorkers). */
export function workerDatabaseUrl(): string {
  return databaseUrl(workerDatabaseName(inject("databasePrefix"), process.env.VITEST_POOL_ID ?? "1"));
}

export function connect<T = DB>(url: string): Kysely<T> {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  // Tests drop databases "with (force)", which terminates idle connections of
  // pools that are already done; without a listener that is an uncaught error.
  pool.on("error", () => {});
  return new Kysely<T>({ dialect: new PostgresDialect({ pool }) });
}

/** Creates `name` as a fresh copy of `template` (or empty), dropping any old one. */
export async function recreateDatabase(admin: Kysely<unknown>, name: string, template?: string): Promise<void> {
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  if (template) await sql`create database ${sql.id(name)} template ${sql.id(template)}`.execute(admin);
  else await sql`create database ${sql.id(name)}`.execute(admin);
}

/** Empties every application table (not the migration bookkeeping) between tests. */
export async function truncateAll(db: Kysely<any>): Promise<void> {
  const tables = await sql<{ name: string }>`
    select tablename as name from pg_tables
    where schemaname = 'public' and tablename not like 'kysely_%'`.execute(db);
  if (tables.rows.length === 0) return;
  await sql`truncate ${sql.join(tables.rows.map((t) => sql.id(t.name)))} restart identity cascade`.execute(db);
}
