// Liveness and readiness for load balancers and orchestrators. Readiness asks the
// database, with a short timeout, whether it answers and has every migration.
import type { Request, Response } from "express";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db";
import { pendingMigrations } from "../database/migrate";

const READINESS_TIMEOUT_MS = 2_000;

export function healthz(_req: Request, res: Response) {
  res.set("Cache-Control", "no-store").json({ status: "ok" });
}

export function readyz(db: Database, logger: Logger) {
  return async (_req: Request, res: Response) => {
    res.set("Cache-Control", "no-store");
    try {
      const pending = await withTimeout(checkDatabase(db), READINESS_TIMEOUT_MS);
      if (pending.length > 0) {
        res.status(503).json({ status: "unavailable", database: "ok", pendingMigrations: pending });
        return;
      }
      res.json({ status: "ready", database: "ok", pendingMigrations: [] });
    } catch (error) {
      // The reason goes to the log, not to whoever asked: it can name internal hosts.
      logger.warn({ err: (error as Error).message }, "readiness check failed");
      res.status(503).json({ status: "unavailable", database: "unreachable" });
    }
  };
}

async function checkDatabase(db: Database): Promise<string[]> {
  await sql`select 1`.execute(db);
  return pendingMigrations(db);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
