// The apps (OAuth clients) operators register. A confidential app's secret is
// shown once and stored as SHA-256 only; oidc-provider compares it through
// compareClientSecret, which provider.ts points at hashesEqual (ADR 0017).
import { createHash, timingSafeEqual } from "node:crypto";
import type { Database } from "../db";
import { generateSecret } from "../tokens";
import { GRANT_TYPE_URNS, type AppGrant, type ValidAppInput } from "../../utils/oauth-app-schema";

export type AppSummary = {
  clientId: string;
  name: string;
  type: "web" | "native" | "service";
  redirectUris: string[];
  grants: string[];
  scopes: string[];
  resources: string[];
  trusted: boolean;
  confidential: boolean;
  createdAt: Date;
};

export function hashClientSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function clientSecretMatches(storedHash: string | undefined, presented: string): boolean {
  if (!storedHash) return false;
  const expected = Buffer.from(storedHash, "hex");
  const actual = createHash("sha256").update(presented).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Creates an app; the secret (confidential apps only) is in the answer and nowhere else. */
export async function createApp(db: Database, input: ValidAppInput): Promise<{ clientId: string; clientSecret: string | null }> {
  const clientId = `app_${generateSecret(10)}`;
  const confidential = input.type !== "native";
  const clientSecret = confidential ? `gcs_${generateSecret(32)}` : null;
  await db
    .insertInto("oauth_app")
    .values({
      client_id: clientId,
      name: input.name,
      type: input.type,
      redirect_uris: JSON.stringify(input.redirectUris),
      grant_types: JSON.stringify([...new Set(input.grants)]),
      scopes: JSON.stringify([...new Set(input.scopes)]),
      resources: JSON.stringify([...new Set(input.resources)]),
      trusted: input.trusted,
      secret_hash: clientSecret ? hashClientSecret(clientSecret) : null,
    })
    .execute();
  return { clientId, clientSecret };
}

export async function listApps(db: Database): Promise<AppSummary[]> {
  const rows = await db.selectFrom("oauth_app").select(["client_id", "name", "type", "redirect_uris", "grant_types", "scopes", "resources", "trusted", "secret_hash", "created_at"]).orderBy("created_at", "desc").execute();
  return rows.map(toSummary);
}

export async function findApp(db: Database, clientId: string): Promise<AppSummary | undefined> {
  const row = await db
    .selectFrom("oauth_app")
    .select(["client_id", "name", "type", "redirect_uris", "grant_types", "scopes", "resources", "trusted", "secret_hash", "created_at"])
    .where("client_id", "=", clientId)
    .executeTakeFirst();
  return row ? toSummary(row) : undefined;
}

/** Deleting an app ends everything issued to it. */
export async function deleteApp(db: Database, clientId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await tx.deleteFrom("oidc_payload").where("client_id", "=", clientId).execute();
    const deleted = await tx.deleteFrom("oauth_app").where("client_id", "=", clientId).executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  });
}

function toSummary(row: {
  client_id: string;
  name: string;
  type: "web" | "native" | "service";
  redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  resources: string[];
  trusted: boolean;
  secret_hash: string | null;
  created_at: Date;
}): AppSummary {
  return {
    clientId: row.client_id,
    name: row.name,
    type: row.type,
    redirectUris: row.redirect_uris,
    grants: row.grant_types,
    scopes: row.scopes,
    resources: row.resources,
    trusted: row.trusted,
    confidential: row.secret_hash !== null,
    createdAt: row.created_at,
  };
}

/** The app as oidc-provider's client metadata (the Client adapter's find). */
export async function findClientMetadata(db: Database, clientId: string): Promise<Record<string, unknown> | undefined> {
  if (clientId.length > 100) return undefined;
  const row = await db
    .selectFrom("oauth_app")
    .select(["client_id", "name", "type", "redirect_uris", "grant_types", "scopes", "trusted", "secret_hash"])
    .where("client_id", "=", clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const grants = row.grant_types as AppGrant[];
  return {
    client_id: row.client_id,
    client_name: row.name,
    // The stored hash stands in for the secret: compareClientSecret hashes what is presented.
    ...(row.secret_hash ? { client_secret: row.secret_hash, token_endpoint_auth_method: "client_secret_basic" } : { token_endpoint_auth_method: "none" }),
    application_type: row.type === "native" ? "native" : "web",
    grant_types: grants.map((grant) => GRANT_TYPE_URNS[grant]),
    response_types: grants.includes("authorization_code") ? ["code"] : [],
    redirect_uris: row.redirect_uris,
    scope: row.scopes.join(" "),
    gatehouse_trusted: row.trusted,
  };
}
