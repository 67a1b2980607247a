// Starts the production build (build/server.js) as a child process, the way
// `npm start` does, for tests of the HTTP layer, start-up and shutdown.
// `npm test` builds first; run `npm run build` before running these alone.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const SERVER_ENTRY = path.resolve("build/server.js");

export type ServerProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every JSON log line the server wrote so far. */
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Runs build/server.js with exactly `env` (plus PATH) and waits until it listens. */
export async function startServer(
  env: Record<string, string>,
  options: { waitFor?: "listening" | "exit"; nodeArgs?: string[]; startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  if (!existsSync(SERVER_ENTRY)) throw new Error("build/server.js is missing: run `npm run build` first");
  const port = Number(env.PORT ?? (await freePort()));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_ENTRY], {
    // No background worker unless a test asks: it would deliver other tests' queued mail.
    // A server on a shared test database seals secrets with the test run's key (vitest.config.ts), unless the test names one.
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", PORT: String(port), LOG_LEVEL: "info", RUN_WORKER: "false", ...(env.DATABASE_URL && process.env.SECRETS_KEY ? { SECRETS_KEY: process.env.SECRETS_KEY } : {}), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  let stdoutBuffer = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdoutBuffer += chunk.toString();
      let newline: number;
      while ((newline = stdoutBuffer.indexOf("\n")) >= 0) {
        const line = stdoutBuffer.slice(0, newline);
        stdoutBuffer = stdoutBuffer.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === "gatehouse is listening") resolve();
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
  });
  // With LOG_LEVEL above info there is no "listening" line: /healthz tells too.
  const healthy = (async (): Promise<void> => {
    for (;;) {
      if (child.exitCode !== null) return new Promise<never>(() => {});
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  listening.catch(() => {}); // a caller waiting for exit expects this rejection
  const quiet = ["warn", "error", "fatal", "silent"].includes(env.LOG_LEVEL ?? "info");
  if (options.waitFor !== "exit") await withTimeout(quiet ? healthy : listening, options.startTimeoutMs ?? 30_000, () => `server did not start:\n${stderr}`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    logs,
    stderr: () => stderr,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms))),
  ]).finally(() => clearTimeout(timer));
}
