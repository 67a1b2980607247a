// `npm run admin:webhook -- create --url URL --events a,b [--org SLUG] [--description TEXT]`:
// creates an endpoint (the instance's, or an org's) and prints it with its
// secret, once, as JSON, for installs provisioned as code.
import { parseArgs } from "node:util";
import type { Database } from "../db";
import type { Env } from "../env";
import type { CliResult } from "../identity/admin-cli";
import { createEndpoint } from "./endpoints";
import { parseEndpointInput } from "./endpoint-input";

const USAGE = "usage: npm run admin:webhook -- create --url URL --events a,b [--org SLUG] [--description TEXT]";

export async function runWebhookCommand(db: Database, env: Env, args: string[]): Promise<CliResult> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "create") return { exitCode: 2, output: { error: USAGE } };
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: { url: { type: "string" }, events: { type: "string" }, org: { type: "string" }, description: { type: "string" } }, strict: true }));
  } catch (error) {
    return { exitCode: 2, output: { error: (error as Error).message } };
  }
  let orgId: string | null = null;
  if (values.org !== undefined) {
    const org = await db.selectFrom("org").select("id").where("slug", "=", values.org).executeTakeFirst();
    if (!org) return { exitCode: 2, output: { error: `No org has the address ${values.org}.` } };
    orgId = org.id;
  }
  const parsed = await parseEndpointInput(
    { url: values.url ?? "", description: values.description ?? "", eventTypes: (values.events ?? "").split(",").map((e) => e.trim()).filter(Boolean) },
    { orgId, hosted: env.GATEHOUSE_MODE === "hosted" },
  );
  if (!parsed.ok) return { exitCode: 2, output: { error: "invalid endpoint", problems: Object.entries(parsed.errors).map(([field, message]) => `${field}: ${message}`) } };
  const created = await createEndpoint(db, { orgId, ...parsed.value, createdBy: null, audit: null });
  return {
    exitCode: 0,
    output: {
      id: created.id,
      url: parsed.value.url,
      events: parsed.value.eventTypes,
      org: values.org ?? null,
      // Printed this once; verify deliveries with it (docs/events.md).
      secret: created.secret,
    },
  };
}
