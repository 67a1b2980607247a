// A small, bounded load generator for the resilience tests: `concurrency` loops
// each send one request at a time (over keep-alive connections by default) until
// a duration or a total count is reached, and every outcome is recorded — the
// status, or the error and whether the request had gone out on an accepted
// connection (a refused connection is a different thing from a reset one).
// It only ever talks to 127.0.0.1.
import { Agent, request as httpRequest } from "node:http";

export type LoadRequest = {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded, same-origin like a browser's form post. */
  form?: Record<string, string>;
  /** The test's own label for this request (an email address, say). */
  tag?: string;
};

export type Outcome = {
  loop: number;
  request: LoadRequest;
  /** Milliseconds since the load began. */
  sentAt: number;
  endedAt: number;
  /** Set when a complete response arrived. */
  status?: number;
  body?: string;
  /** Set when no complete response arrived: ECONNREFUSED, ECONNRESET, "timeout", ... */
  error?: string;
  /** Whether the request went out on a connection the server had accepted. */
  connected: boolean;
};

export type LoadOptions = {
  baseUrl: string;
  concurrency: number;
  /** Stop starting requests after this long ... */
  durationMs?: number;
  /** ... or after this many requests in all, whichever comes first. */
  count?: number;
  /** Each loop waits this long between its requests, to keep the traffic modest. */
  pauseMs?: number;
  keepAlive?: boolean;
  /** A request that takes longer than this is recorded as "timeout" rather than awaited forever. */
  requestTimeoutMs?: number;
  /** The n-th request of the whole run (0-based). */
  next: (n: number) => LoadRequest;
};

export type Load = {
  /** Outcomes so far, in the order they ended. */
  outcomes: Outcome[];
  /** Milliseconds since the load began, on the clock `sentAt`/`endedAt` use. */
  now: () => number;
  /** Stops starting new requests; in-flight ones still finish. */
  stop: () => void;
  /** Resolves once every loop has finished. */
  done: Promise<Outcome[]>;
};

export function startLoad(options: LoadOptions): Load {
  const base = new URL(options.baseUrl);
  if (base.hostname !== "127.0.0.1") throw new Error(`the load generator only talks to 127.0.0.1, not ${base.hostname}`);
  if (options.durationMs === undefined && options.count === undefined) throw new Error("a load needs a duration or a count");
  const agent = new Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.concurrency });
  const started = performance.now();
  const now = () => performance.now() - started;
  const outcomes: Outcome[] = [];
  let issued = 0;
  let stopped = false;
  const more = () => !stopped && (options.count === undefined || issued < options.count) && (options.durationMs === undefined || now() < options.durationMs);

  const loop = async (index: number) => {
    while (more()) {
      const request = options.next(issued++);
      outcomes.push(await send(base, agent, request, index, now, options.requestTimeoutMs ?? 15_000));
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, (_, i) => loop(i))).then(() => {
    agent.destroy();
    return outcomes;
  });
  return { outcomes, now, stop: () => (stopped = true), done };
}

/** Runs a load to its end. */
export function runLoad(options: LoadOptions): Promise<Outcome[]> {
  return startLoad(options).done;
}

function send(base: URL, agent: Agent, request: LoadRequest, loop: number, now: () => number, timeoutMs: number): Promise<Outcome> {
  const body = request.form ? new URLSearchParams(request.form).toString() : undefined;
  const headers: Record<string, string> = { ...request.headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    headers["Content-Length"] = String(Buffer.byteLength(body));
    headers["Sec-Fetch-Site"] ??= "same-origin";
  }
  const sentAt = now();
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    const finish = (result: Pick<Outcome, "status" | "body" | "error">) => {
      if (settled) return;
      settled = true;
      resolve({ loop, request, sentAt, endedAt: now(), connected, ...result });
    };
    const req = httpRequest(new URL(request.path, base), { method: request.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      // A body cut short ends in "aborted"/"error" here, never in "end".
      res.on("end", () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
      res.on("aborted", () => finish({ error: "aborted" }));
    });
    req.on("socket", (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once("connect", () => (connected = true));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
    req.on("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    req.end(body);
  });
}

/** How many outcomes had each status or error, e.g. { "200": 97, "503": 12, "ECONNREFUSED": 3 }. */
export function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.status !== undefined ? String(outcome.status) : String(outcome.error);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
