// Receiving webhooks: the signature is checked over the exact raw bytes, in
// constant time, after the size and before anything is parsed or stored.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { signWebhook, TEST_WEBHOOK_SECRET } from "../../../test/fakes/lemonsqueezy";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { signBody, verifySignature } from "./signature";
import { MAX_WEBHOOK_BYTES, receiveWebhook } from "./webhooks";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const event = { meta: { event_name: "subscription_updated", webhook_id: "wh-1", custom_data: { org_id: "x" } }, data: { type: "subscriptions", id: "77", attributes: { status: "active" } } };
const body = JSON.stringify(event);
const receive = (raw: string | Buffer, signature: string | null) => receiveWebhook(db, { rawBody: Buffer.from(raw), signature, secret: TEST_WEBHOOK_SECRET });
const stored = async () => (await db.selectFrom("webhook_event").select("id").execute()).length;

describe("verifySignature", () => {
  const bytes = Buffer.from(body);
  const good = signBody(bytes, TEST_WEBHOOK_SECRET);

  it("accepts the hex HMAC-SHA256 of the raw body, in either case", () => {
    expect(verifySignature(bytes, good, TEST_WEBHOOK_SECRET)).toBe(true);
    expect(verifySignature(bytes, good.toUpperCase(), TEST_WEBHOOK_SECRET)).toBe(true);
  });

  it("refuses, without throwing, every header that is not exactly that", () => {
    const forged = signBody(bytes, "another-secret");
    for (const header of [null, "", "abc", good.slice(0, 63), `${good}00`, `sha256=${good}`, "z".repeat(64), forged, " ".repeat(64)]) {
      expect(verifySignature(bytes, header, TEST_WEBHOOK_SECRET), String(header)).toBe(false);
    }
  });
});

describe("receiveWebhook", () => {
  it("stores a verified event and answers 200", async () => {
    const result = await receive(body, signWebhook(body));
    expect(result).toEqual({ status: 200, body: { ok: true, duplicate: false, id: expect.any(String) } });
    const row = await db.selectFrom("webhook_event").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: "lemonsqueezy", dedupe_key: "wh-1", event_name: "subscription_updated", body, resource_type: "subscriptions", resource_id: "77", status: "pending", deliveries: 1 });
  });

  it("answers 401 to forged, missing and short signatures, and stores nothing", async () => {
    for (const signature of [signWebhook(body, "not-the-secret"), null, "", "deadbeef", signWebhook(body).slice(0, 40)]) {
      expect((await receive(body, signature)).status).toBe(401);
    }
    expect(await stored()).toBe(0);
  });

  it("answers 401 to the same JSON re-serialized, even with the original signature", async () => {
    const signature = signWebhook(body);
    const reformatted = JSON.stringify(event, null, 2);
    const reordered = JSON.stringify({ data: event.data, meta: event.meta });
    const escaped = body.replace("subscription_updated", "subscription\\u005fupdated");
    for (const variant of [reformatted, reordered, escaped, `${body}\n`]) {
      expect(JSON.parse(variant)).toEqual(event);
      expect((await receive(variant, signature)).status).toBe(401);
    }
    expect(await stored()).toBe(0);
  });

  it("answers 413 to an oversized body before hashing it", async () => {
    const big = Buffer.alloc(MAX_WEBHOOK_BYTES + 1, "a");
    expect((await receive(big, signWebhook(big))).status).toBe(413);
  });

  it("answers 400 to signed bodies that are not LemonSqueezy events", async () => {
    const bodies = [
      "{not json",
      "",
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // not UTF-8
      JSON.stringify([1, 2, 3]),
      JSON.stringify({ meta: {} }),
      JSON.stringify({ meta: { event_name: "Robert'); DROP TABLE" } }),
      JSON.stringify({ data: { type: "subscriptions", id: "1" } }),
    ];
    for (const raw of bodies) {
      const result = await receive(raw, signWebhook(raw));
      expect(result.status, String(raw)).toBe(400);
    }
    expect(await stored()).toBe(0);
  });

  it("stores invoice events under their subscription, which they name in attributes", async () => {
    const invoice = JSON.stringify({ meta: { event_name: "subscription_payment_failed", webhook_id: "wh-2" }, data: { type: "subscription-invoices", id: "900", attributes: { subscription_id: 77 } } });
    expect((await receive(invoice, signWebhook(invoice))).status).toBe(200);
    const row = await db.selectFrom("webhook_event").select(["resource_type", "resource_id"]).executeTakeFirstOrThrow();
    expect(row).toEqual({ resource_type: "subscriptions", resource_id: "77" });
  });
});
