// `npm run admin:sso -- create (--org SLUG | --instance) --type oidc --issuer URL
//  --client-id ID --client-secret SECRET [--scopes "openid email profile"]
//  [--domain D ...] [--name NAME] [--default-role member|admin] [--enable]`
// or `--type saml --metadata-file PATH [--domain D ...]`. Prints the connection
// as JSON, with the URLs to give the IdP. Domains named here by the operator
// count as verified and route to the new connection. A connection made here is
// off until it passes a test at its settings page, unless --enable says the
// operator takes that on themselves (provisioning as code).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Database } from "../db";
import type { CliResult } from "../identity/admin-cli";
import { createOidcConnection, createSamlConnection, type SsoConnection } from "./connections";
import { claimSsoDomain, normalizeDomain } from "./domains";
import { samlMetadataParser } from "./saml-settings";
import { parseOidcForm, parseSamlForm } from "./settings-form";
import { ssoUrls } from "./urls";

const USAGE =
  "usage: npm run admin:sso -- create (--org SLUG | --instance) --type oidc --issuer URL --client-id ID --client-secret SECRET [--domain D ...]  |  create (--org SLUG | --instance) --type saml --metadata-file PATH [--domain D ...]";

export async function runSsoCommand(db: Database, args: string[]): Promise<CliResult> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "create") return { exitCode: 2, output: { error: USAGE } };
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        org: { type: "string" },
        instance: { type: "boolean", default: false },
        type: { type: "string" },
        name: { type: "string" },
        issuer: { type: "string" },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        scopes: { type: "string" },
        "metadata-file": { type: "string" },
        domain: { type: "string", multiple: true, default: [] },
        "default-role": { type: "string", default: "member" },
        enable: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    return { exitCode: 2, output: { error: (error as Error).message } };
  }
  if (Boolean(values.org) === values.instance) return { exitCode: 2, output: { error: "give exactly one of --org SLUG or --instance" } };
  if (values["default-role"] !== "member" && values["default-role"] !== "admin") return { exitCode: 2, output: { error: "--default-role must be member or admin" } };
  const defaultRole = values["default-role"];
  const domains: string[] = [];
  for (const raw of values.domain) {
    const domain = normalizeDomain(raw);
    if (!domain) return { exitCode: 2, output: { error: `--domain ${raw}: not a domain name such as example.com` } };
    domains.push(domain);
  }

  let orgId: string | null = null;
  if (values.org) {
    const org = await db.selectFrom("org").select("id").where("slug", "=", values.org).executeTakeFirst();
    if (!org) return { exitCode: 1, output: { error: `no organization has the address ${values.org}` } };
    orgId = org.id;
  }
  const taken = domains.length > 0 ? await db.selectFrom("sso_domain").select("domain").where("domain", "in", domains).execute() : [];
  if (taken.length > 0) return { exitCode: 1, output: { error: `already claimed: ${taken.map((row) => row.domain).join(", ")}` } };

  let connection: SsoConnection;
  if (values.type === "oidc") {
    const parsed = parseOidcForm({ name: values.name ?? "SSO", defaultRole, issuer: values.issuer, clientId: values["client-id"] ?? "", clientSecret: values["client-secret"], scopes: values.scopes }, true);
    if (!values["client-id"]) return { exitCode: 2, output: { error: "--client-id is required for --type oidc" } };
    if (!parsed.ok) return { exitCode: 2, output: { error: "invalid connection", problems: Object.entries(parsed.fieldErrors).map(([field, message]) => `${field}: ${message}`) } };
    connection = await createOidcConnection(db, orgId, { ...parsed.settings, clientSecret: parsed.settings.clientSecret! });
  } else if (values.type === "saml") {
    if (!values["metadata-file"]) return { exitCode: 2, output: { error: "--metadata-file is required for --type saml" } };
    let xml: string;
    try {
      xml = readFileSync(values["metadata-file"], "utf8");
    } catch (error) {
      return { exitCode: 1, output: { error: `cannot read ${values["metadata-file"]}: ${(error as Error).message}` } };
    }
    const parsed = parseSamlForm({ name: values.name ?? "SSO", defaultRole, metadataXml: xml }, samlMetadataParser());
    if (!parsed.ok) return { exitCode: 2, output: { error: "invalid connection", problems: Object.entries(parsed.fieldErrors).map(([field, message]) => `${field}: ${message}`) } };
    connection = await createSamlConnection(db, orgId, parsed.settings);
  } else {
    return { exitCode: 2, output: { error: "--type must be oidc or saml" } };
  }
  for (const domain of domains) await claimSsoDomain(db, { orgId, domain, connectionId: connection.id, verified: true });
  if (values.enable) await db.updateTable("sso_connection").set({ enabled: true }).where("id", "=", connection.id).execute();

  const urls = ssoUrls(connection.id);
  return {
    exitCode: 0,
    output: {
      id: connection.id,
      type: connection.kind,
      name: connection.name,
      org: values.org ?? null,
      enabled: values.enable,
      domains,
      ...(connection.kind === "oidc" ? { redirect_uri: urls.oidcRedirectUri } : { acs_url: urls.samlAcsUrl, sp_entity_id: urls.samlEntityId, sp_metadata_url: urls.samlMetadataUrl }),
      note: values.enable ? "On: addresses on its domains sign in through it now." : "Off until an admin runs Test connection at its settings page and switches it on (or create it again with --enable).",
    },
  };
}
