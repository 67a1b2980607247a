// Our SAML service provider's metadata over HTTP, against the production
// build: what an IdP admin downloads, addressed on PUBLIC_URL, and a 404 for
// anything that is not a SAML connection.
import * as samlify from "samlify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIdpMetadata } from "../../app/.server/sso/saml";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { freePort, startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;
let samlId: string;
let oidcId: string;

beforeAll(async () => {
  await truncateAll(db);
  const port = await freePort();
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  samlId = (await db.insertInto("sso_connection").values({ kind: "saml", name: "Okta" }).returning("id").executeTakeFirstOrThrow()).id;
  oidcId = (await db.insertInto("sso_connection").values({ kind: "oidc", name: "Google", oidc_issuer: "https://accounts.google.com" }).returning("id").executeTakeFirstOrThrow()).id;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

describe("GET /sso/saml/:connection/metadata", () => {
  it("serves the SP metadata an IdP can read: our entity id, ACS URL, email NameID, signed assertions wanted", async () => {
    const response = await fetch(`${server.url}/sso/saml/${samlId}/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/samlmetadata+xml; charset=utf-8");
    const xml = await response.text();
    const base = `${server.url}/sso/saml/${samlId}`;
    // A SAML library on the IdP side reads it as it is.
    const sp = samlify.ServiceProvider({ metadata: xml });
    expect(sp.entityMeta.getEntityID()).toBe(`${base}/metadata`);
    expect(sp.entityMeta.isWantAssertionsSigned()).toBe(true);
    expect(xml).toContain(`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/acs"`);
    expect(xml).toContain("<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>");
    // Pasted by mistake where the IdP's metadata goes, it is recognised.
    expect(parseIdpMetadata(xml)).toEqual({ ok: false, message: expect.stringMatching(/service provider's metadata/) });
  });

  it("answers 404 for an unknown connection, an id that is not one, and an OIDC connection", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "..%2F..%2Fetc", oidcId]) {
      const response = await fetch(`${server.url}/sso/saml/${id}/metadata`);
      expect(response.status, id).toBe(404);
      expect(await response.text()).not.toContain("EntityDescriptor");
    }
  });
});
