// The event endpoint pages over HTTP, against the production build: an org's
// /orgs/:slug/webhooks for its admins, the instance's /admin/events for
// operators, the erased account's "were the apps told" page. Secrets appear
// once, in an answer no cache keeps; bad URLs get a 400 that says why;
// deleting and rotating do nothing without confirm=yes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";
import { userDeleted } from "../../app/.server/events/domain-events";
import { createEndpoint } from "../../app/.server/events/endpoints";
import { fanOutEvents } from "../../app/.server/events/fanout";
import { auditEventsOf, createTestOrg, type TestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let selfHosted: ServerProcess;
let hosted: ServerProcess;
beforeAll(async () => {
  await truncateAll(db);
  [selfHosted, hosted] = await Promise.all([
    startServer({ DATABASE_URL: workerDatabaseUrl(), GATEHOUSE_MODE: "self-hosted" }),
    startServer({ DATABASE_URL: workerDatabaseUrl(), GATEHOUSE_MODE: "hosted", OPERATOR_NAME: "Acme Hosting Ltd", OPERATOR_EMAIL: "privacy@acme.example" }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([selfHosted?.stop(), hosted?.stop()]);
  await db.destroy();
});
beforeEach(() => truncateAll(db));

const { get, post } = pageRequests(() => selfHosted);
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'").replaceAll("&quot;", '"');

type World = { org: TestOrg; operator: TestUser; cookies: { owner: string; member: string; operator: string } };

async function world(): Promise<World> {
  const owner = await createUser(db, { email: "owner@example.com" });
  const member = await createUser(db, { email: "member@example.com" });
  const operator = await createUser(db, { email: "op@example.com" });
  await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
  const org = await createTestOrg(db, { slug: "acme", name: "Acme", owner, members: [{ user: member, role: "member" }] });
  return { org, operator, cookies: { owner: await sessionCookieFor(db, owner), member: await sessionCookieFor(db, member), operator: await sessionCookieFor(db, operator) } };
}

/** A form post with repeated fields (the event checkboxes), as a browser sends it. */
function postForm(server: ServerProcess, path: string, fields: Record<string, string | string[]>, cookie: string) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
  return fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookie }, body, redirect: "manual" });
}
const createForm = (fields: Record<string, string | string[]>) => ({ intent: "create", description: "", eventTypes: ["", "member.added", "audit.event"], formToken: newFormToken(), ...fields });
const endpoints = () => db.selectFrom("webhook_endpoint").select(["id", "org_id", "url", "secret_ciphertext", "event_types"]).orderBy("created_at").execute();

describe("an org's webhooks page", () => {
  it("lets an admin add an endpoint, shows its secret once in an answer no cache keeps, and records it in the audit history", async () => {
    const w = await world();
    expect((await get("/orgs/acme/webhooks", w.cookies.owner)).status).toBe(200);
    const fields = createForm({ url: "http://siem.corp.internal/collect", description: "SIEM" });
    const response = await postForm(selfHosted, "/orgs/acme/webhooks?intent=create", fields, w.cookies.owner);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const page = await pageText(response);
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(page)?.[0];
    expect(secret).toBeDefined();
    const [row] = await endpoints();
    expect(row).toMatchObject({ org_id: w.org.id, url: "http://siem.corp.internal/collect", event_types: ["member.added", "audit.event"] });
    expect(row!.secret_ciphertext).not.toContain(secret!.slice(6));
    expect((await auditEventsOf(db, w.org.id)).map((e) => e.action)).toContain("webhook.created");
    // The page afterwards lists it, without the secret.
    const later = await pageText(await get("/orgs/acme/webhooks", w.cookies.owner));
    expect(later).toContain("http://siem.corp.internal/collect");
    expect(later).not.toContain(secret!);
    // The same form sent again creates nothing more.
    expect(await pageText(await postForm(selfHosted, "/orgs/acme/webhooks?intent=create", fields, w.cookies.owner))).toContain("That form was already sent");
    expect(await endpoints()).toHaveLength(1);
  });

  it("is for the org's admins only", async () => {
    const w = await world();
    expect((await get("/orgs/acme/webhooks", w.cookies.member)).status).toBe(403);
    expect((await postForm(selfHosted, "/orgs/acme/webhooks?intent=create", createForm({ url: "https://example.com/x" }), w.cookies.member)).status).toBe(403);
    expect(await endpoints()).toHaveLength(0);
  });

  it("answers bad input with a 400 that says what is wrong, and stores nothing", async () => {
    const w = await world();
    const cases: Array<[Record<string, string | string[]>, RegExp]> = [
      [{ url: "ftp://example.com/x" }, /must start with https:\/\//],
      [{ url: "https://user:pass@example.com/x" }, /may not hold a user name or password/],
      [{ url: `https://example.com/${"a".repeat(2100)}` }, /too long: at most 2000 characters/],
      [{ url: "not a url" }, /That is not a URL/],
      [{ url: "https://example.com/x", eventTypes: [""] }, /Choose at least one event/],
      [{ url: "https://example.com/x", eventTypes: ["", "user.created"] }, /cannot receive: user\.created/],
    ];
    for (const [fields, message] of cases) {
      const response = await postForm(selfHosted, "/orgs/acme/webhooks?intent=create", createForm(fields), w.cookies.owner);
      expect(response.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(await pageText(response)).toMatch(message);
    }
    expect(await endpoints()).toHaveLength(0);
  });

  it("deletes and rotates only with confirm=yes; rotating shows the new secret once", async () => {
    const w = await world();
    const { id } = await createEndpoint(db, { orgId: w.org.id, url: "https://example.com/x", description: "", eventTypes: ["audit.event"], createdBy: null, audit: null });
    const before = await endpoints();
    for (const intent of ["delete", "rotate"]) {
      for (const confirm of [undefined, "no"]) {
        const response = await post(`/orgs/acme/webhooks?intent=${intent}`, { intent, endpointId: id, ...(confirm ? { confirm } : {}) }, w.cookies.owner);
        expect(response.status).toBe(400);
        expect(await pageText(response)).toContain("Please confirm this action first. Nothing was changed.");
      }
    }
    expect(await endpoints()).toEqual(before);
    // Without JavaScript, the trigger is a link to the confirmation step.
    expect(await pageText(await get(`/orgs/acme/webhooks?confirm=rotate-${id}`, w.cookies.owner))).toContain('action="/orgs/acme/webhooks?intent=rotate"');

    const rotated = await post("/orgs/acme/webhooks?intent=rotate", { intent: "rotate", endpointId: id, confirm: "yes" }, w.cookies.owner);
    expect(rotated.status).toBe(200);
    expect(await pageText(rotated)).toMatch(/whsec_[A-Za-z0-9+/=]+[\s\S]*signed with both the old and the new secret/);
    expect((await endpoints())[0]!.secret_ciphertext).not.toBe(before[0]!.secret_ciphertext);
    expect((await post("/orgs/acme/webhooks?intent=delete", { intent: "delete", endpointId: id, confirm: "yes" }, w.cookies.owner)).status).toBe(200);
    expect(await endpoints()).toHaveLength(0);
    // Another org's endpoint is not found from here.
    const other = await createTestOrg(db, { slug: "other" });
    const theirs = await createEndpoint(db, { orgId: other.id, url: "https://example.com/y", description: "", eventTypes: ["audit.event"], createdBy: null, audit: null });
    expect((await post("/orgs/acme/webhooks?intent=delete", { intent: "delete", endpointId: theirs.id, confirm: "yes" }, w.cookies.owner)).status).toBe(404);
  });

  it("resends a delivery from the log, with the same event", async () => {
    const w = await world();
    const { id } = await createEndpoint(db, { orgId: w.org.id, url: "https://example.com/x", description: "", eventTypes: ["audit.event"], createdBy: null, audit: null });
    await post("/orgs/acme/settings", { intent: "rename", name: "Acme Space" }, w.cookies.owner);
    await fanOutEvents(db);
    const delivery = await db.updateTable("webhook_delivery").set({ status: "failed", attempts: 10, last_status_code: 500 }).where("endpoint_id", "=", id).returning("id").executeTakeFirstOrThrow();
    const page = await pageText(await get("/orgs/acme/webhooks", w.cookies.owner));
    expect(page).toContain("audit.event");
    expect(page).toMatch(/Failed[\s\S]*500/);
    expect((await post("/orgs/acme/webhooks?intent=resend", { intent: "resend", deliveryId: delivery.id }, w.cookies.owner)).status).toBe(200);
    expect(await db.selectFrom("webhook_delivery").select(["status", "attempts"]).where("id", "=", delivery.id).executeTakeFirstOrThrow()).toEqual({ status: "pending", attempts: 0 });
    // Once on its way, it cannot be resent again.
    expect((await post("/orgs/acme/webhooks?intent=resend", { intent: "resend", deliveryId: delivery.id }, w.cookies.owner)).status).toBe(409);
  });
});

describe("hosted mode", () => {
  it("refuses an endpoint on a private, loopback or link-local address with a 400 that says why", async () => {
    const w = await world();
    for (const url of ["http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://169.254.169.254/latest", "http://10.0.0.7/in"]) {
      const response = await postForm(hosted, "/admin/events?intent=create", createForm({ url, eventTypes: ["", "user.deleted"] }), w.cookies.operator);
      expect(response.status, url).toBe(400);
      expect(await pageText(response)).toContain("points to a private, loopback or link-local address, which this hosted service may not call");
    }
    expect(await endpoints()).toHaveLength(0);
  });
});

describe("the operators' events page", () => {
  it("is for operators only, and adds an instance endpoint", async () => {
    const w = await world();
    expect((await get("/admin/events", w.cookies.owner)).status).toBe(404);
    expect((await get("/admin/events", w.cookies.operator)).status).toBe(200);
    const response = await postForm(selfHosted, "/admin/events?intent=create", createForm({ url: "http://127.0.0.1:9/hooks", eventTypes: ["", "user.created", "user.deleted"] }), w.cookies.operator);
    expect(response.status).toBe(200);
    expect(await pageText(response)).toMatch(/whsec_/);
    expect(await endpoints()).toEqual([expect.objectContaining({ org_id: null, event_types: ["user.created", "user.deleted"] })]);
  });

  it("shows, for an erased account, whether each app received user.deleted", async () => {
    const w = await world();
    await createEndpoint(db, { orgId: null, url: "https://apps.example.com/hooks", description: "", eventTypes: ["user.deleted"], createdBy: null, audit: null });
    const goneId = crypto.randomUUID();
    await userDeleted(db, goneId);
    // The account's own address leads there once it is gone.
    const redirected = await get(`/admin/users/${goneId}`, w.cookies.operator);
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get("location")).toBe(`/admin/users/erased/${goneId}`);
    await fanOutEvents(db);
    await db.updateTable("webhook_delivery").set({ status: "delivered", attempts: 1, delivered_at: new Date() }).execute();
    const page = await pageText(await get(`/admin/users/erased/${goneId}`, w.cookies.operator));
    expect(page).toContain("https://apps.example.com/hooks");
    expect(page).toContain("Every connected app has been told");
    expect((await get(`/admin/users/erased/${crypto.randomUUID()}`, w.cookies.operator)).status).toBe(404);
    expect((await get(`/admin/users/erased/${goneId}`, w.cookies.owner)).status).toBe(404);
  });
});
