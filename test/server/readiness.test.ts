import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";
import { TcpProxy } from "../setup/tcp-proxy";

const target = new URL(ADMIN_URL);
const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
let server: ServerProcess;

beforeAll(async () => {
  await proxy.start();
  const url = new URL(workerDatabaseUrl());
  url.host = `127.0.0.1:${proxy.port}`;
  server = await startServer({ DATABASE_URL: url.toString(), DB_CONNECT_TIMEOUT_MS: "500" });
});
afterAll(async () => {
  await server.stop();
  await proxy.stop();
});

describe("readiness when the database goes away", () => {
  it("answers 503 fast while the database is down, stays alive, and recovers", async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    await proxy.stop();
    const started = performance.now();
    const down = await fetch(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "unavailable", database: "unreachable" });
    expect(performance.now() - started).toBeLessThan(2_500);
    // Liveness is about the process, which is fine.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // A page that needs no database still renders (the landing page needs one for its form).
    expect((await fetch(`${server.url}/privacy`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();

    await proxy.start(proxy.port);
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await fetch(`${server.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});
