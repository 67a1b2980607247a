// A local stand-in for Resend's HTTP API, spoken to by the real `resend` SDK
// (pointed here with RESEND_BASE_URL / the baseUrl option). It records every
// request and can be scripted to answer 429 with Retry-After, 5xx, a validation
// error, or to hang. Like Resend, it answers a repeated Idempotency-Key with the
// first answer instead of sending again.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type RecordedRequest = { method: string; path: string; headers: IncomingMessage["headers"]; body: Record<string, unknown> };
export type ScriptedAnswer = { status: number; body: unknown; headers?: Record<string, string> } | "hang";

export class FakeResend {
  readonly requests: RecordedRequest[] = [];
  /** Messages actually "sent": one per distinct Idempotency-Key that succeeded. */
  readonly delivered = new Map<string, RecordedRequest>();
  private script: ScriptedAnswer[] = [];
  private server?: Server;
  private hanging = new Set<ServerResponse>();
  private counter = 0;
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  /** The next requests get these answers, in order; after that, success. */
  answerNext(...answers: ScriptedAnswer[]) {
    this.script.push(...answers);
  }

  /** Forgets requests, deliveries and any unused scripted answers. */
  reset() {
    this.requests.length = 0;
    this.delivered.clear();
    this.script = [];
  }

  async stop() {
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const request: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : {} };
    this.requests.push(request);

    if (req.headers.authorization !== "Bearer re_test_key") return this.send(res, 401, { statusCode: 401, name: "missing_api_key", message: "Missing API key" });
    if (req.method !== "POST" || req.url !== "/emails") return this.send(res, 404, { statusCode: 404, name: "not_found", message: "Not found" });

    const key = req.headers["idempotency-key"] as string | undefined;
    const previous = key ? this.delivered.get(key) : undefined;
    if (previous) return this.send(res, 200, { id: (previous as RecordedRequest & { id: string }).id });

    const answer = this.script.shift();
    if (answer === "hang") {
      this.hanging.add(res);
      return;
    }
    if (answer) return this.send(res, answer.status, answer.body, answer.headers);

    const id = `re_${++this.counter}`;
    if (key) this.delivered.set(key, Object.assign(request, { id }));
    this.send(res, 200, { id });
  }

  // A string body is sent as it is (an HTML error page from a proxy, say); anything else as JSON.
  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const isText = typeof body === "string";
    res.writeHead(status, { "Content-Type": isText ? "text/html" : "application/json", ...headers });
    res.end(isText ? body : JSON.stringify(body));
  }
}
