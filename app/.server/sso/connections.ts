// SSO connections: the one query both protocols (oidc/, saml/) start from, and
// the changes the settings pages, /admin/sso and the CLI make. The OIDC client
// secret is encrypted here on the way in and never read back by these pages;
// only the protocol code that calls the IdP decrypts it.
import type { Selectable } from "kysely";
import type { SsoConnectionTable } from "../../../db/schema";
import type { Database } from "../db";
import { encryptSecret } from "../secrets";
import type { SsoCheck } from "./profile";

export type SsoConnection = Selectable<SsoConnectionTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The connection with this id, or null (also for an id that is not a uuid: it came from a URL). */
export async function findSsoConnection(db: Database, id: string): Promise<SsoConnection | null> {
  if (!UUID.test(id)) return null;
  const row = await db.selectFrom("sso_connection").selectAll().where("id", "=", id).executeTakeFirst();
  return row ?? null;
}

/** The org's connections (orgId null: the instance's), oldest first. */
export async function listSsoConnections(db: Database, orgId: string | null): Promise<SsoConnection[]> {
  const query = db.selectFrom("sso_connection").selectAll().orderBy("created_at");
  return (orgId ? query.where("org_id", "=", orgId) : query.where("org_id", "is", null)).execute();
}

/** A connection of this org (or of the instance), or null: ids from forms are checked against their owner. */
export async function findOwnSsoConnection(db: Database, orgId: string | null, id: string): Promise<SsoConnection | null> {
  const connection = await findSsoConnection(db, id);
  return connection && connection.org_id === orgId ? connection : null;
}

/** The secret's encryption context: a ciphertext copied onto another connection does not open. */
export const clientSecretContext = (connectionId: string) => `sso-oidc-client-secret:${connectionId}`;

export type OidcSettings = {
  name: string;
  defaultRole: "admin" | "member";
  issuer: string;
  /** A pasted discovery document, for an IdP this server cannot reach. */
  discovery: Record<string, unknown> | null;
  clientId: string;
  /** Null on an edit: keep the stored one. */
  clientSecret: string | null;
  scopes: string;
};

export type SamlSettings = {
  name: string;
  defaultRole: "admin" | "member";
  entityId: string;
  ssoUrl: string;
  certificate: string;
  metadataXml: string | null;
  certificateExpiresAt: Date | null;
};

export async function createOidcConnection(db: Database, orgId: string | null, settings: OidcSettings & { clientSecret: string }): Promise<SsoConnection> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("sso_connection")
      .values({ org_id: orgId, kind: "oidc", ...oidcColumns(settings) })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The id is the encryption context, so the secret goes in once the row exists.
    return tx
      .updateTable("sso_connection")
      .set({ oidc_client_secret_ciphertext: encryptSecret(settings.clientSecret, clientSecretContext(row.id)) })
      .where("id", "=", row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function createSamlConnection(db: Database, orgId: string | null, settings: SamlSettings): Promise<SsoConnection> {
  return db
    .insertInto("sso_connection")
    .values({ org_id: orgId, kind: "saml", ...samlColumns(settings) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A changed connection must be tested again before it signs anyone in: what
 * was tested is no longer what runs. So an edit switches it off and forgets
 * the last test.
 */
export async function updateOidcConnection(db: Database, connection: SsoConnection, settings: OidcSettings, now = new Date()): Promise<void> {
  await db
    .updateTable("sso_connection")
    .set({
      ...oidcColumns(settings),
      ...(settings.clientSecret ? { oidc_client_secret_ciphertext: encryptSecret(settings.clientSecret, clientSecretContext(connection.id)) } : {}),
      ...untested(now),
    })
    .where("id", "=", connection.id)
    .execute();
}

export async function updateSamlConnection(db: Database, connection: SsoConnection, settings: SamlSettings, now = new Date()): Promise<void> {
  await db
    .updateTable("sso_connection")
    .set({ ...samlColumns(settings), ...untested(now) })
    .where("id", "=", connection.id)
    .execute();
}

export async function deleteSsoConnection(db: Database, connectionId: string): Promise<boolean> {
  const result = await db.deleteFrom("sso_connection").where("id", "=", connectionId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export type TestResult = { ok: boolean; testedAt: string; checks: SsoCheck[]; claims: Record<string, unknown>; error: string | null };

export function lastTestResult(connection: Pick<SsoConnection, "last_test_result">): TestResult | null {
  return (connection.last_test_result as TestResult | null) ?? null;
}

export async function recordSsoTestResult(db: Database, connectionId: string, result: Omit<TestResult, "testedAt">, now = new Date()): Promise<void> {
  const stored: TestResult = { ...result, testedAt: now.toISOString() };
  await db
    .updateTable("sso_connection")
    .set({ last_tested_at: now, last_test_result: JSON.stringify(stored) })
    .where("id", "=", connectionId)
    .execute();
}

export type EnableResult = { ok: true } | { ok: false; reason: "not-tested" };

/** Switching on needs a passing test of the connection as it is now; switching off never waits. */
export async function setSsoConnectionEnabled(db: Database, connection: SsoConnection, enabled: boolean, now = new Date()): Promise<EnableResult> {
  if (enabled && !lastTestResult(connection)?.ok) return { ok: false, reason: "not-tested" };
  await db.updateTable("sso_connection").set({ enabled, updated_at: now }).where("id", "=", connection.id).execute();
  return { ok: true };
}

function oidcColumns(settings: OidcSettings) {
  return {
    name: settings.name,
    default_role: settings.defaultRole,
    oidc_issuer: settings.issuer,
    oidc_discovery: settings.discovery ? JSON.stringify(settings.discovery) : null,
    oidc_client_id: settings.clientId,
    oidc_scopes: settings.scopes,
  };
}

function samlColumns(settings: SamlSettings) {
  return {
    name: settings.name,
    default_role: settings.defaultRole,
    saml_idp_entity_id: settings.entityId,
    saml_idp_sso_url: settings.ssoUrl,
    saml_idp_certificate: settings.certificate,
    saml_idp_metadata_xml: settings.metadataXml,
    certificate_expires_at: settings.certificateExpiresAt,
  };
}

const untested = (now: Date) => ({ enabled: false, last_tested_at: null, last_test_result: null, updated_at: now });
