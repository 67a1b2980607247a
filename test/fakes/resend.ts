// A local stand-in for Resend's HTTP API, spoken to by the real `resend` SDK
// (pointed here with RESEND_BASE_URL / the baseUrl option). It records every
// request and can be scripted to answer 429 with Retry-After, 5xx, a validation
// error, or to hang. Like Resend, it answers a repeated Idempotency-Key with the
// first answer instead of sending again.
//
// It can also be down for a while, until restore(): answering every send with a
// 5xx (failWith), refusing connections on its port (refuseConnections), or
// sending each message and then cutting the connection before the answer
// (loseAnswers: the sender cannot tell the message went out).
//
// What it delivered can be read back, in process with `messages()` or over HTTP
// with `GET /__test/emails?to=<address>` (for the e2e suite, whose server runs in
// another process). Those reads need no API key and are not recorded as requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type RecordedRequest = { method: string; path: string; headers: IncomingMessage["headers"]; body: Record<string, unknown> };
/** A message as the fake "delivered" it, for tests to read. */
export type SentEmail = { id: string; from: string; to: string[]; subject: string; text: string; html: string; receivedAt: string };
export type ScriptedAnswer = { status: number; body: unknown; headers?: Record<string, string> } | "hang";
type Outage = { kind: "status"; status: number; body: unknown } | { kind: "lost-answers" } | { kind: "refusing" };

export class FakeResend {
  readonly requests: RecordedRequest[] = [];
  /** Messages actually "sent": one per distinct Idempotency-Key that succeeded. */
  readonly delivered = new Map<string, RecordedRequest>();
  private script: ScriptedAnswer[] = [];
  private server?: Server;
  private hanging = new Set<ServerResponse>();
  private counter = 0;
  private outage: Outage | null = null;
  url = "";

  /** Listens on 127.0.0.1, on `port` when given (a fixed one for another process to find), else on any free port. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => {
        this.server!.off("error", reject);
        resolve();
      });
    });
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  /** The next requests get these answers, in order; after that, success. */
  answerNext(...answers: ScriptedAnswer[]) {
    this.script.push(...answers);
  }

  /**
   * Until restore(), every send is answered `status` before anything else is
   * looked at, so nothing is sent (an outage, not a rejected message). The
   * default body is Resend's JSON error; pass a string for a proxy's HTML page.
   */
  failWith(status = 503, body: unknown = { statusCode: status, name: "application_error", message: "Service temporarily unavailable" }) {
    this.outage = { kind: "status", status, body };
  }

  /** Until restore(), each send is delivered (or recognised by its Idempotency-Key) and then the connection is cut before the answer. */
  loseAnswers() {
    this.outage = { kind: "lost-answers" };
  }

  /** Until restore(), nothing listens on the port: connections are refused, and open ones are cut. */
  async refuseConnections() {
    if (!this.server?.listening) throw new Error("the fake is not listening");
    this.outage = { kind: "refusing" };
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Ends any outage; after refuseConnections(), listens again on the same port. */
  async restore() {
    const wasRefusing = this.outage?.kind === "refusing";
    this.outage = null;
    if (!wasRefusing || !this.server) return;
    const port = Number(new URL(this.url).port);
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => {
        this.server!.off("error", reject);
        resolve();
      });
    });
  }

  /** Delivered messages, oldest first; only those addressed to `to` (case-insensitive, with or without a display name) when given. */
  messages(to?: string): SentEmail[] {
    const wanted = to?.trim().toLowerCase();
    return [...this.delivered.values()]
      .map((request) => toSentEmail(request as RecordedRequest & { id: string; receivedAt?: string }))
      .filter((email) => !wanted || email.to.some((address) => bareAddress(address) === wanted));
  }

  /** Forgets requests, deliveries, any unused scripted answers and an outage (but keeps refusing connections until restore()). */
  reset() {
    this.requests.length = 0;
    this.delivered.clear();
    this.script = [];
    if (this.outage?.kind !== "refusing") this.outage = null;
  }

  async stop() {
    for (const res of this.hanging) res.destroy();
    const closed = new Promise<void>((resolve) => (this.server?.listening ? this.server.close(() => resolve()) : resolve()));
    // Idle keep-alive connections (the SDK's, a test reader's) would hold close() open.
    this.server?.closeIdleConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake-resend.invalid");
    if (url.pathname.startsWith("/__test/")) return this.handleTestRead(req, res, url);
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const request: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : {} };
    this.requests.push(request);

    if (this.outage?.kind === "status") return this.send(res, this.outage.status, this.outage.body);
    // With answers being lost, everything is decided (and recorded) as usual, then the line goes dead.
    const loseAnswer = this.outage?.kind === "lost-answers";
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => (loseAnswer ? res.destroy() : this.send(res, status, body, headers));

    if (req.headers.authorization !== "Bearer re_test_key") return answer(401, { statusCode: 401, name: "missing_api_key", message: "Missing API key" });
    if (req.method !== "POST" || req.url !== "/emails") return answer(404, { statusCode: 404, name: "not_found", message: "Not found" });

    const key = req.headers["idempotency-key"] as string | undefined;
    const previous = key ? this.delivered.get(key) : undefined;
    if (previous) return answer(200, { id: (previous as RecordedRequest & { id: string }).id });

    const scripted = this.script.shift();
    if (scripted === "hang") {
      this.hanging.add(res);
      return;
    }
    if (scripted) return answer(scripted.status, scripted.body, scripted.headers);

    const id = `re_${++this.counter}`;
    if (key) this.delivered.set(key, Object.assign(request, { id, receivedAt: new Date().toISOString() }));
    answer(200, { id });
  }

  private handleTestRead(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (req.method !== "GET" || url.pathname !== "/__test/emails") return this.send(res, 404, { message: "GET /__test/emails?to=<address>" });
    this.send(res, 200, { emails: this.messages(url.searchParams.get("to") ?? undefined) });
  }

  // A string body is sent as it is (an HTML error page from a proxy, say); anything else as JSON.
  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const isText = typeof body === "string";
    res.writeHead(status, { "Content-Type": isText ? "text/html" : "application/json", ...headers });
    res.end(isText ? body : JSON.stringify(body));
  }
}

function toSentEmail(request: RecordedRequest & { id: string; receivedAt?: string }): SentEmail {
  const { from, to, subject, text, html } = request.body as { from?: unknown; to?: unknown; subject?: unknown; text?: unknown; html?: unknown };
  const asString = (value: unknown) => (typeof value === "string" ? value : "");
  return {
    id: request.id,
    from: asString(from),
    to: (Array.isArray(to) ? to : [to]).map(asString),
    subject: asString(subject),
    text: asString(text),
    html: asString(html),
    receivedAt: request.receivedAt ?? "",
  };
}

// '"Ada" <ada@example.com>' and 'ada@example.com' are the same recipient.
function bareAddress(address: string): string {
  return (/<([^<>]+)>\s*$/.exec(address)?.[1] ?? address).trim().toLowerCase();
}

/** What a spawned server needs to send its mail to this fake, with its own worker and no pacing. */
export function resendServerEnv(baseUrl: string, from = "Gatehouse <no-reply@example.com>"): Record<string, string> {
  return { RUN_WORKER: "true", EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test_key", RESEND_BASE_URL: baseUrl, EMAIL_FROM: from, EMAIL_RATE_PER_SECOND: "0" };
}
