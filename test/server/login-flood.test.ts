// A login flood larger than the password hasher's queue: the overflow is
// refused at once with a small 429 page (no JavaScript needed to read it),
// nothing fails, and logins go through again once it has passed.
import { afterAll, beforeAll, expect, it } from "vitest";
import { PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE_LIMIT } from "../../app/.server/password";
import { createUser, DEFAULT_PASSWORD } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { HttpClient } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), TRUST_PROXY: "loopback", LOG_LEVEL: "warn" });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

it("sheds the logins the hashing queue cannot hold with a fast 429 page, and recovers", async () => {
  await createUser(db, { email: "ada@example.com" });
  // A sustained flood: 60 clients, each sending its next login as soon as the
  // last is answered, for 2.5 s. Unknown addresses (each still costs a hash)
  // from distinct clients, so no rate limit answers instead.
  type Answer = { status: number; retryAfter: string | null; body: string };
  const answers: Answer[] = [];
  const until = Date.now() + 2_500;
  let sent = 0;
  await Promise.all(
    Array.from({ length: 60 }, async () => {
      while (Date.now() < until) {
        const i = sent++;
        const client = new HttpClient(server.url, { "X-Forwarded-For": `10.77.${Math.floor(i / 250)}.${i % 250}` });
        const response = await client.post("/login", { email: `nobody${i}@example.com`, password: "not a real password" });
        answers.push({ status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.text() });
      }
    }),
  );
  expect(answers.filter((a) => a.status !== 401 && a.status !== 429).map((a) => a.status)).toEqual([]);
  const shed = answers.filter((a) => a.status === 429);
  expect(shed.length).toBeGreaterThan(0);
  expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE_LIMIT);
  for (const answer of shed) {
    expect(answer.retryAfter).toBe("5");
    expect(answer.body).toContain("We are very busy right now");
  }
  // Most never reach Remix: the small page, not the login page. (One that slips
  // past as the queue fills is refused by the action, with the login form.)
  const small = shed.filter((a) => a.body.includes('<a href="/login">Back to log in</a>') && !a.body.includes("<form"));
  expect(small.length).toBeGreaterThan(0);

  const after = await new HttpClient(server.url, { "X-Forwarded-For": "10.78.0.1" }).post("/login", { email: "ada@example.com", password: DEFAULT_PASSWORD });
  expect(after.status).toBe(302);
}, 60_000);
