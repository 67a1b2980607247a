import type { ActionFunctionArgs } from "@remix-run/node";
import { billingMode } from "~/.server/billing/settings";
import { receiveWebhook } from "~/.server/billing/webhooks";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { requestStore } from "~/.server/http/request-context";
import { getLogger } from "~/.server/logger";

// POST /webhooks/lemonsqueezy: LemonSqueezy's events, verified over the exact
// raw body and stored once; the worker applies them (app/.server/billing/events.ts).
// Without billing (self-hosted, or hosted with no LEMONSQUEEZY_* settings) the
// route does not exist. CSRF does not apply: the HMAC signature is the proof.

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });

export async function loader() {
  if (billingMode(getEnv()).kind !== "on") return json(404, { error: "Not found." });
  return json(405, { error: "LemonSqueezy webhooks are POSTed here." }, { Allow: "POST" });
}

export async function action({ request }: ActionFunctionArgs) {
  const mode = billingMode(getEnv());
  if (mode.kind !== "on") return json(404, { error: "Not found." });
  if (request.method !== "POST") return json(405, { error: "LemonSqueezy webhooks are POSTed here." }, { Allow: "POST" });
  // The bytes as they arrived: the signature covers these, not a re-encoding of them.
  const rawBody = new Uint8Array(await request.arrayBuffer());
  const result = await receiveWebhook(getDb(), { rawBody, signature: request.headers.get("x-signature"), secret: mode.settings.webhookSecret });
  if (result.status !== 200) {
    const context = requestStore.getStore();
    getLogger().warn({ requestId: context?.requestId, ip: context?.clientIp, status: result.status, bytes: rawBody.byteLength, error: result.body.error }, "billing webhook refused");
  }
  return json(result.status, result.body);
}
