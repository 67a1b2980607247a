// The Express application: the order of these middlewares is the security model.
// 1. request context (id, trusted client IP, CSP nonce, the resolved URL; a
//    path with dot segments ends here with 400) and headers on every response
// 2. health endpoints (cheap, no body, no CSRF)
// 3. static assets
// 4. the OpenID Connect provider (/oauth, discovery; it authenticates its own callers)
// 5. CSRF origin check, login flood shedding, then the body limit, then Remix
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import type { ServerBuild } from "@remix-run/node";
import type { Logger } from "pino";
import { analyticsSettings } from "../analytics";
import { checkCsrf } from "../csrf";
import { shedLoginFloods } from "./login-shedding";
import type { Database } from "../db";
import { buildTrustedProxyList, type Env } from "../env";
import { redactUrl } from "../logger";
import { bodyLimit } from "./body-limit";
import { resolveClientIp } from "./client-ip";
import { healthz, readyz } from "./health";
import { remixHandler } from "./remix-handler";
import type { RequestContext } from "./request-context";
import { resolveRequestTarget } from "./request-target";
import { securityHeaders } from "./security-headers";

export type HttpAppOptions = {
  env: Env;
  logger: Logger;
  db: Database;
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** build/client, served as static files; absent in development (Vite serves it). */
  clientDir?: string;
  /** Development only: Vite's middlewares, mounted before Remix. */
  devMiddleware?: express.RequestHandler;
  /** The OpenID Connect provider's routes (identity/http.ts): before the CSRF check, as OAuth clients call cross-site. */
  oidcRoutes?: express.Router;
};

export function createHttpApp(options: HttpAppOptions): express.Express {
  const { env, logger } = options;
  const trustedProxies = buildTrustedProxyList(env.TRUST_PROXY);
  const publicOrigin = env.PUBLIC_URL.origin;
  const analyticsOrigin = analyticsSettings(env)?.origin ?? null;
  // An operator logo on its own https origin is the one other image source allowed.
  const logoOrigin = env.BRAND_LOGO_URL?.startsWith("https://") ? new URL(env.BRAND_LOGO_URL).origin : null;
  const app = express();
  app.disable("x-powered-by");
  // Express's own proxy handling is off: resolveClientIp is the one rule.
  app.set("trust proxy", false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const target = resolveRequestTarget(req.originalUrl, env.PUBLIC_URL);
    const context: RequestContext = {
      requestId: randomUUID(),
      clientIp: resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies),
      cspNonce: randomBytes(16).toString("base64"),
      url: target.ok ? target.url : new URL("/", env.PUBLIC_URL),
    };
    res.locals.context = context;
    res.set(securityHeaders(context.cspNonce, env.PUBLIC_URL, { analyticsOrigin, logoOrigin }));
    res.set("X-Request-Id", context.requestId);
    logRequest(logger, req, res, context);
    if (!target.ok) {
      res.status(400).type("text/plain").send(`This address cannot be used: ${target.reason}.`);
      return;
    }
    // From here on every middleware, and Remix, sees the path routing uses.
    req.url = `${target.url.pathname}${target.url.search}`;
    next();
  });

  app.get("/healthz", healthz);
  app.get("/readyz", readyz(options.db, logger));

  if (options.clientDir) {
    // Vite fingerprints everything under /assets, so it can be cached forever.
    app.use("/assets", express.static(path.join(options.clientDir, "assets"), { immutable: true, maxAge: "1y", index: false }));
    // The rest of build/client is a few files at the top (favicons): looked up
    // by name, so a page request does not cost a stat() of a file that is not there.
    const topLevelFiles = new Set(readdirSync(options.clientDir, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => `/${entry.name}`));
    const serveTopLevelFile = express.static(options.clientDir, { maxAge: "1h", index: false });
    app.use((req: Request, res: Response, next: NextFunction) => (topLevelFiles.has(req.path) ? serveTopLevelFile(req, res, next) : next()));
  }
  if (options.devMiddleware) app.use(options.devMiddleware);
  if (options.oidcRoutes) app.use(options.oidcRoutes);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const context = res.locals.context as RequestContext;
    const verdict = checkCsrf({
      method: req.method,
      // The resolved path (see request-target.ts), the one Remix routes on.
      path: context.url.pathname,
      secFetchSite: req.get("sec-fetch-site"),
      origin: req.get("origin"),
      publicOrigin,
    });
    if (verdict.ok) return next();
    logger.warn({ requestId: context.requestId, ip: context.clientIp, reason: verdict.reason }, "csrf check refused a request");
    res.status(403).type("text/plain").send("This request did not come from this site's own pages, so it was refused.");
  });

  app.use(shedLoginFloods);
  app.use(bodyLimit(env.BODY_LIMIT_BYTES));
  app.all("*", remixHandler({ build: options.build, mode: env.NODE_ENV, publicUrl: env.PUBLIC_URL }));

  // Last resort: something below threw outside Remix. Never show the error itself.
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    const context = res.locals.context as RequestContext;
    logger.error({ requestId: context?.requestId, err: error }, "unhandled error");
    if (res.headersSent) return res.end();
    res.status(500).type("text/plain").send(`Something went wrong on our side. Reference: ${context?.requestId ?? "unknown"}`);
  });

  return app;
}

function logRequest(logger: Logger, req: Request, res: Response, context: RequestContext) {
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info(
      {
        requestId: context.requestId,
        method: req.method,
        url: redactUrl(req.originalUrl),
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        ip: context.clientIp,
        userAgent: req.get("user-agent"),
      },
      "request",
    );
  });
}
