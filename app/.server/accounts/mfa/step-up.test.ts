import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD } from "../../../../test/factories/users";
import { enrolTotp } from "../../../../test/factories/mfa";
import { createSession, validateSessionToken } from "../../session";
import { LOGIN_LIMITS, logIn } from "../login";
import type { RelyingParty } from "./passkeys";
import { isRecentlyAuthenticated, reauthenticate, RECENT_AUTH_MS } from "./step-up";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-12-01T12:00:10Z");
const later = (ms: number) => new Date(now.getTime() + ms);
const client = { ip: "203.0.113.10", userAgent: "Firefox" };
const context = { rp: { id: "localhost", name: "Gatehouse", origin: "http://localhost:3000" } satisfies RelyingParty, ip: client.ip };

async function signedIn() {
  const ada = await createUser(db, { email: "ada@example.com", now });
  const { token } = await createSession(db, ada.id, client, now);
  return { ada, session: (await validateSessionToken(db, token, client, now))!, token };
}

describe("step-up re-authentication", () => {
  it("counts a sign-in as recent for ten minutes, then no longer", async () => {
    const { session } = await signedIn();
    expect(isRecentlyAuthenticated(session, later(RECENT_AUTH_MS))).toBe(true);
    expect(isRecentlyAuthenticated(session, later(RECENT_AUTH_MS + 1000))).toBe(false);
  });

  it("renews the proof with the password, and refuses a wrong one", async () => {
    const { session, token } = await signedIn();
    const at = later(RECENT_AUTH_MS + 60_000);
    expect(await reauthenticate(db, session, { kind: "password", password: "not it" }, context, at)).toEqual({ ok: false, reason: "wrong" });
    expect(await reauthenticate(db, session, { kind: "password", password: DEFAULT_PASSWORD }, context, at)).toEqual({ ok: true });
    const renewed = await validateSessionToken(db, token, client, at);
    expect(renewed?.authenticatedAt).toEqual(at);
    expect(isRecentlyAuthenticated(renewed!, later(RECENT_AUTH_MS + 120_000))).toBe(true);
  });

  it("accepts a code from the authenticator app once", async () => {
    const { ada, session } = await signedIn();
    const totp = await enrolTotp(db, ada, later(-60_000));
    const at = later(RECENT_AUTH_MS + 60_000);
    expect(await reauthenticate(db, session, { kind: "totp", code: totp.codeAt(at) }, context, at)).toEqual({ ok: true });
    expect(await reauthenticate(db, session, { kind: "totp", code: totp.codeAt(at) }, context, at)).toEqual({ ok: false, reason: "wrong" });
  });

  it("spends the login allowance: guesses here hold back the password at /login too", async () => {
    const { session } = await signedIn();
    for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) {
      expect(await reauthenticate(db, session, { kind: "totp", code: "123456" }, context, now)).toEqual({ ok: false, reason: "wrong" });
    }
    expect(await reauthenticate(db, session, { kind: "password", password: DEFAULT_PASSWORD }, context, now)).toMatchObject({ ok: false, reason: "throttled" });
    expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: false, reason: "throttled" });
  });
});
