// The SAML library's metadata reader (sso/saml/), in the shape the settings
// forms and the CLI take: a problem comes back as a thrown sentence for the admin.
import { parseIdpMetadata } from "./saml";
import type { IdpMetadata } from "./settings-form";

export function samlMetadataParser(): (xml: string) => IdpMetadata {
  return (xml) => {
    const parsed = parseIdpMetadata(xml);
    if (!parsed.ok) throw new Error(parsed.message);
    return { entityId: parsed.entityId, ssoUrl: parsed.ssoUrl, certificates: parsed.certificates };
  };
}
