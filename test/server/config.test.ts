import { describe, expect, it } from "vitest";
import { startServer } from "../setup/server-process";

describe("configuration errors", () => {
  it("stop the server with one clear line per problem, naming each variable", async () => {
    const server = await startServer(
      { GATEHOUSE_MODE: "cloud", PORT: "http", PUBLIC_URL: "ftp://example.com", DATABASE_URL: "mysql://root:hunter2@db/app" },
      { waitFor: "exit" },
    );
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split("\n");
    expect(lines[0]).toBe("Gatehouse cannot start: the configuration is invalid.");
    expect(lines.slice(1).map((line) => line.trim().split(":")[0]).sort()).toEqual(["DATABASE_URL", "GATEHOUSE_MODE", "PORT", "PUBLIC_URL"]);
    expect(server.stderr()).not.toContain("hunter2");
    expect(server.stderr()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("stop the server when the database cannot be reached at start", async () => {
    const server = await startServer(
      { DATABASE_URL: "postgres://postgres@127.0.0.1:1/nowhere", DB_CONNECT_TIMEOUT_MS: "500" },
      { waitFor: "exit" },
    );
    expect(await server.exited).toBe(1);
    expect(server.logs.some((line) => line.msg === "migrations failed; not starting")).toBe(true);
  });
});
