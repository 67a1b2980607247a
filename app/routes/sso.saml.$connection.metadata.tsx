// /sso/saml/:connection/metadata: our service provider's metadata for one SAML
// connection, for the IdP admin to upload (its URL is also our entity id).
// Served for a connection that is not switched on yet: setting up the IdP
// comes before the test sign-in.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/.server/db";
import { findSsoConnection } from "~/.server/sso/connections";
import { samlServiceProviderMetadata } from "~/.server/sso/saml";

export async function loader({ params }: LoaderFunctionArgs) {
  const connection = await findSsoConnection(getDb(), params.connection ?? "");
  if (!connection || connection.kind !== "saml") {
    return new Response("No SAML connection has this id.\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  return new Response(samlServiceProviderMetadata(connection), {
    headers: {
      "Content-Type": "application/samlmetadata+xml; charset=utf-8",
      "Content-Disposition": `inline; filename="gatehouse-sp-metadata-${connection.id}.xml"`,
      "Cache-Control": "public, max-age=300",
    },
  });
}
