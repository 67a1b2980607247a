// Two-factor over HTTP, against the production build: the half-signed-in
// cookie opens nothing but /login/2fa, bad codes and forged passkey answers
// get a 4xx (never a 500), step-up sends a stale session to re-prove and back,
// and only operators can reset someone's two-factor.
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enrolTotp } from "../factories/mfa";
import { createTestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

// The server and this process (which enrols the factors) share the at-rest key.
process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");

const db = connect(workerDatabaseUrl());
let server: ServerProcess;
const { get, post } = pageRequests(() => server);

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SECRETS_KEY: process.env.SECRETS_KEY! });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@mfa.test`;
const cookieOf = (response: Response) => response.headers.getSetCookie()[0]!.split(";", 1)[0]!;

async function halfSignedIn(label: string) {
  const user = await createUser(db, { email: uniqueEmail(label) });
  await enrolTotp(db, user, new Date(Date.now() - 90_000));
  const answer = await post("/login", { email: user.email, password: user.password });
  expect(answer.status).toBe(302);
  expect(answer.headers.get("location")).toBe("/login/2fa");
  return { user, cookie: cookieOf(answer) };
}

describe("/login/2fa", () => {
  it("is the only page the half-signed-in cookie opens", async () => {
    const { cookie } = await halfSignedIn("only-page");
    expect((await get("/login/2fa", cookie)).status).toBe(200);
    for (const path of ["/settings", "/settings/security", "/settings/sessions", "/reauthenticate"]) {
      const answer = await get(path, cookie);
      expect(answer.status, path).toBe(302);
      expect(answer.headers.get("location"), path).toMatch(/^\/login\?redirectTo=/);
    }
  });

  it("answers every malformed, wrong or forged proof with a 4xx, never a 500", async () => {
    const { cookie } = await halfSignedIn("bad-input");
    const forged = JSON.stringify({ id: "AAAA", rawId: "AAAA", type: "public-key", clientExtensionResults: {}, response: { clientDataJSON: Buffer.from('{"challenge":"x"}').toString("base64url"), authenticatorData: "AAAA", signature: "AAAA" } });
    const cases: Array<[string, Record<string, string>, number]> = [
      ["/login/2fa?intent=totp", { intent: "totp", code: "12345" }, 400],
      ["/login/2fa?intent=totp", { intent: "totp", code: "12345678901234567890" }, 400],
      ["/login/2fa?intent=totp", { intent: "totp", code: "12a4b6" }, 400],
      ["/login/2fa?intent=totp", { intent: "totp" }, 400],
      ["/login/2fa?intent=totp", { intent: "totp", code: "000000", extra: "x" }, 400],
      ["/login/2fa?intent=recovery-code", { intent: "recovery-code", recoveryCode: "not a code!" }, 400],
      ["/login/2fa?intent=passkey", { intent: "passkey", credential: "{not json" }, 401],
      ["/login/2fa?intent=passkey", { intent: "passkey", credential: forged }, 401],
    ];
    for (const [path, fields, status] of cases) {
      const answer = await post(path, fields, cookie);
      expect(answer.status, `${path} ${JSON.stringify(fields).slice(0, 60)}`).toBe(status);
    }
    // Without the half-signed-in cookie there is nothing to complete.
    expect((await post("/login/2fa?intent=totp", { intent: "totp", code: "123456" })).status).toBe(401);
  });
});

describe("step-up", () => {
  it("sends a session signed in more than ten minutes ago to re-prove, then back to the page", async () => {
    const user = await createUser(db, { email: uniqueEmail("step-up") });
    const cookie = await sessionCookieFor(db, user);
    await db.updateTable("session").set({ authenticated_at: sql`now() - interval '11 minutes'` }).where("user_id", "=", user.id).execute();

    const change = { intent: "password", currentPassword: user.password, newPassword: "a brand new passphrase" };
    const refused = await post("/settings?index&intent=password", change, cookie);
    expect(refused.status).toBe(302);
    expect(refused.headers.get("location")).toBe("/reauthenticate?redirectTo=%2Fsettings");
    expect((await post("/settings/security?intent=totp-start", { intent: "totp-start" }, cookie)).headers.get("location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Fsecurity");
    // Handing over or deleting an org asks the same.
    const org = await createTestOrg(db, { slug: `step-up-${randomBytes(3).toString("hex")}`, owner: user });
    const back = `/reauthenticate?redirectTo=${encodeURIComponent(`/orgs/${org.slug}/settings`)}`;
    expect((await post(`/orgs/${org.slug}/settings?intent=transfer`, { intent: "transfer", newOwnerId: randomUUID(), confirm: "yes" }, cookie)).headers.get("location")).toBe(back);
    expect((await post(`/orgs/${org.slug}/settings?intent=delete`, { intent: "delete", confirm: "yes", confirmText: org.name }, cookie)).headers.get("location")).toBe(back);
    expect(await db.selectFrom("org").select("id").where("id", "=", org.id).executeTakeFirst()).toBeDefined();

    expect((await post("/reauthenticate?intent=password", { intent: "password", password: "wrong", redirectTo: "/settings" }, cookie)).status).toBe(401);
    const proven = await post("/reauthenticate?intent=password", { intent: "password", password: user.password, redirectTo: "/settings" }, cookie);
    expect(proven.status).toBe(302);
    expect(proven.headers.get("location")).toBe("/settings");
    expect((await post("/settings?index&intent=password", change, cookie)).status).toBe(200);
  });
});

describe("/admin/users/:id/mfa", () => {
  it("is a 404 for non-operators; an operator resets only after confirming", async () => {
    const { user } = await halfSignedIn("reset-target");
    const customer = await createUser(db, { email: uniqueEmail("customer") });
    const operator = await createUser(db, { email: uniqueEmail("operator") });
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
    const path = `/admin/users/${user.id}/mfa`;

    expect((await get(path, await sessionCookieFor(db, customer))).status).toBe(404);
    const opCookie = await sessionCookieFor(db, operator);
    const page = await get(path, opCookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Reset two-factor authentication");
    expect((await get(`/admin/users/not-a-uuid/mfa`, opCookie)).status).toBe(404);

    expect((await post(path, { intent: "reset-mfa" }, opCookie)).status).toBe(400);
    expect(await db.selectFrom("totp_factor").select("user_id").where("user_id", "=", user.id).execute()).toHaveLength(1);
    expect((await post(path, { intent: "reset-mfa", confirm: "on" }, opCookie)).status).toBe(200);
    expect(await db.selectFrom("totp_factor").select("user_id").where("user_id", "=", user.id).execute()).toHaveLength(0);
    const login = await post("/login", { email: user.email, password: user.password });
    expect(login.headers.get("location")).toBe("/home");
  });
});
