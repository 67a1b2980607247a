import { randomBytes } from "node:crypto";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD, latestLinkToken, queuedEmails } from "../../../../test/factories/users";
import { enrolTotp } from "../../../../test/factories/mfa";
import { getKeyring } from "../../secrets";
import { decryptWith, encryptWith, SecretDecryptionError } from "../../secrets/cipher";
import { createKeyring } from "../../secrets/keyring";
import { createSession, validateSessionToken } from "../../session";
import { eraseAccountNow } from "../deletion";
import { logIn, LOGIN_LIMITS } from "../login";
import { processDeferredAccountWork } from "../deferred-work-worker";
import { requestPasswordReset, resetPassword } from "../password-reset";
import { exportMfaFactors, getMfaSummary, removePasskey, resetMfa, turnOffMfa } from "./factors";
import { replaceRecoveryCodes } from "./recovery-codes";
import { startPasskeyAuthentication, type RelyingParty } from "./passkeys";
import { findPendingSignIn, PENDING_SIGN_IN_MAX_ATTEMPTS, PENDING_SIGN_IN_TTL_MS } from "./pending-sign-in";
import { completeSecondFactor, signInWithPasskey } from "./sign-in";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

// Ten seconds into a 15-minute rate-limit window and a 30-second TOTP step.
const now = new Date("2026-12-01T12:00:10Z");
const later = (ms: number) => new Date(now.getTime() + ms);
const client = { ip: "203.0.113.9", userAgent: "Firefox" };
const rp: RelyingParty = { id: "localhost", name: "Gatehouse", origin: "http://localhost:3000" };
const context = { client, rp };

async function adaWithTotp() {
  const ada = await createUser(db, { email: "ada@example.com", now });
  // Enrolled a minute earlier, so the sign-in's code is a step not yet used.
  const totp = await enrolTotp(db, ada, later(-60_000));
  return { ada, totp };
}

async function passwordStep(email = "ada@example.com", when = now) {
  const result = await logIn(db, email, DEFAULT_PASSWORD, client, when);
  if (!result.ok || !result.secondFactorRequired) throw new Error(`expected a second step, got ${JSON.stringify(result)}`);
  const pending = await findPendingSignIn(db, result.token, when);
  if (!pending) throw new Error("no pending sign-in");
  return { token: result.token, pending };
}

const sessionCount = async () => (await db.selectFrom("session").select("id").execute()).length;

describe("signing in with two-factor on", () => {
  it("asks for the second factor after the right password, with no session until then", async () => {
    const { totp } = await adaWithTotp();
    const { token, pending } = await passwordStep();
    expect(await sessionCount()).toBe(0);
    // The half-signed-in token is not a session anywhere.
    expect(await validateSessionToken(db, token, client, now)).toBeNull();
    const done = await completeSecondFactor(db, pending, { kind: "totp", code: totp.codeAt(now) }, context, now);
    expect(done).toMatchObject({ ok: true, method: "password+totp" });
    if (!done.ok) return;
    const session = await validateSessionToken(db, done.token, client, now);
    expect(session).toMatchObject({ authMethod: "password+totp" });
    // Single use: the record is gone.
    expect(await findPendingSignIn(db, token, now)).toBeNull();
  });

  it("answers a wrong password exactly as without two-factor, revealing nothing", async () => {
    await adaWithTotp();
    expect(await logIn(db, "ada@example.com", "wrong password", client, now)).toEqual({ ok: false, reason: "invalid-credentials" });
    expect(await db.selectFrom("pending_sign_in").select("id").execute()).toEqual([]);
  });

  it("refuses a code used once already (replay), also across sign-ins", async () => {
    const { totp } = await adaWithTotp();
    const code = totp.codeAt(now);
    const first = await passwordStep();
    expect(await completeSecondFactor(db, first.pending, { kind: "totp", code }, context, now)).toMatchObject({ ok: true });
    const second = await passwordStep();
    expect(await completeSecondFactor(db, second.pending, { kind: "totp", code }, context, later(5_000))).toMatchObject({ ok: false, reason: "wrong-code" });
  });

  it("refuses an expired code (two steps old) and one for the wrong account", async () => {
    const { totp } = await adaWithTotp();
    await createUser(db, { email: "bob@example.com", now });
    const bobTotp = await enrolTotp(db, { id: (await db.selectFrom("user").select("id").where("email", "=", "bob@example.com").executeTakeFirstOrThrow()).id, email: "bob@example.com" }, later(-60_000));
    const { pending } = await passwordStep();
    expect(await completeSecondFactor(db, pending, { kind: "totp", code: totp.codeAt(later(-61_000)) }, context, now)).toMatchObject({ ok: false, reason: "wrong-code" });
    expect(await completeSecondFactor(db, pending, { kind: "totp", code: bobTotp.codeAt(now) }, context, now)).toMatchObject({ ok: false, reason: "wrong-code" });
  });

  it("lets the half-signed-in record expire after five minutes", async () => {
    const { totp } = await adaWithTotp();
    const { token } = await passwordStep();
    expect(await findPendingSignIn(db, token, later(PENDING_SIGN_IN_TTL_MS - 1000))).not.toBeNull();
    expect(await findPendingSignIn(db, token, later(PENDING_SIGN_IN_TTL_MS))).toBeNull();
    expect(await db.selectFrom("pending_sign_in").select("id").execute()).toEqual([]);
    expect(await sessionCount()).toBe(0);
    void totp;
  });

  it("ends the record after five wrong codes: the password must be typed again", async () => {
    const { totp } = await adaWithTotp();
    const { token, pending } = await passwordStep();
    for (let i = 1; i <= PENDING_SIGN_IN_MAX_ATTEMPTS; i++) {
      const result = await completeSecondFactor(db, pending, { kind: "totp", code: "000000" }, context, now);
      expect(result).toMatchObject({ ok: false, reason: "wrong-code", attemptsLeft: i < PENDING_SIGN_IN_MAX_ATTEMPTS });
    }
    expect(await findPendingSignIn(db, token, now)).toBeNull();
    // Even the right code cannot revive it.
    expect(await completeSecondFactor(db, pending, { kind: "totp", code: totp.codeAt(now) }, context, now)).toMatchObject({ ok: false });
    expect(await sessionCount()).toBe(0);
  });

  it("counts wrong codes in the same per-account window as wrong passwords", async () => {
    await adaWithTotp();
    // Limit 10: five wrong passwords, one right one, then wrong codes.
    for (let i = 0; i < 5; i++) await logIn(db, "ada@example.com", "wrong password", client, now);
    const { pending } = await passwordStep();
    for (let attempt = 7; attempt <= LOGIN_LIMITS.perAccount.limit; attempt++) {
      expect(await completeSecondFactor(db, pending, { kind: "totp", code: "123456" }, context, now)).toMatchObject({ ok: false, reason: "wrong-code" });
    }
    expect(await completeSecondFactor(db, pending, { kind: "totp", code: "123456" }, context, now)).toMatchObject({ ok: false, reason: "throttled" });
    // ...and the wrong codes now hold back the password too.
    expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("throttles codes once the account's window is used up", async () => {
    const { totp } = await adaWithTotp();
    const { pending } = await passwordStep();
    for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) await logIn(db, "ada@example.com", "wrong password", client, now);
    expect(await completeSecondFactor(db, pending, { kind: "totp", code: totp.codeAt(now) }, context, now)).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("signs in with a recovery code once, mails the account, and refuses the code after", async () => {
    const { totp } = await adaWithTotp();
    const code = totp.recoveryCodes[3]!;
    const first = await passwordStep();
    expect(await completeSecondFactor(db, first.pending, { kind: "recovery-code", code }, context, now)).toMatchObject({ ok: true, method: "password+recovery-code" });
    const second = await passwordStep();
    expect(await completeSecondFactor(db, second.pending, { kind: "recovery-code", code }, context, now)).toMatchObject({ ok: false, reason: "wrong-code" });
    const mail = (await queuedEmails(db, "ada@example.com")).map((email) => email.subject);
    expect(mail).toContain("A recovery code was used to sign in on your Gatehouse account");
    expect((await getMfaSummary(db, first.pending.userId)).recoveryCodesLeft).toBe(9);
  });

  it("still asks for the second factor after a password reset", async () => {
    await adaWithTotp();
    await requestPasswordReset(db, "ada@example.com", now);
    await processDeferredAccountWork(db, undefined, now);
    const token = await latestLinkToken(db, "ada@example.com", "/reset-password/");
    expect(await resetPassword(db, token, DEFAULT_PASSWORD, now)).toEqual({ ok: true });
    await passwordStep();
  });
});

describe("passkey answers that are not genuine", () => {
  it("refuses a forged response and a passkey registered to another account", async () => {
    const { ada } = await adaWithTotp();
    const bob = await createUser(db, { email: "bob@example.com", now });
    await db.insertInto("passkey").values({ user_id: bob.id, credential_id: "Ym9icy1wYXNza2V5", public_key: randomBytes(77), name: "Bob's key" }).execute();
    const { pending } = await passwordStep();
    const options = await startPasskeyAuthentication(db, rp, ada.id, now);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin: rp.origin })).toString("base64url");
    const forged = (id: string) => JSON.stringify({ id, rawId: id, type: "public-key", clientExtensionResults: {}, response: { clientDataJSON, authenticatorData: "AAAA", signature: "AAAA" } });

    expect(await completeSecondFactor(db, pending, { kind: "passkey", credential: "{not json" }, context, now)).toMatchObject({ ok: false, reason: "invalid-passkey" });
    expect(await completeSecondFactor(db, pending, { kind: "passkey", credential: forged("Ym9icy1wYXNza2V5") }, context, now)).toMatchObject({ ok: false, reason: "wrong-passkey" });
    // A second answer to the same challenge finds it spent.
    expect(await completeSecondFactor(db, pending, { kind: "passkey", credential: forged("Ym9icy1wYXNza2V5") }, context, now)).toMatchObject({ ok: false, reason: "invalid-passkey" });
    expect(await sessionCount()).toBe(0);

    // Signing in with a passkey alone: a forged signature over a real challenge of a real passkey.
    const signIn = await startPasskeyAuthentication(db, rp, null, now);
    const signInData = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: signIn.challenge, origin: rp.origin })).toString("base64url");
    const forgedBob = JSON.stringify({ id: "Ym9icy1wYXNza2V5", rawId: "Ym9icy1wYXNza2V5", type: "public-key", clientExtensionResults: {}, response: { clientDataJSON: signInData, authenticatorData: "AAAA", signature: "AAAA" } });
    expect(await signInWithPasskey(db, forgedBob, context, now)).toMatchObject({ ok: false, reason: "invalid-passkey" });
    expect(await sessionCount()).toBe(0);
  });
});

describe("the TOTP secret at rest", () => {
  it("is stored encrypted, and unreadable without the key", async () => {
    const { ada, totp } = await adaWithTotp();
    const row = await db.selectFrom("totp_factor").select("secret_ciphertext").where("user_id", "=", ada.id).executeTakeFirstOrThrow();
    const base32 = encodeBase32UpperCaseNoPadding(totp.key);
    expect(row.secret_ciphertext).toMatch(/^v1\./);
    expect(row.secret_ciphertext).not.toContain(base32);
    expect(() => decryptWith(createKeyring([randomBytes(32)]), row.secret_ciphertext, `totp:${ada.id}`)).toThrow(SecretDecryptionError);
    // Copied onto another user's row, it does not open there either.
    const bob = await createUser(db, { email: "bob@example.com", now });
    await db.insertInto("totp_factor").values({ user_id: bob.id, secret_ciphertext: row.secret_ciphertext, confirmed_at: now }).execute();
    const { pending } = await passwordStep("bob@example.com");
    await expect(completeSecondFactor(db, pending, { kind: "totp", code: totp.codeAt(now) }, context, now)).rejects.toThrow(SecretDecryptionError);
  });
});

describe("turning two-factor off, an operator's reset, export and purge", () => {
  it("turns off: every factor goes and the password is enough again, with an email", async () => {
    const { ada } = await adaWithTotp();
    expect(await turnOffMfa(db, ada.id, now)).toEqual({ ok: true });
    expect(await getMfaSummary(db, ada.id)).toEqual({ enabled: false, totp: null, passkeys: 0, recoveryCodesLeft: 0 });
    expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: true, secondFactorRequired: false });
    expect((await queuedEmails(db, "ada@example.com")).map((e) => e.subject)).toContain("Two-factor authentication was turned off on your Gatehouse account");
  });

  it("lets an operator reset it, mailed to the person", async () => {
    const { ada } = await adaWithTotp();
    const operator = await createUser(db, { email: "op@example.com", now });
    expect(await resetMfa(db, { userId: ada.id, operator: { id: operator.id, email: operator.email }, ip: null }, now)).toEqual({ ok: true });
    expect((await getMfaSummary(db, ada.id)).enabled).toBe(false);
    expect((await queuedEmails(db, "ada@example.com")).map((e) => e.subject)).toContain("Two-factor authentication was reset by an administrator on your Gatehouse account");
    expect(await resetMfa(db, { userId: ada.id, operator: { id: operator.id, email: operator.email }, ip: null }, now)).toEqual({ ok: false });
  });

  it("exports which factors exist, never a secret or a code", async () => {
    const { ada, totp } = await adaWithTotp();
    const exported = await exportMfaFactors(db, ada.id);
    expect(exported.authenticator_app?.enabled_at).toBe(later(-60_000).toISOString());
    expect(exported.recovery_codes).toMatchObject({ total: 10, used: [] });
    const text = JSON.stringify(exported);
    for (const code of totp.recoveryCodes) expect(text).not.toContain(code);
    expect(text).not.toContain("v1.");
  });

  it("is erased by the purge: factors, recovery codes, passkeys, pending sign-ins", async () => {
    const { ada } = await adaWithTotp();
    await db.insertInto("passkey").values({ user_id: ada.id, credential_id: "YWRhcy1rZXk", public_key: randomBytes(77), name: "Ada's key" }).execute();
    await passwordStep();
    await startPasskeyAuthentication(db, rp, ada.id, now);
    await createSession(db, ada.id, client, now);
    expect(await eraseAccountNow(db, { userId: ada.id, ip: null }, now)).toMatchObject({ ok: true, outcome: "erased" });
    for (const table of ["totp_factor", "recovery_code", "passkey", "pending_sign_in", "webauthn_challenge"] as const) {
      expect(await db.selectFrom(table).selectAll().execute(), table).toEqual([]);
    }
  });
});

describe("key rotation", () => {
  it("moves a seed to the current key the next time its code is used", async () => {
    const { ada, totp } = await adaWithTotp();
    // An older key, still listed after the current one (SECRETS_KEY=<new>,<old>), sealed this seed.
    const keyring = getKeyring();
    const old = createKeyring([randomBytes(32)]).current;
    keyring.byId.set(old.id, old);
    const underOldKey = encryptWith(createKeyring([old.key]), encodeBase32UpperCaseNoPadding(totp.key), `totp:${ada.id}`);
    await db.updateTable("totp_factor").set({ secret_ciphertext: underOldKey }).where("user_id", "=", ada.id).execute();

    const { pending } = await passwordStep();
    expect(await completeSecondFactor(db, pending, { kind: "totp", code: totp.codeAt(now) }, context, now)).toMatchObject({ ok: true });
    const after = await db.selectFrom("totp_factor").select("secret_ciphertext").where("user_id", "=", ada.id).executeTakeFirstOrThrow();
    expect(after.secret_ciphertext.split(".")[1]).toBe(keyring.current.id);
    keyring.byId.delete(old.id);
    // Still the same seed: the next step's code works.
    const again = await passwordStep();
    expect(await completeSecondFactor(db, again.pending, { kind: "totp", code: totp.codeAt(later(30_000)) }, context, later(30_000))).toMatchObject({ ok: true });
  });
});

describe("removing factors", () => {
  it("removing the last passkey turns two-factor off: recovery codes go, and the account is told", async () => {
    const ada = await createUser(db, { email: "ada@example.com", now });
    await db.insertInto("passkey").values({ user_id: ada.id, credential_id: "b25seS1rZXk", public_key: randomBytes(77), name: "Only key" }).execute();
    await replaceRecoveryCodes(db, ada.id, now);
    const passkey = await db.selectFrom("passkey").select("id").executeTakeFirstOrThrow();
    const bob = await createUser(db, { email: "bob@example.com", now });
    expect(await removePasskey(db, bob.id, passkey.id, now)).toEqual({ ok: false });
    expect(await removePasskey(db, ada.id, passkey.id, now)).toEqual({ ok: true });
    expect(await getMfaSummary(db, ada.id)).toEqual({ enabled: false, totp: null, passkeys: 0, recoveryCodesLeft: 0 });
    expect((await queuedEmails(db, "ada@example.com")).map((e) => e.subject)).toContain("Two-factor authentication was turned off on your Gatehouse account");
  });
});
