// Self-hosted mode has no billing: no billing route answers, nothing ever calls
// LemonSqueezy (its SDK's requests are sent to a recording fake, which must
// stay empty), and LEMONSQUEEZY_* settings are a configuration error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrgWithCheckout } from "../factories/billing";
import { createUser, sessionCookieFor } from "../factories/users";
import { FakeLemonSqueezy, lemonSqueezyServerOptions, signWebhook, TEST_BILLING_ENV } from "../fakes/lemonsqueezy";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";

const db = connect(workerDatabaseUrl());
const fake = new FakeLemonSqueezy();
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  const ls = lemonSqueezyServerOptions(await fake.start());
  // The worker runs too: a billing worker or reconciliation, if one started, would call out.
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), GATEHOUSE_MODE: "self-hosted", RUN_WORKER: "true", ...ls.env }, { nodeArgs: ls.nodeArgs });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await Promise.all([db.destroy(), fake.stop()]);
});

describe("self-hosted mode", () => {
  it("has no billing route and makes no call to LemonSqueezy", async () => {
    const owner = await createUser(db, { email: "owner@corp.example" });
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", owner.id).execute();
    const org = await createOrgWithCheckout(db, { owner });
    await db.updateTable("org").set({ plan: "enterprise", seat_limit: null }).where("id", "=", org.id).execute();
    const cookie = await sessionCookieFor(db, owner);
    const form = { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookie };

    // The owner (and operator) gets 404 where billing would be.
    expect((await fetch(`${server.url}/orgs/acme/billing`, { headers: { Cookie: cookie } })).status).toBe(404);
    expect((await fetch(`${server.url}/orgs/acme/billing?intent=upgrade`, { method: "POST", headers: form, body: "intent=upgrade&seats=5" })).status).toBe(404);
    expect((await fetch(`${server.url}/orgs/acme/billing?portal=open`, { headers: { Cookie: cookie }, redirect: "manual" })).status).toBe(404);
    expect((await fetch(`${server.url}/admin/webhooks`, { headers: { Cookie: cookie } })).status).toBe(404);
    expect((await fetch(`${server.url}/admin/webhooks?intent=reconcile`, { method: "POST", headers: form, body: "intent=reconcile" })).status).toBe(404);
    // Even a correctly signed webhook finds nothing to talk to, and nothing is stored.
    const body = JSON.stringify({ meta: { event_name: "subscription_created", webhook_id: "x", custom_data: org.customData }, data: { type: "subscriptions", id: "1", attributes: {} } });
    expect((await fetch(`${server.url}/webhooks/lemonsqueezy`, { method: "POST", headers: { "Content-Type": "application/json", "X-Signature": signWebhook(body) }, body })).status).toBe(404);
    expect(await db.selectFrom("webhook_event").select("id").execute()).toEqual([]);

    // The org pages work, without a Billing tab, and every feature is on.
    const overview = await (await fetch(`${server.url}/orgs/acme`, { headers: { Cookie: cookie } })).text();
    expect(overview).not.toContain("/orgs/acme/billing");
    expect((await fetch(`${server.url}/orgs/acme/api-keys?intent=create`, { method: "POST", headers: form, body: `intent=create&name=CI&formToken=${newFormToken()}` })).status).toBe(200);

    // Give the background work a moment: no billing worker starts, nothing calls out.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.logs.some((line) => line.msg === "background work started")).toBe(true);
    expect(server.logs.some((line) => line.msg === "billing worker started")).toBe(false);
    expect(fake.requests).toEqual([]);
  });

  it("refuses to start with LEMONSQUEEZY_* settings, naming each one", async () => {
    const refused = await startServer({ DATABASE_URL: workerDatabaseUrl(), GATEHOUSE_MODE: "self-hosted", ...TEST_BILLING_ENV }, { waitFor: "exit" });
    expect(await refused.exited).toBe(1);
    const lines = refused.stderr().trim().split("\n");
    expect(lines[0]).toBe("Gatehouse cannot start: the configuration is invalid.");
    expect(lines.slice(1).map((line) => line.trim().split(":")[0]).sort()).toEqual(["LEMONSQUEEZY_API_KEY", "LEMONSQUEEZY_STORE_ID", "LEMONSQUEEZY_TEAM_VARIANT_IDS", "LEMONSQUEEZY_WEBHOOK_SECRET"]);
    expect(refused.stderr()).toContain("is not allowed when GATEHOUSE_MODE=self-hosted");
    expect(refused.stderr()).not.toContain(TEST_BILLING_ENV.LEMONSQUEEZY_API_KEY);
    expect(refused.stderr()).not.toContain(TEST_BILLING_ENV.LEMONSQUEEZY_WEBHOOK_SECRET);
  });
});
