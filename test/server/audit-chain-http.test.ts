// The tamper-evident audit history over HTTP, against the production build:
// the Verify button (a form POST, with or without JavaScript) and the JSON
// export, checked offline by the very script docs/audit.md gives.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { purgeDueAccounts, scheduleDeletion } from "../../app/.server/accounts/deletion";
import { createApiKey } from "../../app/.server/orgs/api-keys";
import { recordAuditEvent } from "../../app/.server/orgs/audit";
import { actorOf, createTestOrg, type TestOrg } from "../factories/orgs";
import { createUser, DEFAULT_PASSWORD, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;
let dir: string;
beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl() });
  dir = mkdtempSync(path.join(tmpdir(), "gatehouse-audit-export-"));
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => truncateAll(db));

const { get, post } = pageRequests(() => server);
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

/** The script docs/audit.md gives, taken from the document itself (the block after its marker comment). */
function offlineScript(): string {
  const doc = readFileSync(path.resolve("docs/audit.md"), "utf8");
  const block = /<!-- verify-audit-export\.mjs:[^\n]*-->\n```js\n([\s\S]*?)\n```/.exec(doc);
  if (!block) throw new Error("docs/audit.md has no verify-audit-export.mjs block");
  const file = path.join(dir, "verify-audit-export.mjs");
  writeFileSync(file, block[1]!);
  return file;
}

function runOffline(exported: unknown, ...args: string[]) {
  const file = path.join(dir, `export-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof exported === "string" ? exported : JSON.stringify(exported));
  const result = spawnSync(process.execPath, [offlineScript(), file, ...args], { encoding: "utf8", timeout: 30_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

type Exported = { id: string; seq: number | null; actor: string; target: string | null; ip: string | null; metadata: Record<string, unknown>; created_at: string; chain: { hash: string; keys: Array<string | null> } | null };

let owner: TestUser, carol: TestUser, org: TestOrg, ownerCookie: string;
async function orgWithHistory() {
  owner = await createUser(db, { email: "owner@example.com", name: "Olivia Owner" });
  carol = await createUser(db, { email: "carol@example.com" });
  org = await createTestOrg(db, { slug: "acme", owner, members: [{ user: carol, role: "admin" }] });
  ownerCookie = await sessionCookieFor(db, owner);
  // Before the chain existed (written as the previous release did).
  await db.insertInto("audit_event").values({ org_id: org.id, actor_label: "owner@example.com", action: "org.created", target: "acme" }).execute();
  const { key } = await createApiKey(db, { orgId: org.id, name: "CI", actor: actorOf(owner), ip: "192.0.2.1" });
  for (let i = 0; i < 4; i++) {
    const response = await fetch(`${server.url}/api/v1/audit-events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ action: "deploy.finished", target: `web@1.${i}`, actor: "ci-bot", metadata: { build: 40 + i, tags: ["eu", "ü"], nested: { z: 1, a: null } } }),
    });
    expect(response.status).toBe(201);
  }
  await recordAuditEvent(db, { orgId: org.id, actor: actorOf(carol), action: "member.role_changed", target: "owner@example.com", ip: "198.51.100.7", metadata: { from: "admin", to: "owner" } });
}

const exportJson = async (): Promise<Exported[]> => {
  const response = await get("/orgs/acme/audit?format=json", ownerCookie);
  expect(response.status).toBe(200);
  return (await response.json()) as Exported[];
};

describe("the JSON export, verified offline by the script in docs/audit.md", () => {
  it("passes on a real export, and fails on an edited one, naming the event", async () => {
    await orgWithHistory();
    const exported = await exportJson();
    expect(exported).toHaveLength(8);
    expect(exported.filter((e) => e.chain === null)).toHaveLength(1); // the one from before the chain
    const good = runOffline(exported);
    expect(good.out).toMatch(/^OK: 7 events \(seq 1 to 7\), head hash [0-9a-f]{64}; 1 from before the chain$/);
    expect(good.status).toBe(0);

    const head = exported.find((e) => e.seq === 7)!;
    expect(runOffline(exported, head.chain!.hash).status).toBe(0);
    expect(runOffline(exported, "0".repeat(64))).toMatchObject({ status: 1, out: `FAIL: no event in this export has the hash ${"0".repeat(64)}` });

    const edit = (seq: number, change: (e: Exported) => void) => {
      const copy = structuredClone(exported);
      change(copy.find((e) => e.seq === seq)!);
      return runOffline(copy);
    };
    const idOf = (seq: number) => exported.find((e) => e.seq === seq)!.id;
    expect(edit(3, (e) => (e.target = "web@9.9"))).toEqual({ status: 1, out: `FAIL at event ${idOf(3)} (seq 3): its target does not match what the chain committed to` });
    expect(edit(7, (e) => (e.actor = "someone@example.com"))).toEqual({ status: 1, out: `FAIL at event ${idOf(7)} (seq 7): its actor does not match what the chain committed to` });
    expect(edit(4, (e) => (e.metadata.build = 1))).toMatchObject({ status: 1, out: expect.stringContaining("its metadata does not match") });
    expect(edit(2, (e) => (e.created_at = "2020-01-01T00:00:00.000Z"))).toEqual({ status: 1, out: `FAIL at event ${idOf(2)} (seq 2): its time, action or hash was changed` });
    // An erased-looking value with its key removed is accepted only where the key was withheld: here it is not.
    expect(edit(7, (e) => (e.ip = null))).toMatchObject({ status: 1, out: expect.stringContaining("its ip does not match") });
    // An event removed from the file.
    expect(runOffline(exported.filter((e) => e.seq !== 3))).toEqual({ status: 1, out: `FAIL at event ${idOf(4)} (seq 4): it does not follow the event before it` });
  });

  it("still passes after a member's purge erased them: the erased values' keys are withheld", async () => {
    await orgWithHistory();
    expect((await scheduleDeletion(db, { userId: carol.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, new Date())).ok).toBe(true);
    expect(await purgeDueAccounts(db, new Date(Date.now() + 8 * 86_400_000))).toBe(1);
    const exported = await exportJson();
    const erased = exported.find((e) => e.actor.startsWith("Deleted user #") && e.chain)!;
    expect(erased.ip).toBeNull();
    expect(erased.chain!.keys[0]).toBeNull(); // actor id
    expect(erased.chain!.keys[1]).toBeNull(); // actor
    expect(erased.chain!.keys[3]).toBeNull(); // ip
    expect(erased.chain!.keys[4]).toMatch(/^[0-9a-f]{32}$/); // details
    expect(JSON.stringify(exported)).not.toContain("carol@example.com");
    expect(runOffline(exported)).toMatchObject({ status: 0, out: expect.stringMatching(/^OK: /) });
  });
});

describe("the Verify button on /orgs/:slug/audit", () => {
  it("is a form that POSTs without JavaScript, and says the history verifies", async () => {
    await orgWithHistory();
    const page = await pageText(await get("/orgs/acme/audit", ownerCookie));
    expect(page).toMatch(/<form method="post" action="\/orgs\/acme\/audit"[^>]*><input type="hidden" name="intent" value="verify"\/><button[^>]*>Verify<\/button><\/form>/);
    const response = await post("/orgs/acme/audit", { intent: "verify" }, ownerCookie);
    expect(response.status).toBe(200);
    const text = await pageText(response);
    expect(text).toContain("The history verifies");
    expect(text).toContain("7 events checked, from number 1 to 7 in the chain.");
    expect(text).toContain("1 older event from before the chain existed is not covered.");
    const head = await db.selectFrom("audit_chain").select(sql<string>`encode(head_hash, 'hex')`.as("hash")).where("org_id", "=", org.id).executeTakeFirstOrThrow();
    expect(text).toContain(head.hash);
  });

  it("names the first event that does not match after an edit in SQL", async () => {
    await orgWithHistory();
    const third = await db.selectFrom("audit_event").select(sql<string>`id::text`.as("id")).where("org_id", "=", org.id).where("seq", "=", "3").executeTakeFirstOrThrow();
    await sql`update audit_event set target = 'web@0.0' where id = ${third.id}`.execute(db);
    const text = await pageText(await post("/orgs/acme/audit", { intent: "verify" }, ownerCookie));
    expect(text).toContain("The history does not verify");
    expect(text).toContain(`Event #${third.id} (number 3 in the chain) is the first that does not match: its target was changed. 2 events before it verified.`);
  });

  it("answers a JavaScript client's POST (Remix's data request) with the same result", async () => {
    await orgWithHistory();
    const response = await post("/orgs/acme/audit.data", { intent: "verify" }, ownerCookie);
    expect(response.status).toBe(200);
    const head = await db.selectFrom("audit_chain").select(sql<string>`encode(head_hash, 'hex')`.as("hash")).where("org_id", "=", org.id).executeTakeFirstOrThrow();
    const body = await response.text();
    expect(body).toContain("verification");
    expect(body).toContain(head.hash);
  });

  it("refuses members and bad input with a clear 4xx, and changes nothing", async () => {
    await orgWithHistory();
    const member = await createUser(db, { email: "max@example.com" });
    await db.insertInto("membership").values({ org_id: org.id, user_id: member.id, role: "member" }).execute();
    expect((await post("/orgs/acme/audit", { intent: "verify" }, await sessionCookieFor(db, member))).status).toBe(403);
    const bad = await post("/orgs/acme/audit", { intent: "delete-everything" }, ownerCookie);
    expect(bad.status).toBe(400);
    expect(await pageText(bad)).toContain("This form can only verify the history.");
    const extra = await post("/orgs/acme/audit", { intent: "verify", org: "other" }, ownerCookie);
    expect(extra.status).toBe(400);
    expect(await pageText(extra)).toContain("Unexpected field");
    expect(await db.selectFrom("audit_event").select("id").where("org_id", "=", org.id).execute()).toHaveLength(8);
  });
});
