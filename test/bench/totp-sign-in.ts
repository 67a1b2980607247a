// Sign-ins/s with an authenticator app (password, then the app's code) next to
// password-only sign-ins, on the same server in the same run, in interleaved
// turns so that the shared machine weighs on both alike.
//
// Each simulated person signs in one step after another, the way a browser
// does: the password, then (two-factor on) the code with the half-signed-in
// cookie the first answer set. That is why this is not autocannon: a connection
// there keeps firing whatever the previous answer was, so a 429 from the full
// password hasher was followed by a code sent without a cookie, and requests
// it abandoned at the end of a run kept the hasher full into the next one, so
// that run began with 429s too. Here a refused
// sign-in waits out its Retry-After like a browser would, every sign-in begun
// is finished before the next turn starts, and only those finished within the
// measured window count.
import { randomBytes } from "node:crypto";
import { hash as argon2Hash } from "@node-rs/argon2";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import pg from "pg";
import { PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE_LIMIT } from "../../app/.server/password-hasher";
import { encryptWith } from "../../app/.server/secrets/cipher";
import { createKeyring } from "../../app/.server/secrets/keyring";
import { DURATION_S, nextIp, PASSWORD, ratio, type BenchScenario, type BenchTarget } from "./harness";

/** As many people at once as the password hasher holds (2 hashing, 32 waiting): the most it serves without refusing. */
const CLIENTS = PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE_LIMIT;
const TURNS = 3;
/**
 * A code works once per account and 30-second step, and every account allows
 * 10 tries per 15 minutes (the code is a try too): enough accounts that none
 * comes round twice in a run.
 */
const ACCOUNTS = 3000;

type Outcome = "signed-in" | "refused" | "failed";
type Turn = { signedInPerSecond: number; outcomes: Record<string, number> };

async function seedAccounts(target: BenchTarget): Promise<Uint8Array[]> {
  const hash = await argon2Hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const keyring = createKeyring([target.secretsKey]);
  const pool = new pg.Pool({ connectionString: target.databaseUrl });
  const insertUsers = (prefix: string) =>
    pool.query<{ id: string; email: string }>(
      `insert into "user" (email, password_hash, name, email_verified_at)
       select $1 || n || '@example.com', $2, 'Bench ' || n, now() from generate_series(0, $3::int - 1) as n returning id, email`,
      [prefix, hash, ACCOUNTS],
    );
  await insertUsers("bench-password-only-");
  const { rows } = await insertUsers("bench-totp-");
  // Seeded as the app stores them: the key encrypted at rest and bound to its account.
  const keys = new Map<string, Uint8Array>();
  const values: unknown[] = [];
  for (const row of rows) {
    const key = new Uint8Array(randomBytes(20));
    keys.set(row.email, key);
    values.push(row.id, encryptWith(keyring, encodeBase32UpperCaseNoPadding(key), `totp:${row.id}`));
  }
  for (let start = 0; start < values.length; start += 2000) {
    const chunk = values.slice(start, start + 2000);
    const placeholders = Array.from({ length: chunk.length / 2 }, (_, i) => `($${2 * i + 1}, $${2 * i + 2}, now())`).join(", ");
    await pool.query(`insert into totp_factor (user_id, secret_ciphertext, confirmed_at) values ${placeholders}`, chunk);
  }
  await pool.end();
  return Array.from({ length: ACCOUNTS }, (_, i) => keys.get(`bench-totp-${i}@example.com`)!);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signInFlow(target: BenchTarget, totpKeys: Uint8Array[] | null) {
  let next = 0;
  const form = (fields: Record<string, string>, cookie?: string) => ({
    method: "POST",
    redirect: "manual" as const,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: target.origin, "x-forwarded-for": nextIp(), ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields),
  });
  /** One person signing in; a refusal is waited out (Retry-After) and tried again, a few times. */
  return async function signIn(deadline: number): Promise<Outcome> {
    const account = next++ % ACCOUNTS;
    const email = totpKeys ? `bench-totp-${account}@example.com` : `bench-password-only-${account}@example.com`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const login = await fetch(`${target.url}/login`, form({ email, password: PASSWORD, redirectTo: "/settings" }));
      await login.arrayBuffer();
      if (login.status === 429) {
        if (Date.now() > deadline) return "refused";
        await sleep(Number(login.headers.get("retry-after") ?? 1) * 1000);
        continue;
      }
      const location = login.headers.get("location") ?? "";
      if (login.status !== 302) return "failed";
      if (!totpKeys) return location === "/settings" ? "signed-in" : "failed";
      if (!location.startsWith("/login/2fa")) return "failed";
      const cookie = login.headers.getSetCookie()[0]?.split(";")[0];
      const code = generateHOTP(totpKeys[account]!, BigInt(Math.floor(Date.now() / 30_000)), 6);
      const second = await fetch(`${target.url}/login/2fa?intent=totp`, form({ intent: "totp", code, redirectTo: "/settings" }, cookie));
      await second.arrayBuffer();
      return second.status === 302 && second.headers.get("location") === "/settings" ? "signed-in" : "failed";
    }
    return "refused";
  };
}

/** CLIENTS people signing in one after another for `seconds`; sign-ins finished in time count. */
async function turn(signIn: (deadline: number) => Promise<Outcome>, seconds: number): Promise<Turn> {
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const outcomes: Record<string, number> = {};
  let inTime = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const outcome = await signIn(deadline);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (outcome === "signed-in" && Date.now() <= deadline) inTime++;
      }
    }),
  );
  return { signedInPerSecond: Math.round((inTime / seconds) * 10) / 10, outcomes };
}

const median = (turns: Turn[]) => [...turns].sort((a, b) => a.signedInPerSecond - b.signedInPerSecond)[Math.floor(turns.length / 2)]!;

export const totpSignIn: BenchScenario = {
  name: "sign-in with TOTP vs password only",
  async run(target) {
    const totpKeys = await seedAccounts(target);
    const passwordOnly = signInFlow(target, null);
    const withTotp = signInFlow(target, totpKeys);
    const seconds = Math.max(2, Math.round(DURATION_S / TURNS) + 1);
    await turn(passwordOnly, 2); // warm-up, unmeasured
    const turns: { password: Turn[]; totp: Turn[] } = { password: [], totp: [] };
    for (let i = 1; i <= TURNS; i++) {
      turns.password.push(await turn(passwordOnly, seconds));
      console.log(`  sign-in, password only (${CLIENTS} people, turn ${i}): ${turns.password.at(-1)!.signedInPerSecond}/s ${JSON.stringify(turns.password.at(-1)!.outcomes)}`);
      turns.totp.push(await turn(withTotp, seconds));
      console.log(`  sign-in, password + TOTP code (${CLIENTS} people, turn ${i}): ${turns.totp.at(-1)!.signedInPerSecond}/s ${JSON.stringify(turns.totp.at(-1)!.outcomes)}`);
    }
    const password = median(turns.password);
    const totp = median(turns.totp);
    const value = ratio(totp.signedInPerSecond, password.signedInPerSecond);
    const failures = [...turns.password, ...turns.totp].reduce((n, t) => n + (t.outcomes.failed ?? 0), 0);
    return {
      ratios: [[`sign-ins/s with TOTP on (password + code) vs password only, ${CLIENTS} people at once`, value, "(record)"]],
      scenarios: [],
      lines: [`sign-ins/s, ${CLIENTS} people at once, median of ${TURNS} interleaved turns: password only ${password.signedInPerSecond}, TOTP on ${totp.signedInPerSecond}, ratio ${value}`],
      failures,
      data: { clients: CLIENTS, secondsPerTurn: seconds, turns },
    };
  },
};
