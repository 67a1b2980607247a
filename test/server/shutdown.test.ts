import { request } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { workerDatabaseUrl } from "../setup/databases";
import { startServer } from "../setup/server-process";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("graceful shutdown", () => {
  it("lets an in-flight request finish after SIGTERM, refuses new ones, and exits 0", async () => {
    const server = await startServer({ DATABASE_URL: workerDatabaseUrl() });
    const body = "email=slow%40example.com&name=Slow+Upload";

    // A request whose body arrives slowly is in flight for as long as we like.
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${server.url}/privacy`,
        { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": body.length, "Sec-Fetch-Site": "same-origin" } },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      void sleep(700).then(() => req.end(body.slice(10)));
    });

    await sleep(200);
    server.child.kill("SIGTERM");
    await sleep(200);
    // A new connection is refused. (fetch might reuse a kept-alive one, which is
    // still answered, with "Connection: close": see connection-drain.ts.)
    const newConnection = new Promise<void>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () => (socket.destroy(), resolve()));
      socket.on("error", reject);
    });
    await expect(newConnection).rejects.toThrow(/ECONNREFUSED/);

    const finished = await response;
    expect(finished.status).toBe(405); // /privacy has no action: a full, normal answer
    expect(finished.body).toContain("That action is not available here");
    expect(await server.exited).toBe(0);
    expect(server.logs.map((l) => l.msg)).toContain("stopped cleanly");
  });
});
