// `npm run admin:app -- create --name NAME [--redirect-uri URI ...] [--public]
//  [--grant G ...] [--scope S ...] [--resource URI ...] [--type web|native|service] [--trusted]`
// and `npm run admin:rotate-keys`: both print JSON, for installs provisioned as code.
import { parseArgs } from "node:util";
import type { Database } from "../db";
import type { Env } from "../env";
import { AppInputSchema } from "../../utils/oauth-app-schema";
import { createApp } from "./apps";
import { rotateSigningKey } from "./keys";

export type CliResult = { exitCode: number; output: unknown };

export async function runAppCommand(db: Database, env: Env, args: string[]): Promise<CliResult> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "create") return { exitCode: 2, output: { error: "usage: npm run admin:app -- create --name NAME [--redirect-uri URI ...] [--public] [--grant G ...]" } };
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        name: { type: "string" },
        type: { type: "string" },
        public: { type: "boolean", default: false },
        trusted: { type: "boolean", default: false },
        "redirect-uri": { type: "string", multiple: true, default: [] },
        grant: { type: "string", multiple: true, default: [] },
        scope: { type: "string", multiple: true, default: [] },
        resource: { type: "string", multiple: true, default: [] },
      },
      strict: true,
    }));
  } catch (error) {
    return { exitCode: 2, output: { error: (error as Error).message } };
  }
  const type = values.public ? "native" : (values.type ?? "web");
  const grants = values.grant.length > 0 ? values.grant : type === "service" ? ["client_credentials"] : ["authorization_code", "refresh_token"];
  const parsed = AppInputSchema.safeParse({
    name: values.name ?? "",
    type,
    redirectUris: values["redirect-uri"],
    grants,
    ...(values.scope.length > 0 ? { scopes: values.scope } : {}),
    resources: values.resource,
    trusted: values.trusted,
  });
  if (!parsed.success) return { exitCode: 2, output: { error: "invalid app", problems: parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "app")}: ${issue.message}`) } };
  const { clientId, clientSecret } = await createApp(db, parsed.data);
  return {
    exitCode: 0,
    output: {
      client_id: clientId,
      // Printed this once; only its SHA-256 is stored.
      client_secret: clientSecret,
      name: parsed.data.name,
      type: parsed.data.type,
      redirect_uris: parsed.data.redirectUris,
      grants: parsed.data.grants,
      scopes: parsed.data.scopes,
      resources: parsed.data.resources,
      trusted: parsed.data.trusted,
      issuer: env.PUBLIC_URL.origin,
      discovery: new URL("/.well-known/openid-configuration", env.PUBLIC_URL).href,
    },
  };
}

export async function runRotateKeysCommand(db: Database): Promise<CliResult> {
  const rotated = await rotateSigningKey(db);
  return {
    exitCode: 0,
    output: {
      new_kid: rotated.newKid,
      retired_kids: rotated.retiredKids,
      deleted_kids: rotated.deletedKids,
      note: "Every replica publishes the new key in its JWKS within a minute; each signs with it from its next start (restart them). Retired keys keep verifying for 24 hours.",
    },
  };
}
