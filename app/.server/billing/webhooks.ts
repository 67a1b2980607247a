// Receiving a LemonSqueezy webhook: verify, store once, answer 200 at once.
// Applying it is the worker's job (events.ts), so a slow database write or an
// API call never makes LemonSqueezy wait, and it retries only a few times.
//
// Order of checks: size (the HTTP layer's 413, and ours below), signature over
// the exact raw bytes (401), then parsing (400). Nothing is parsed, and nothing
// stored, before the signature holds.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Database } from "../db";
import { verifySignature } from "./signature";

export const WEBHOOK_SOURCE = "lemonsqueezy";
/** LemonSqueezy's payloads are a few KiB; anything near this is not one of them. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

const Envelope = z.object({
  meta: z.object({
    event_name: z.string().regex(/^[a-z0-9_.:-]{1,100}$/, "meta.event_name must be an event name"),
    webhook_id: z.string().min(1).max(200).optional(),
  }),
  data: z
    .object({
      type: z.string().max(100).optional(),
      id: z.union([z.string().max(100), z.number()]).optional(),
      attributes: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export type ReceiveResult =
  | { status: 200; body: { ok: true; duplicate: boolean; id: string } }
  | { status: 400 | 401 | 413; body: { error: string } };

export async function receiveWebhook(db: Database, input: { rawBody: Uint8Array; signature: string | null; secret: string; now?: Date }): Promise<ReceiveResult> {
  if (input.rawBody.byteLength > MAX_WEBHOOK_BYTES) return { status: 413, body: { error: `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes.` } };
  if (!verifySignature(input.rawBody, input.signature, input.secret)) return { status: 401, body: { error: "Invalid or missing X-Signature." } };

  let text: string;
  let envelope: z.output<typeof Envelope>;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input.rawBody);
    const parsed = Envelope.safeParse(JSON.parse(text));
    if (!parsed.success) return { status: 400, body: { error: `Not a LemonSqueezy event: ${parsed.error.issues[0]?.message ?? "unexpected shape"}.` } };
    envelope = parsed.data;
  } catch {
    return { status: 400, body: { error: "The body is not valid UTF-8 JSON." } };
  }
  const dedupeKey = envelope.meta.webhook_id ?? `sha256:${createHash("sha256").update(input.rawBody).digest("hex")}`;
  const resource = resourceOf(envelope);
  const now = input.now ?? new Date();
  const row = await db
    .insertInto("webhook_event")
    .values({
      source: WEBHOOK_SOURCE,
      dedupe_key: dedupeKey,
      event_name: envelope.meta.event_name,
      body: text,
      resource_type: resource.type,
      resource_id: resource.id,
      received_at: now,
      last_received_at: now,
      next_attempt_at: now,
    })
    // A repeat delivery is counted, never stored or applied again.
    .onConflict((oc) => oc.columns(["source", "dedupe_key"]).doUpdateSet((eb) => ({ deliveries: eb("webhook_event.deliveries", "+", 1), last_received_at: now })))
    .returning(["id", "deliveries"])
    .executeTakeFirstOrThrow();
  return { status: 200, body: { ok: true, duplicate: row.deliveries > 1, id: String(row.id) } };
}

/** What the event is about, for the log and for finding a subscription's events. */
function resourceOf(envelope: z.output<typeof Envelope>): { type: string | null; id: string | null } {
  const data = envelope.data;
  if (!data?.type) return { type: null, id: null };
  // Invoice events carry their subscription in attributes, not in data.id.
  if (data.type === "subscription-invoices") {
    const subscriptionId = data.attributes?.subscription_id;
    if (typeof subscriptionId === "number" || typeof subscriptionId === "string") return { type: "subscriptions", id: String(subscriptionId).slice(0, 100) };
  }
  return { type: data.type, id: data.id === undefined ? null : String(data.id) };
}
