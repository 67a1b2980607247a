// SP-initiated sign-in: an AuthnRequest sent with the HTTP-Redirect binding.
// Its id is remembered (with an expiry) so the answer's InResponseTo can be
// matched to it, once.
import { randomBytes } from "node:crypto";
import type { Database } from "../../db";
import type { SsoConnection } from "../connections";
import { samlIdpSettings } from "./connection-settings";
import { serviceProvider } from "./service-provider";
import { rememberSamlRequest } from "./state";
import { safeRelayState } from "./urls";

export type StartSamlSignInResult =
  | { ok: true; redirectUrl: string; requestId: string; relayState: string | null }
  | { ok: false; message: string };

export async function startSamlSignIn(
  db: Database,
  connection: SsoConnection,
  options: { relayState?: string | null; now?: Date } = {},
): Promise<StartSamlSignInResult> {
  const idp = samlIdpSettings(connection);
  if (!idp.ok) return idp;
  // An id must start with a letter or underscore (xs:ID); 160 random bits.
  const requestId = `_${randomBytes(20).toString("hex")}`;
  const relayState = options.relayState ? safeRelayState(options.relayState) : null;
  await rememberSamlRequest(db, connection.id, requestId, options.now ?? new Date());
  const redirectUrl = await serviceProvider(connection, idp.settings, { requestId }).getAuthorizeUrlAsync(relayState ?? "", undefined, {});
  return { ok: true, redirectUrl, requestId, relayState };
}
