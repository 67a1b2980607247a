// Two-factor over HTTP, against the production build: the half-signed-in
// cookie opens nothing but /login/2fa, bad codes and forged passkey answers
// get a 4xx (never a 500), step-up sends a stale session to re-prove and back,
// and only operators can reset someone's two-factor.
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeRecoveryCode } from "../../app/.server/accounts/mfa/recovery-codes";
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

  it("answers a wrong, an expired and a reused code with a 401 that says what to do", async () => {
    const user = await createUser(db, { email: uniqueEmail("codes") });
    const totp = await enrolTotp(db, user, new Date(Date.now() - 90_000));
    const now = Date.now();
    const accepted = new Set([-30_000, 0, 30_000].map((drift) => totp.codeAt(new Date(now + drift))));
    const wrong = ["000000", "111111", "222222", "333333"].find((code) => !accepted.has(code))!;
    // Two 30-second steps old: past the one step of drift allowed.
    const expired = totp.codeAt(new Date(now - 60_000));
    const halfSignedInAs = async () => cookieOf(await post("/login", { email: user.email, password: user.password }));
    const send = (code: string, cookie: string) => post("/login/2fa?intent=totp", { intent: "totp", code }, cookie);

    for (const code of accepted.has(expired) ? [wrong] : [wrong, expired]) {
      const answer = await send(code, await halfSignedInAs());
      expect(answer.status, code).toBe(401);
      expect(await answer.text()).toContain("That code is not right. Check your app&#x27;s clock and use the newest code.");
    }
    const current = totp.codeAt(new Date());
    expect((await send(current, await halfSignedInAs())).status).toBe(302);
    // The same code again, on a fresh sign-in: a code works once.
    const replay = await send(current, await halfSignedInAs());
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain("That code is not right.");
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

describe("recovery codes in /settings/security", () => {
  it("regenerating needs a recent sign-in, shows ten new codes once, and the old ones stop working", async () => {
    const user = await createUser(db, { email: uniqueEmail("regenerate") });
    const { recoveryCodes: old } = await enrolTotp(db, user);
    const cookie = await sessionCookieFor(db, user);
    await consumeRecoveryCode(db, user.id, old[0]!);
    // React separates the number from the text with an empty comment.
    expect((await (await get("/settings/security", cookie)).text()).replaceAll("<!-- -->", "")).toContain("9 of 10 recovery codes left.");

    await db.updateTable("session").set({ authenticated_at: sql`now() - interval '11 minutes'` }).where("user_id", "=", user.id).execute();
    const stale = await post("/settings/security?intent=codes-regenerate", { intent: "codes-regenerate" }, cookie);
    expect(stale.headers.get("location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Fsecurity");
    expect(await consumeRecoveryCode(db, user.id, old[1]!)).toEqual({ remaining: 8 });

    await db.updateTable("session").set({ authenticated_at: sql`now()` }).where("user_id", "=", user.id).execute();
    const fresh = await post("/settings/security?intent=codes-regenerate", { intent: "codes-regenerate" }, cookie);
    expect(fresh.status).toBe(200);
    const html = await fresh.text();
    const shown = [...html.matchAll(/<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/g)].map((match) => match[1]!);
    expect(new Set(shown).size).toBe(10);
    expect(html).toContain("New recovery codes were made. The old ones no longer work.");
    expect(await consumeRecoveryCode(db, user.id, old[2]!)).toBeNull();
    expect(await consumeRecoveryCode(db, user.id, shown[0]!)).toEqual({ remaining: 9 });
    // Shown once: the page does not list them again.
    expect(await (await get("/settings/security", cookie)).text()).not.toContain(shown[1]!);
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
