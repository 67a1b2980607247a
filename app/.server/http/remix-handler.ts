// Hands an Express request to Remix as a Fetch Request, and streams Remix's
// Response back. Written here rather than taken from @remix-run/express because
// the body has already been read (and size-checked) by bodyLimit, and because the
// request URL must be built from PUBLIC_URL, never from the Host header.
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from "express";
import { once } from "node:events";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { requestStore, type RequestContext } from "./request-context";

export function remixHandler(options: { build: ServerBuild | (() => Promise<ServerBuild>); mode: string; publicUrl: URL }) {
  const handle = createRequestHandler(options.build, options.mode);

  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const context = res.locals.context as RequestContext;
    try {
      const request = toFetchRequest(req, res, context.url, options.publicUrl);
      const response = await requestStore.run(context, () => handle(request, context));
      await sendFetchResponse(res, withUnavailableStatus(response, context));
    } catch (error) {
      next(error);
    }
  };
}

// Public addresses whose answer is a file, served by a component-less route.
const FILE_ALIASES: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  // /orgs/:slug/audit?format=csv|json → /orgs/:slug/audit/export (the route contract in DESIGN.md)
  [/^\/orgs\/([^/]+)\/audit$/, (m) => `/orgs/${m[1]}/audit/export`],
];

function toFetchRequest(req: ExpressRequest, res: ExpressResponse, resolvedUrl: URL, publicUrl: URL): Request {
  // The URL the CSRF check decided on (request-target.ts), never re-parsed from the raw target.
  const url = new URL(resolvedUrl);
  const format = url.searchParams.get("format");
  if (format === "csv" || format === "json") {
    for (const [pattern, target] of FILE_ALIASES) {
      const match = pattern.exec(url.pathname);
      if (match) url.pathname = target(match);
    }
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // The request is addressed to PUBLIC_URL, so that is the host it carries,
  // whatever the client sent; a client's X-Forwarded-Host means nothing here.
  headers.set("host", publicUrl.host);
  headers.delete("x-forwarded-host");
  // Our CSRF check (csrf.ts) has already decided on this request, with the
  // Origin and Sec-Fetch-Site headers. Remix's own Origin-vs-Host check would
  // only turn what it disagrees with into a 500: an "Origin: null" from a
  // no-referrer page, an Origin that is not a URL, a server's foreign Origin on
  // an exempt /api/v1 or /webhooks path. Nothing in the app reads Origin.
  headers.delete("origin");
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.rawBody !== undefined;
  return new Request(url, {
    method: req.method,
    headers,
    signal: controller.signal,
    body: hasBody ? (req.rawBody as unknown as BodyInit) : undefined,
  });
}

// Remix turns any loader error into a 500; when the cause was an unreachable
// database the honest answer is 503, which tells clients and balancers to retry.
function withUnavailableStatus(response: Response, context: RequestContext): Response {
  if (response.status !== 500 || !context.databaseUnavailable) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", "5");
  return new Response(response.body, { status: 503, statusText: "Service Unavailable", headers });
}

async function sendFetchResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  // A route's own header (Referrer-Policy on a token page, say) replaces the
  // default set earlier instead of being listed after it.
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);

  if (response.body) await writeBody(response.body, res);
  else res.end();
}

// Remix's writeReadableStreamToWritable never waits for 'drain': with a slow
// client a streamed export would be read from the database as fast as it can
// be and pile up in memory. This waits, and stops reading (cancelling the
// stream, so its source stops querying) once the client has gone.
async function writeBody(body: ReadableStream<Uint8Array>, res: ExpressResponse): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    throw error;
  }
}
