// Gatehouse as an OpenID Connect provider: oidc-provider (panva, certified)
// configured for our accounts, our storage and our pages (docs/decisions/0017).
// The protocol endpoints live under /oauth; sign-in and consent are our own
// Remix pages (/interaction/:uid), the device page is /device.
import { createHash } from "node:crypto";
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import type { Logger } from "pino";
import type { Database } from "../db";
import type { Env } from "../env";
import type { RequestContext } from "../http/request-context";
import { consumeRateLimit } from "../rate-limit";
import { checkSessionForApps, mayReceiveTokens } from "../orgs/security-policy/check";
import { validateSessionToken } from "../session";
import { readSessionToken } from "../session-cookie";
import { singleton } from "../singleton";
import { createAdapterFactory } from "./adapter";
import { clientSecretMatches, findApp } from "./apps";
import { loadAccountClaims } from "./claims";
import { ensureOidcKeys, loadOidcKeys } from "./keys";
import { renderProviderError } from "./provider-error-page";

export const OIDC_SCOPES = ["openid", "email", "profile", "orgs", "offline_access"] as const;
/** Scopes an API (resource server) may be granted in a JWT access token. */
const RESOURCE_SCOPES = new Set(["email", "profile", "orgs"]);
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
export const DEVICE_CODE_TTL_SECONDS = 10 * 60;
const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/** Extra device-authorization parameters a CLI sends to describe itself (shown on /device). */
export const DEVICE_DETAIL_PARAMS = ["hostname", "os", "cli_version"] as const;

/** The Express request context (trusted client IP, request id), reached from oidc-provider's Koa context. */
export function requestContextOf(ctx: { res: unknown }): RequestContext | undefined {
  return (ctx.res as { locals?: { context?: RequestContext } }).locals?.context;
}

const oneLineDetail = (ctx: KoaContextWithOIDC, value: string | undefined) => {
  // eslint-disable-next-line no-control-regex
  if (value !== undefined && (value.length > 100 || /[\u0000-\u001f\u007f]/.test(value))) {
    throw new errors.InvalidRequest("device details (hostname, os, cli_version) must be one line of at most 100 characters");
  }
  void ctx;
};

export async function createOidcProvider(options: { env: Env; db: Database; logger: Logger }): Promise<Provider> {
  const { env, db, logger } = options;
  await ensureOidcKeys(db);
  const keys = await loadOidcKeys(db);

  // Sign-in is ours: whoever is signed in to Gatehouse is who the provider
  // speaks for. If its own session names someone else (another person signed
  // in on this browser since), sign-in is asked again.
  const policy = interactionPolicy.base();
  policy.get("login")!.checks.add(
    new interactionPolicy.Check("gatehouse_session", "the Gatehouse session changed", async (ctx) => {
      const userId = await signedInUserId(db, ctx);
      return userId !== undefined && userId === ctx.oidc.session?.accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  const configuration: Configuration = {
    adapter: createAdapterFactory(db),
    clients: [],
    // Asked at every token request (code, device code, refresh) and by userinfo:
    // a person who no longer meets their orgs' rules (two-factor, SSO) is no
    // account here, so the grant fails with invalid_grant and no token is issued.
    async findAccount(_ctx, sub) {
      if (!(await mayReceiveTokens(db, sub))) return undefined;
      const claims = await loadAccountClaims(db, sub);
      if (!claims) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub: claims.sub, email: claims.email, email_verified: claims.email_verified, name: claims.name ?? undefined, orgs: claims.orgs }),
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], orgs: ["orgs"] },
    scopes: [...OIDC_SCOPES],
    // Scope-requested claims go in the ID token too: apps read orgs from it.
    conformIdTokenClaims: false,
    responseTypes: ["code"],
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post"],
    enabledJWA: {
      idTokenSigningAlgValues: ["RS256"],
      userinfoSigningAlgValues: ["RS256"],
      introspectionSigningAlgValues: ["RS256"],
      authorizationSigningAlgValues: ["RS256"],
    },
    extraClientMetadata: { properties: ["gatehouse_trusted"] },
    extraParams: Object.fromEntries(DEVICE_DETAIL_PARAMS.map((name) => [name, (ctx: KoaContextWithOIDC, value: string | undefined) => oneLineDetail(ctx, value)])),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: "base-20", // no vowels, no 0/O or 1/I: nothing to mistype
        mask: "****-****",
        deviceInfo: (ctx) => ({ ip: requestContextOf(ctx)?.clientIp ?? ctx.ip, userAgent: (ctx.get("user-agent") || "").slice(0, 300) }),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx, resourceIndicator, client) {
          const app = await findApp(db, client.clientId);
          if (!app?.resources.includes(resourceIndicator)) throw new errors.InvalidTarget(`${client.clientId} may not ask for tokens for this resource`);
          return {
            scope: app.scopes.filter((scope) => RESOURCE_SCOPES.has(scope)).join(" "),
            audience: resourceIndicator,
            accessTokenFormat: "jwt",
            accessTokenTTL: HOUR,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    // RFC 9068 access tokens carry the person's orgs, computed as the token is issued.
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== "AccessToken" || !token.accountId || !String(token.scope ?? "").split(" ").includes("orgs")) return undefined;
      const claims = await loadAccountClaims(db, token.accountId);
      return claims ? { orgs: claims.orgs } : undefined;
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      // An app the operator marked as trusted (first party) never asks for consent.
      if (!ctx.oidc.client!.metadata().gatehouse_trusted || !ctx.oidc.session!.accountId) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      const allowed = new Set(String(ctx.oidc.client!.scope ?? "").split(" "));
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].filter((scope) => allowed.has(scope)).join(" "));
      for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        if (server.scope) grant.addResourceScope(indicator, server.scope);
      }
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    // Every use of a refresh token replaces it; presenting a replaced one
    // revokes the whole grant (oidc-provider's reuse detection).
    rotateRefreshToken: true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    cookies: {
      keys: keys.cookies,
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    jwks: { keys: keys.signing as NonNullable<Configuration["jwks"]>["keys"] },
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: 60,
      ClientCredentials: HOUR,
      DeviceCode: DEVICE_CODE_TTL_SECONDS,
      IdToken: HOUR,
      Interaction: HOUR,
      RefreshToken: 30 * DAY,
      Session: 14 * DAY,
      Grant: 365 * DAY,
    },
    renderError: async (ctx, out) => renderProviderError(ctx, out, env.PRODUCT_NAME),
  };

  const provider = new Provider(env.PUBLIC_URL.origin, configuration);
  // Only behind proxies we were told to trust do X-Forwarded-* headers mean anything;
  // even then the mount rewrites them from our own trusted values (http.ts).
  provider.proxy = env.TRUST_PROXY.length > 0;

  // Client secrets are stored as SHA-256 only (ADR 0017): compare hashes, in constant time.
  provider.Client.prototype.compareClientSecret = function compareHashedClientSecret(this: { clientSecret?: string }, actual: string) {
    return clientSecretMatches(this.clientSecret, actual);
  };

  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === "device_authorization" && ctx.status === 200 && ctx.body && typeof ctx.body === "object") {
      const body = ctx.body as Record<string, unknown>;
      const userCode = String(body.user_code);
      // Our own page, at the address people can type: PUBLIC_URL/device.
      body.verification_uri = new URL("/device", env.PUBLIC_URL).href;
      body.verification_uri_complete = `${new URL("/device", env.PUBLIC_URL).href}?user_code=${encodeURIComponent(userCode)}`;
      body.interval = DEVICE_POLL_INTERVAL_SECONDS;
    }
    if (route === "token" && ctx.status === 400 && (ctx.body as { error?: string } | undefined)?.error === "authorization_pending") {
      await slowDownEagerPolling(db, ctx as KoaContextWithOIDC);
    }
  });

  provider.on("server_error", (ctx, error) => logger.error({ requestId: requestContextOf(ctx)?.requestId, err: error }, "oidc provider error"));
  return provider;
}

// RFC 8628 §3.5: a device polling faster than `interval` is told slow_down.
async function slowDownEagerPolling(db: Database, ctx: KoaContextWithOIDC) {
  const deviceCode = ctx.oidc.params?.device_code;
  if (typeof deviceCode !== "string") return;
  const key = `device-poll:${createHash("sha256").update(deviceCode).digest("hex")}`;
  // The first poll of each interval window counted the pending answer; the
  // counter lives in PostgreSQL, so polls spread over replicas count together.
  const allowance = await consumeRateLimit(db, key, { limit: 1, windowSeconds: DEVICE_POLL_INTERVAL_SECONDS });
  if (!allowance.allowed) {
    ctx.body = { error: "slow_down", error_description: `poll at most once every ${DEVICE_POLL_INTERVAL_SECONDS} seconds, then add 5 seconds after this answer` };
  }
}

async function signedInUserId(db: Database, ctx: { get(field: string): string; res: unknown }): Promise<string | undefined> {
  const cookie = ctx.get("cookie");
  if (!cookie) return undefined;
  const token = readSessionToken(new Request("http://gatehouse.invalid/", { headers: { cookie } }));
  if (!token) return undefined;
  const session = await validateSessionToken(db, token, { ip: requestContextOf(ctx)?.clientIp ?? null, userAgent: ctx.get("user-agent") || null });
  if (!session || !session.user.emailVerified || session.user.deletionPending) return undefined;
  // A session that does not meet the person's orgs' rules is not enough to skip our sign-in page:
  // the interaction page then says what is missing (a trusted app would otherwise go straight to a code).
  return (await checkSessionForApps(db, session)).ok ? session.user.id : undefined;
}

const PROVIDER_KEY = "oidc-provider";

/** Called once at start by the server; the routes then reach it through getOidcProvider(). */
export function registerOidcProvider(provider: Provider): Provider {
  return singleton(PROVIDER_KEY, () => provider);
}

export function getOidcProvider(): Provider {
  return singleton<Provider>(PROVIDER_KEY, () => {
    throw new Error("The OpenID Connect provider has not been created: the server creates it at start-up");
  });
}
