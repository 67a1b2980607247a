// What a login or recovery request leaves for the worker. A failed login for a
// real account writes one audit row per org; a reset for a real account stores
// a token and renders an email. Done while answering, that work told an
// attacker which addresses have accounts (10–43% slower answers). Instead every
// such request, for a known address or not, writes this one row, and the
// worker (deferred-work-worker.ts) finds out later whether there is anything to do.
import type { DeferredAccountWorkKind } from "../../../db/schema";
import type { Database } from "../db";

export async function deferAccountWork(db: Database, input: { kind: DeferredAccountWorkKind; email: string; ip: string | null; at: Date }): Promise<void> {
  await db.insertInto("deferred_account_work").values({ kind: input.kind, email: input.email, ip: input.ip, requested_at: input.at, not_before: input.at }).execute();
}
