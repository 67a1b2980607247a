// The operator CLI against an embedded database the server is using: one
// sentence saying what to do, exit code 1, no stack trace.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ADMIN_ENTRY = path.resolve("build/admin.js");

let dataDir: string;
let holder: ReturnType<typeof spawn>;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-admin-cli-"));
  // A live process on this host holds the directory, as the running server does.
  holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  writeFileSync(path.join(dataDir, "gatehouse.lock"), `${hostname()} ${holder.pid}`);
});
afterAll(() => {
  holder.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run admin:* while the embedded server runs", () => {
  it("prints only the sentence that says what to do, and exits 1", () => {
    // Every command of the CLI, not only the two of the original report.
    const commands = [
      ["grant", "ada@example.com"],
      ["invite", "ada@example.com"],
      ["app", "list"],
      ["rotate-keys"],
      ["audit-verify", "--org", "acme"],
      ["webhook", "list"],
      ["sso", "list"],
    ];
    for (const [command, ...args] of commands) {
      const result = spawnSync(process.execPath, [ADMIN_ENTRY, command!, ...args], {
        env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", DATA_DIR: dataDir, LOG_LEVEL: "silent" },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status, command).toBe(1);
      expect(result.stdout, command).toBe("");
      expect(result.stderr.trim().split("\n"), command).toEqual([
        `The embedded database in ${dataDir} is in use by process ${holder.pid} on ${hostname()} (the server?). Stop it first, or set DATABASE_URL.`,
      ]);
    }
  });
});
