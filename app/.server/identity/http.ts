// The provider's place in the Express app (mounted before the CSRF check:
// OAuth endpoints are called cross-site by design and authenticate clients
// themselves). Discovery is served at the issuer, the protocol under /oauth,
// and the JWKS straight from the database so every replica publishes keys
// made after it started (rotation).
import express, { type NextFunction, type Request, type Response } from "express";
import type Provider from "oidc-provider";
import type { Database } from "../db";
import type { Env } from "../env";
import type { RequestContext } from "../http/request-context";
import { publicSigningKeys } from "./keys";

export type InteractionLookup = { ok: true; interaction: Awaited<ReturnType<Provider["interactionDetails"]>> } | { ok: false };

/** What /interaction/:uid loaders and actions find in their load context. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    oidcInteraction?: InteractionLookup;
  }
}

const JWKS_CACHE_MS = 30_000;

export function oidcRoutes(provider: Provider, options: { env: Env; db: Database }): express.Router {
  const { env, db } = options;
  const router = express.Router();
  const callback = provider.callback();

  // The issuer is PUBLIC_URL, so its metadata is at PUBLIC_URL/.well-known/…;
  // the provider itself answers it as if asked under /oauth (its endpoints' base).
  router.get("/.well-known/openid-configuration", (req: Request, _res: Response, next: NextFunction) => {
    req.url = req.originalUrl = "/oauth/.well-known/openid-configuration";
    next();
  });

  let jwksCache: { at: number; body: unknown } | undefined;
  router.get("/oauth/jwks", async (_req: Request, res: Response, next: NextFunction) => {
    try {
      if (!jwksCache || Date.now() - jwksCache.at > JWKS_CACHE_MS) jwksCache = { at: Date.now(), body: { keys: await publicSigningKeys(db) } };
      res.set("Cache-Control", "public, max-age=60").type("application/jwk-set+json").send(JSON.stringify(jwksCache.body));
    } catch (error) {
      next(error);
    }
  });

  // The provider's own device pages are replaced by ours.
  router.all("/oauth/device", (req: Request, res: Response) => {
    const userCode = typeof req.query.user_code === "string" ? `?user_code=${encodeURIComponent(req.query.user_code.slice(0, 20))}` : "";
    res.redirect(303, `/device${userCode}`);
  });

  router.use("/oauth", (req: Request, res: Response) => {
    const context = res.locals.context as RequestContext;
    // URLs the provider builds come from PUBLIC_URL, never from what the client
    // sent; behind trusted proxies the client IP is the one we resolved.
    req.headers.host = env.PUBLIC_URL.host;
    delete req.headers["x-forwarded-host"];
    if (provider.proxy) {
      req.headers["x-forwarded-proto"] = env.PUBLIC_URL.protocol.slice(0, -1);
      req.headers["x-forwarded-for"] = context.clientIp;
    } else {
      delete req.headers["x-forwarded-proto"];
      delete req.headers["x-forwarded-for"];
    }
    void callback(req, res);
  });

  // Our sign-in and consent pages read the interaction the browser's signed
  // cookie is bound to (so a link to someone else's request shows nothing).
  router.use("/interaction/:uid", async (req: Request, res: Response, next: NextFunction) => {
    const context = res.locals.context as RequestContext & { oidcInteraction?: InteractionLookup };
    try {
      const interaction = await provider.interactionDetails(req, res);
      context.oidcInteraction = interaction.uid === req.params.uid ? { ok: true, interaction } : { ok: false };
    } catch {
      context.oidcInteraction = { ok: false };
    }
    next();
  });

  return router;
}
