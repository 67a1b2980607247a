// Requests shaped by hand, against the production build: raw paths with dot
// segments (the way curl --path-as-is sends them, which fetch() would tidy up
// first), forwarded-host headers that disagree with Origin, foreign Origins on
// CSRF-exempt prefixes, and JSON nested deeper than any real metadata.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/.server/orgs/api-keys";
import { actorOf, auditEventsOf, createTestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor, type TestUser } from "../factories/users";
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
beforeEach(() => truncateAll(db));

const publicOrigin = () => `http://localhost:${server.port}`;

type RawAnswer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One request with the path sent exactly as written: node:http does not normalise it. */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: server.port, method, path, headers: { ...headers, ...(body !== undefined ? { "Content-Length": String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const formHeaders = (cookie?: string): Record<string, string> => ({ "Content-Type": "application/x-www-form-urlencoded", ...(cookie ? { Cookie: cookie } : {}) });

const nameOf = async (user: TestUser) => (await db.selectFrom("user").select("name").where("id", "=", user.id).executeTakeFirstOrThrow()).name;

async function sessionStillWorks(cookie: string): Promise<boolean> {
  const answer = await rawRequest("GET", "/settings", { Cookie: cookie });
  return answer.status === 200;
}

describe("the CSRF exemption and dot segments", () => {
  // Every spelling a client can use to climb out of /api/v1/ or /webhooks/:
  // plain and percent-encoded dots (any case), backslashes (URL parsers read
  // them as slashes), and doubled slashes.
  const intoSettings = [
    "/api/v1/../../settings?intent=name",
    "/api/v1/%2e%2e/%2e%2e/settings?intent=name",
    "/api/v1/%2E%2E/%2E%2E/settings?intent=name",
    "/api/v1/.%2e/..%2E/settings?intent=name",
    "/api/v1\\..\\..\\settings?intent=name",
    "/api/v1/..\\..\\settings?intent=name",
    "/api/v1//../../../settings?intent=name",
    "//api/v1/../../settings?intent=name",
    "/webhooks/../settings?intent=name",
    "/webhooks/./../settings?intent=name",
    "/webhooks/%2e%2e/settings?intent=name",
  ];

  it("never lets a POST with no Origin into /settings by way of an exempt prefix", async () => {
    const user = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const cookie = await sessionCookieFor(db, user);
    for (const path of intoSettings) {
      const answer = await rawRequest("POST", path, formHeaders(cookie), "intent=name&name=Mallory");
      expect(answer.status, `${path}: ${answer.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(await nameOf(user), path).toBe("Ada");
    }
  });

  it("never ends a session through /webhooks/../logout or /api/v1/../../logout", async () => {
    const user = await createUser(db, { email: "ada@example.com" });
    const cookie = await sessionCookieFor(db, user);
    for (const path of ["/webhooks/../logout", "/api/v1/../../logout", "/webhooks/%2E%2E/logout", "/webhooks\\..\\logout", "/api/v1/..%2f..%2flogout"]) {
      const answer = await rawRequest("POST", path, formHeaders(cookie), "");
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(await sessionStillWorks(cookie), path).toBe(true);
    }
  });

  it("answers a path with dot segments with 400, whatever the method", async () => {
    for (const [method, path] of [
      ["GET", "/privacy/../settings"],
      ["GET", "/%2e%2e/privacy"],
      ["POST", "/api/v1/../org"],
    ] as const) {
      const answer = await rawRequest(method, path, {});
      expect(answer.status, `${method} ${path}`).toBe(400);
    }
  });

  it("still exempts the real /api/v1 paths and refuses the real /settings without an Origin", async () => {
    const user = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const cookie = await sessionCookieFor(db, user);
    const api = await rawRequest("POST", "/api/v1/audit-events", { "Content-Type": "application/json" }, "{}");
    expect(api.status).toBe(401); // past the CSRF check, stopped by the missing key
    const settings = await rawRequest("POST", "/settings?intent=name", formHeaders(cookie), "intent=name&name=Mallory");
    expect(settings.status).toBe(403);
    // A slash-heavy or backslashed spelling of a CSRF-checked path is still checked.
    for (const path of ["//settings?intent=name", "/settings/?intent=name", "\\settings?intent=name"]) {
      const answer = await rawRequest("POST", path, formHeaders(cookie), "intent=name&name=Mallory");
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
    }
    expect(await nameOf(user)).toBe("Ada");
  });
});

describe("headers that reach the application", () => {
  it("never answers 500 to a form POST whose X-Forwarded-Host differs from its Origin", async () => {
    const user = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const cookie = await sessionCookieFor(db, user);
    const proofs: Array<Record<string, string>> = [
      { Origin: publicOrigin(), "X-Forwarded-Host": "evil.example" },
      { "Sec-Fetch-Site": "same-origin", Origin: publicOrigin(), "X-Forwarded-Host": "evil.example, localhost" },
      { "Sec-Fetch-Site": "same-origin", "X-Forwarded-Host": "evil.example" },
    ];
    for (const proof of proofs) {
      for (const [path, body] of [
        ["/login", "email=nobody%40example.com&password=not-this-one"],
        ["/forgot-password", "email=nobody%40example.com"],
        ["/settings?intent=name", "intent=name&name=Grace"],
      ] as const) {
        const answer = await rawRequest("POST", path, { ...formHeaders(cookie), ...proof }, body);
        expect(answer.status, `${path} ${JSON.stringify(proof)}: ${answer.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
    // The request was ours (our Origin): the change went through.
    expect(await nameOf(user)).toBe("Grace");
  });

  it("never answers 500 to a same-origin POST whose Origin header is not a URL", async () => {
    for (const origin of ["not a url", "http://", "localhost"]) {
      const answer = await rawRequest("POST", "/login", { ...formHeaders(), "Sec-Fetch-Site": "same-origin", Origin: origin }, "email=a%40example.com&password=x");
      expect(answer.status, origin).toBeLessThan(500);
    }
  });

  it("answers a foreign Origin on an unknown /api/v1 or /webhooks path with 404, not 500", async () => {
    for (const path of ["/api/v1/nothing-here", "/api/v1/a/b/c", "/webhooks/nothing-here", "/webhooks/"]) {
      const answer = await rawRequest("POST", path, { "Content-Type": "application/json", Origin: "https://evil.example" }, "{}");
      expect(answer.status, `${path}: ${answer.body.slice(0, 200)}`).toBe(404);
    }
  });
});

describe("POST /api/v1/audit-events metadata bounds", () => {
  async function apiKey() {
    const owner = await createUser(db, { email: "owner@example.com" });
    const org = await createTestOrg(db, { slug: "alpha", owner });
    const { key } = await createApiKey(db, { orgId: org.id, name: "CLI", actor: actorOf(owner), ip: null });
    return { key, org };
  }

  // What the API stored, leaving out the key's own events (created, first used).
  const pushedActions = async (orgId: string) => (await auditEventsOf(db, orgId)).map((e) => e.action).filter((action) => !action.startsWith("api_key.")).sort();

  const post = (key: string, body: string) =>
    rawRequest("POST", "/api/v1/audit-events", { "Content-Type": "application/json", Authorization: `Bearer ${key}` }, body);

  it("answers 400, not 500, to metadata nested 40,000 deep, and stores nothing", async () => {
    const { key, org } = await apiKey();
    const depth = 40_000;
    const answer = await post(key, `{"action":"deep.one","metadata":{"m":${"[".repeat(depth)}${"]".repeat(depth)}}}`);
    expect(answer.status, answer.body.slice(0, 300)).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: "The event is not valid.", details: { metadata: expect.stringMatching(/nest/i) } });
    const objects = `{"action":"deep.two","metadata":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    expect((await post(key, objects)).status).toBe(400);
    expect(await pushedActions(org.id)).toEqual([]);
  });

  it("accepts metadata a few levels deep, and refuses one level too many", async () => {
    const { key, org } = await apiKey();
    const fine = await post(key, JSON.stringify({ action: "deploy.done", metadata: { build: { steps: [{ name: "test", ok: true }] } } }));
    expect(fine.status, fine.body).toBe(201);
    const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });
    expect((await post(key, JSON.stringify({ action: "deploy.max", metadata: nested(8) }))).status).toBe(201);
    expect((await post(key, JSON.stringify({ action: "deploy.over", metadata: nested(9) }))).status).toBe(400);
    expect((await post(key, JSON.stringify({ action: "deploy.big", metadata: { blob: "x".repeat(5000) } }))).status).toBe(400);
    expect(await pushedActions(org.id)).toEqual(["deploy.done", "deploy.max"]);
  });
});
