// A receiver of outbound events on 127.0.0.1: it records every request and
// checks its signature with the Standard Webhooks reference implementation
// (`Webhook.verify`), as a vendor's app would. `answer` decides each status.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type ReceivedEvent = { id: string; headers: IncomingHttpHeaders; body: string; verified: boolean; payload: { type: string; version: number; timestamp: string; data: Record<string, unknown> } | null };

export class WebhookReceiver {
  received: ReceivedEvent[] = [];
  /** The secret Webhook.verify checks against; set it to the endpoint's. */
  secret = "";
  /** The status to answer a request with, given how many times this webhook-id came before. */
  answer: (id: string, seenBefore: number) => number = () => 200;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const id = String(request.headers["webhook-id"] ?? "");
        let verified = false;
        let payload: ReceivedEvent["payload"] = null;
        try {
          payload = new Webhook(this.secret).verify(body, request.headers as Record<string, string>) as ReceivedEvent["payload"];
          verified = true;
        } catch {
          verified = false;
        }
        const seenBefore = this.received.filter((r) => r.id === id).length;
        this.received.push({ id, headers: request.headers, body, verified, payload });
        response.statusCode = this.answer(id, seenBefore);
        response.end("a body we must not keep");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  reset() {
    this.received = [];
    this.answer = () => 200;
  }

  countById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
