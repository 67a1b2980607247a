// The HTTP layer's rules, checked against the real production build.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), BODY_LIMIT_BYTES: "2048" });
  // PUBLIC_URL defaults to http://localhost:<port>
});
afterAll(() => server.stop());

const publicOrigin = () => `http://localhost:${server.port}`;
const form = "email=someone%40example.com";
const postHeaders = { "Content-Type": "application/x-www-form-urlencoded" };

function logFor(requestId: string | null) {
  return server.logs.find((line) => line.msg === "request" && line.requestId === requestId);
}

async function waitForLog(requestId: string | null) {
  for (let i = 0; i < 50 && !logFor(requestId); i++) await new Promise((r) => setTimeout(r, 20));
  return logFor(requestId);
}

describe("CSRF origin check", () => {
  it("refuses a POST with neither Origin nor Sec-Fetch-Site (fails closed)", async () => {
    const response = await fetch(`${server.url}/`, { method: "POST", headers: postHeaders, body: form });
    expect(response.status).toBe(403);
  });

  it("refuses Origin: null and a foreign Origin", async () => {
    for (const origin of ["null", "https://evil.example", `http://localhost:${server.port}.evil.example`]) {
      const response = await fetch(`${server.url}/`, { method: "POST", headers: { ...postHeaders, Origin: origin }, body: form });
      expect(response.status, origin).toBe(403);
    }
  });

  it("refuses a cross-site request even when it also sends our Origin", async () => {
    const response = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { ...postHeaders, Origin: publicOrigin(), "Sec-Fetch-Site": "cross-site" },
      body: form,
    });
    expect(response.status).toBe(403);
  });

  it("lets a same-origin POST reach the app", async () => {
    for (const headers of [{ "Sec-Fetch-Site": "same-origin" }, { Origin: publicOrigin() }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/privacy`, { method: "POST", headers: { ...postHeaders, ...headers }, body: form });
      // /privacy has no action: Remix answers 405, which proves the request got past the check.
      expect(response.status).toBe(405);
    }
  });

  it("does not apply to webhooks and the bearer-key API", async () => {
    const response = await fetch(`${server.url}/api/v1/org`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(response.status).not.toBe(403);
  });
});

describe("client IP", () => {
  it("ignores X-Forwarded-For when TRUST_PROXY is unset", async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { "X-Forwarded-For": "1.2.3.4" } });
    const line = await waitForLog(response.headers.get("x-request-id"));
    expect(line?.ip).toBe("127.0.0.1");
  });
});

describe("body limit", () => {
  const big = "x".repeat(4096);

  it("answers 413 for an oversized form before reading it", async () => {
    const response = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { ...postHeaders, "Sec-Fetch-Site": "same-origin" },
      body: `email=${big}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "Request body is larger than 2048 bytes." });
  });

  it("answers 413 for an oversized chunked JSON body with no Content-Length", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/v1/audit-events`, { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 8; i++) req.write(JSON.stringify({ chunk: big.slice(0, 1000) }));
      req.end();
    });
    expect(status).toBe(413);
  });
});

describe("responses", () => {
  it("send security headers with a nonce-based CSP and no unsafe-inline", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("strict-transport-security")).toBeNull(); // http PUBLIC_URL
    expect(response.headers.get("x-powered-by")).toBeNull();
    // Every inline script Remix wrote carries this response's nonce.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const html = await response.text();
    const inlineScripts = html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? [];
    expect(inlineScripts.length).toBeGreaterThan(0);
    for (const tag of inlineScripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("serve fingerprinted assets as immutable for a year", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const asset = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
    const response = await fetch(`${server.url}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("serve the favicons from the top of build/client for an hour, and nothing else from there", async () => {
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toContain("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("public, max-age=3600");
    // Not a way into the asset folder, or out of build/client.
    for (const path of ["/assets", "/../server.js", "/%2e%2e/server.js"]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it("render a 404 page for an unknown path", async () => {
    const response = await fetch(`${server.url}/no/such/page`);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain("Page not found");
  });

  it("render an error page without any error detail", async () => {
    // A GET to a page with no such route data is a 404; a PUT to a page without an
    // action makes Remix raise a 405 through the same error boundary.
    const response = await fetch(`${server.url}/privacy`, { method: "PUT", headers: { "Sec-Fetch-Site": "same-origin" } });
    expect(response.status).toBe(405);
    const html = await response.text();
    expect(html).toContain("That action is not available here");
    expect(html).not.toMatch(/at [\w.]+ \(|node_modules|\.ts:\d+/);
  });

  it("keep tokens in URLs out of the logs", async () => {
    const response = await fetch(`${server.url}/reset-password/super-secret-token`);
    const line = await waitForLog(response.headers.get("x-request-id"));
    expect(line?.url).toBe("/reset-password/[redacted]");
    expect(JSON.stringify(server.logs)).not.toContain("super-secret-token");
  });
});

describe("health", () => {
  it("answers /healthz and /readyz with JSON", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: "ok", pendingMigrations: [] });
  });
});

describe("behind a trusted proxy", () => {
  it("takes the client IP from X-Forwarded-For and sends HSTS for an https PUBLIC_URL", async () => {
    const proxied = await startServer({
      DATABASE_URL: workerDatabaseUrl(),
      TRUST_PROXY: "loopback",
      PUBLIC_URL: "https://accounts.example.com",
    });
    try {
      const response = await fetch(`${proxied.url}/healthz`, { headers: { "X-Forwarded-For": "6.6.6.6, 1.2.3.4" } });
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      const id = response.headers.get("x-request-id");
      for (let i = 0; i < 50 && !proxied.logs.some((l) => l.requestId === id); i++) await new Promise((r) => setTimeout(r, 20));
      expect(proxied.logs.find((l) => l.requestId === id)?.ip).toBe("1.2.3.4");
    } finally {
      await proxied.stop();
    }
  });
});
