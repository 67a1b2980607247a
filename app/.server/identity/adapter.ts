// oidc-provider's storage: one Kysely table for every artifact it keeps (codes,
// tokens, grants, its own sessions, interactions), so every replica sees the
// same state, on PostgreSQL and on the embedded PGlite alike. Clients are not
// stored here: they are our oauth_app rows, read through findClient.
import { sql } from "kysely";
import type { Adapter, AdapterPayload } from "oidc-provider";
import type { Database } from "../db";
import { findClientMetadata } from "./apps";
import { deleteInBatches } from "../jobs/batched-delete";

export function createAdapterFactory(db: Database) {
  return (kind: string): Adapter => (kind === "Client" ? new ClientAdapter(db) : new PayloadAdapter(db, kind));
}

class PayloadAdapter implements Adapter {
  constructor(
    private readonly db: Database,
    private readonly kind: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const now = new Date();
    const expiresAt = expiresIn ? new Date(now.getTime() + expiresIn * 1000) : null;
    const row = {
      kind: this.kind,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      account_id: payload.accountId ?? null,
      client_id: payload.clientId ?? null,
      expires_at: expiresAt,
      updated_at: now,
    };
    await this.db
      .insertInto("oidc_payload")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["kind", "id"]).doUpdateSet({
          payload: row.payload,
          grant_id: row.grant_id,
          user_code: row.user_code,
          uid: row.uid,
          account_id: row.account_id,
          client_id: row.client_id,
          expires_at: row.expires_at,
          updated_at: now,
        }),
      )
      .execute();
  }

  find(id: string) {
    return this.findBy("id", id);
  }

  findByUid(uid: string) {
    return this.findBy("uid", uid);
  }

  findByUserCode(userCode: string) {
    return this.findBy("user_code", userCode);
  }

  private async findBy(column: "id" | "uid" | "user_code", value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom("oidc_payload")
      .select(["payload", "consumed_at"])
      .where("kind", "=", this.kind)
      .where(column, "=", value)
      .executeTakeFirst();
    // Expiry is the provider's to judge (it reads `exp` in the payload), so it
    // can tell "expired" from "unknown"; the clean-up job deletes the rows later.
    if (!row) return undefined;
    return { ...(row.payload as AdapterPayload), ...(row.consumed_at ? { consumed: Math.floor(row.consumed_at.getTime() / 1000) } : {}) };
  }

  async consume(id: string): Promise<void> {
    await this.db.updateTable("oidc_payload").set({ consumed_at: new Date() }).where("kind", "=", this.kind).where("id", "=", id).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom("oidc_payload").where("kind", "=", this.kind).where("id", "=", id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom("oidc_payload").where("kind", "=", this.kind).where("grant_id", "=", grantId).execute();
  }
}

// Apps are registered by operators (/admin/apps, npm run admin:app), never by
// dynamic registration, so this adapter only reads.
class ClientAdapter implements Adapter {
  constructor(private readonly db: Database) {}
  async find(id: string) {
    return (await findClientMetadata(this.db, id)) as AdapterPayload | undefined;
  }
  async upsert(): Promise<void> {
    throw new Error("clients are managed in oauth_app, not through the provider");
  }
  async findByUid() {
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume() {}
  async destroy() {}
  async revokeByGrantId() {}
}

/** The clean-up job's part: artifacts past their expiry are dead weight. */
export async function deleteExpiredOidcPayloads(db: Database, now = new Date()): Promise<number> {
  return deleteInBatches(db, "oidc_payload", sql`expires_at <= ${now}`);
}
