import { getEnv } from "../../env";
import type { RelyingParty } from "./passkeys";

/** Passkeys belong to PUBLIC_URL's host: a passkey made here works nowhere else, and no other site's works here. */
export function relyingParty(): RelyingParty {
  const env = getEnv();
  return { id: env.PUBLIC_URL.hostname, name: env.PRODUCT_NAME, origin: env.PUBLIC_URL.origin };
}
