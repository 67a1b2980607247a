// The operator's "erase now" over HTTP, against the production build: several
// operators pressing it for the same person at once all get an answer, never a
// 500 (it used to deadlock), and the person is gone.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createOrg } from "../../app/.server/orgs/orgs";
import { createUser, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;
const { post } = pageRequests(() => server);

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl() });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

it("answers every one of three simultaneous erase-now requests, and erases the person once", async () => {
  const operators = await Promise.all(["op1", "op2", "op3"].map((name) => createUser(db, { email: `${name}@example.com` })));
  await db.updateTable("user").set({ is_operator: true }).where("id", "in", operators.map((o) => o.id)).execute();
  const cookies = await Promise.all(operators.map((operator) => sessionCookieFor(db, operator)));
  for (let round = 0; round < 3; round++) {
    const ada = await createUser(db, { email: `ada${round}@example.com` });
    const bob = await createUser(db, { email: `bob${round}@example.com` });
    await createOrg(db, { name: "Shared", slug: `shared-${round}`, owner: { userId: bob.id, label: bob.email }, ip: null });
    const org = await db.selectFrom("org").select("id").where("slug", "=", `shared-${round}`).executeTakeFirstOrThrow();
    await db.insertInto("membership").values({ org_id: org.id, user_id: ada.id, role: "admin" }).execute();
    await createOrg(db, { name: "Solo", slug: `solo-${round}`, owner: { userId: ada.id, label: ada.email }, ip: null });

    const answers = await Promise.all(cookies.map((cookie) => post("/admin/users", { userId: ada.id, when: "now", confirm: "yes", confirmText: ada.email }, cookie)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses, JSON.stringify(statuses)).toEqual([200, 200, 200]);
    const pages = await Promise.all(answers.map((answer) => answer.text()));
    expect(pages.every((page) => /The user was erased|erasure is under way/.test(page))).toBe(true);
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).execute()).toEqual([]);
  }
  expect(server.logs.filter((line) => line.level === "error")).toEqual([]);
}, 120_000);
