import { createHash } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD } from "../../test/factories/users";
import { logIn } from "./accounts/login";
import {
  createSession,
  deleteExpiredSessions,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  validateSessionToken,
} from "./session";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const client = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" };
const t0 = new Date("2026-11-22T12:00:00Z");
const DAY = 86_400_000;
const days = (n: number, from = t0) => new Date(from.getTime() + n * DAY);

const sessionRows = () => db.selectFrom("session").selectAll().execute();
const idOf = (token: string) => token.split(".")[0]!;

describe("createSession", () => {
  it("stores the SHA-256 of the secret and never the secret itself", async () => {
    const ada = await createUser(db);
    const { token, expiresAt } = await createSession(db, ada.id, client, t0);
    const [id, secret] = token.split(".");
    expect(id).toMatch(/^[a-z2-7]{32}$/);
    expect(secret).toMatch(/^[a-z2-7]{32}$/);
    expect(expiresAt).toEqual(new Date(t0.getTime() + SESSION_IDLE_MS));

    const [row, ...others] = await sessionRows();
    expect(others).toEqual([]);
    expect(row).toMatchObject({ id, user_id: ada.id, created_at: t0, last_seen_at: t0, ip: client.ip, user_agent: client.userAgent });
    expect(row!.absolute_expires_at).toEqual(new Date(t0.getTime() + SESSION_ABSOLUTE_MS));
    expect(Buffer.from(row!.secret_hash)).toEqual(createHash("sha256").update(secret!).digest());
    for (const value of Object.values(row!)) {
      const text = value instanceof Uint8Array ? Buffer.from(value).toString("latin1") + Buffer.from(value).toString("hex") : String(value);
      expect(text).not.toContain(secret);
    }
  });
});

describe("validateSessionToken", () => {
  it("returns the session and its user for a valid token", async () => {
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const { token } = await createSession(db, ada.id, client, t0);
    const session = await validateSessionToken(db, token, client, days(1));
    expect(session).toMatchObject({
      id: idOf(token),
      user: { id: ada.id, email: "ada@example.com", name: "Ada", emailVerified: true, isOperator: false },
    });
  });

  it("refuses a tampered secret, a wrong id and malformed tokens", async () => {
    const ada = await createUser(db);
    const { token } = await createSession(db, ada.id, client, t0);
    const [id, secret] = token.split(".") as [string, string];
    const flipped = secret.slice(0, -1) + (secret.endsWith("a") ? "b" : "a");
    for (const bad of [`${id}.${flipped}`, `${id}.${secret}x`, `${flipped}.${secret}`, id, `${id}.`, `.${secret}`, `${token}.extra`, "", `${"a".repeat(65)}.${secret}`]) {
      expect(await validateSessionToken(db, bad, client, t0)).toBeNull();
    }
    // Wrong guesses do not harm the real session.
    expect(await validateSessionToken(db, token, client, t0)).not.toBeNull();
  });

  it("refuses a logged-out session's token when it is replayed", async () => {
    const ada = await createUser(db);
    const { token } = await createSession(db, ada.id, client, t0);
    await invalidateSession(db, idOf(token));
    expect(await validateSessionToken(db, token, client, days(1))).toBeNull();
    expect(await sessionRows()).toEqual([]);
  });

  it("slides the expiry: a session used after 29 days lasts another 30", async () => {
    const ada = await createUser(db);
    const { token } = await createSession(db, ada.id, client, t0);
    const used = await validateSessionToken(db, token, { ip: "198.51.100.4", userAgent: "curl/8.5.0" }, days(29));
    expect(used?.expiresAt).toEqual(days(59));
    expect(await sessionRows()).toMatchObject([{ last_seen_at: days(29), expires_at: days(59), ip: "198.51.100.4", user_agent: "curl/8.5.0" }]);
    // Without the slide it would have ended on day 30.
    expect(await validateSessionToken(db, token, client, days(58))).not.toBeNull();
  });

  it("ends a session left unused for 31 days, and deletes its row", async () => {
    const ada = await createUser(db);
    const { token } = await createSession(db, ada.id, client, t0);
    expect(await validateSessionToken(db, token, client, days(31))).toBeNull();
    expect(await sessionRows()).toEqual([]);
  });

  it("ends a session 90 days after sign-in however often it is used", async () => {
    const ada = await createUser(db);
    const { token } = await createSession(db, ada.id, client, t0);
    for (const day of [20, 40, 60, 80]) {
      expect(await validateSessionToken(db, token, client, days(day))).not.toBeNull();
    }
    const lastMinute = new Date(days(90).getTime() - 60_000);
    const late = await validateSessionToken(db, token, client, lastMinute);
    expect(late?.expiresAt).toEqual(days(90));
    expect(await validateSessionToken(db, token, client, days(90))).toBeNull();
    expect(await sessionRows()).toEqual([]);
  });

  it("writes activity at most every 5 minutes", async () => {
    const ada = await createUser(db);
    const { token } = await createSession(db, ada.id, client, t0);
    await validateSessionToken(db, token, client, new Date(t0.getTime() + 4 * 60_000));
    expect((await sessionRows())[0]!.last_seen_at).toEqual(t0);
    await validateSessionToken(db, token, client, new Date(t0.getTime() + 5 * 60_000));
    expect((await sessionRows())[0]!.last_seen_at).toEqual(new Date(t0.getTime() + 5 * 60_000));
  });
});

describe("invalidateUserSessions", () => {
  it("ends every session of the user but the one kept, and no one else's", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const bob = await createUser(db, { email: "bob@example.com" });
    const [current, laptop, phone] = await Promise.all([0, 1, 2].map(() => createSession(db, ada.id, client, t0)));
    const bobs = await createSession(db, bob.id, client, t0);

    expect(await invalidateUserSessions(db, ada.id, idOf(current!.token))).toBe(2);
    expect(await validateSessionToken(db, current!.token, client, t0)).not.toBeNull();
    expect(await validateSessionToken(db, laptop!.token, client, t0)).toBeNull();
    expect(await validateSessionToken(db, phone!.token, client, t0)).toBeNull();
    expect(await validateSessionToken(db, bobs.token, client, t0)).not.toBeNull();

    expect(await invalidateUserSessions(db, ada.id)).toBe(1);
    expect(await validateSessionToken(db, current!.token, client, t0)).toBeNull();
    expect(await validateSessionToken(db, bobs.token, client, t0)).not.toBeNull();
  });
});

describe("listUserSessions and deleteExpiredSessions", () => {
  it("lists live sessions, most recently used first, and purges expired ones", async () => {
    const ada = await createUser(db);
    const old = await createSession(db, ada.id, client, t0);
    const recent = await createSession(db, ada.id, client, days(10));
    expect((await listUserSessions(db, ada.id, days(11))).map((s) => s.id)).toEqual([idOf(recent.token), idOf(old.token)]);
    expect((await listUserSessions(db, ada.id, days(31))).map((s) => s.id)).toEqual([idOf(recent.token)]);
    expect(await deleteExpiredSessions(db, days(31))).toBe(1);
    expect((await sessionRows()).map((s) => s.id)).toEqual([idOf(recent.token)]);
  });
});

describe("session fixation", () => {
  it(
    "never adopts a token planted before login",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      const mallory = await createUser(db, { email: "mallory@example.com" });

      // A token the attacker made up, and one of the attacker's own real sessions,
      // both planted in the victim's browser before she logs in.
      const inventedToken = "attackerchosenid0000000000000000.attackerchosensecret000000000000";
      const mallorysToken = (await createSession(db, mallory.id, client, t0)).token;

      const login = await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, t0);
      expect(login.ok).toBe(true);
      if (!login.ok) return;
      expect([inventedToken, mallorysToken]).not.toContain(login.token);
      expect(idOf(login.token)).not.toBe(idOf(mallorysToken));

      expect((await validateSessionToken(db, login.token, client, t0))?.user.id).toBe(ada.id);
      expect(await validateSessionToken(db, inventedToken, client, t0)).toBeNull();
      // The planted real session still belongs to the attacker, never to Ada.
      expect((await validateSessionToken(db, mallorysToken, client, t0))?.user.id).toBe(mallory.id);
    },
    60_000,
  );
});
