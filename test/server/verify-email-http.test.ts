// The signup code on /verify-email, over HTTP against the production build, the
// way someone holding a fresh account's session cookie would guess it: asking
// for a new code neither resets the count of guesses nor goes on forever, and
// both limits answer 429 with a plain message, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNUP_CODE_LIMIT, SIGNUP_RESEND_LIMIT } from "../../app/.server/accounts/verification";
import { createUser, latestVerificationCode, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl() });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

function post(cookie: string, fields: Record<string, string>) {
  return fetch(`${server.url}/verify-email`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

describe("/verify-email codes", () => {
  it("counts guesses per account across resent codes, and limits the resends", async () => {
    const user = await createUser(db, { email: `verify-guess-${Date.now()}@example.com`, verified: false });
    const cookie = await sessionCookieFor(db, user);
    const resend = () => post(cookie, { intent: "resend" });
    const guess = (code: string) => post(cookie, { intent: "code", code });

    let code = "";
    let wrongTries = 0;
    // Five codes (the most an hour allows), two wrong guesses at each: ten.
    for (let request = 0; request < SIGNUP_RESEND_LIMIT.limit; request++) {
      expect((await resend()).status).toBe(200);
      code = await latestVerificationCode(db, user.email);
      const wrong = code === "00000000" ? "11111111" : "00000000";
      for (let i = 0; i < 2; i++, wrongTries++) {
        const answer = await guess(wrong);
        expect(answer.status).toBe(400);
        expect(await answer.text()).toContain("That code is not right");
      }
    }
    expect(wrongTries).toBe(SIGNUP_CODE_LIMIT.limit);

    const sixthResend = await resend();
    expect(sixthResend.status).toBe(429);
    expect(Number(sixthResend.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await sixthResend.text()).toContain("You asked for several codes already");

    // The live code itself is refused now: the account's guesses are spent.
    const right = await guess(code);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await right.text()).toContain("Too many wrong codes. Please wait a while and try again.");
    const row = await db.selectFrom("user").select("email_verified_at").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.email_verified_at).toBeNull();
  }, 120_000);
});
