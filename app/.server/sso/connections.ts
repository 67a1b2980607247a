// Reading SSO connections: the one query both protocols (oidc/, saml/) and the
// settings pages start from. Secrets stay encrypted here; only the protocol
// code that calls the IdP decrypts them.
import type { Selectable } from "kysely";
import type { SsoConnectionTable } from "../../../db/schema";
import type { Database } from "../db";

export type SsoConnection = Selectable<SsoConnectionTable>;

/** The connection with this id, or null (also for an id that is not a uuid: it came from a URL). */
export async function findSsoConnection(db: Database, id: string): Promise<SsoConnection | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const row = await db.selectFrom("sso_connection").selectAll().where("id", "=", id).executeTakeFirst();
  return row ?? null;
}
