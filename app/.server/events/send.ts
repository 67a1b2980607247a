// One HTTP POST to an endpoint, to the address that was checked (the request's
// DNS lookup is replaced by that address, so a name cannot resolve to a public
// address for the check and a private one for the connection). TLS still
// verifies the certificate against the URL's host name. Redirects are not
// followed; the response body is read and thrown away.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";

export type SendResult = { ok: true; status: number; durationMs: number } | { ok: false; status: number | null; durationMs: number; error: string };

const MAX_RESPONSE_BYTES = 64 * 1024;

export function postSigned(input: { url: URL; address: string; family: 4 | 6; headers: Record<string, string>; body: string; timeoutMs: number }): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: input.address, family: input.family }]);
    else callback(null, input.address, input.family);
  };
  const client = input.url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      input.url,
      {
        method: "POST",
        lookup: pinned,
        agent: false,
        timeout: input.timeoutMs,
        headers: { ...input.headers, "content-type": "application/json", "content-length": Buffer.byteLength(input.body), "user-agent": "Gatehouse-Webhooks/1" },
      },
      (response) => {
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = () => {
          const status = response.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? { ok: true, status, durationMs: elapsed() } : { ok: false, status, durationMs: elapsed(), error: `the endpoint answered ${status}` });
        };
        response.on("end", done);
        response.on("close", done);
        response.on("error", done);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${Math.round(input.timeoutMs / 1000)} s`)));
    request.on("error", (error) => resolve({ ok: false, status: null, durationMs: elapsed(), error: error.message.slice(0, 200) }));
    request.end(input.body);
  });
}
