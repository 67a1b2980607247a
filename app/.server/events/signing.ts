// Standard Webhooks signatures, made by the specification's own library, so
// what we send is what every receiver's `Webhook.verify` accepts.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** A new endpoint secret: `whsec_` and 24 random bytes in base64 (as the specification suggests). */
export function newEndpointSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** The message id receivers dedupe on: one per event, the same on every attempt and every endpoint. */
export const webhookId = (eventId: string) => `msg_${eventId.replaceAll("-", "")}`;

/**
 * The three headers for one attempt. With two secrets (a rotation's overlap)
 * the signature header holds both signatures, space-separated: a receiver
 * that still has the old secret, or already has the new one, verifies.
 */
export function signatureHeaders(input: { id: string; body: string; at: Date; secrets: string[] }): Record<string, string> {
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.at, input.body));
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(Math.floor(input.at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
