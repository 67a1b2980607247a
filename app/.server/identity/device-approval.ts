// The /device page's work (RFC 8628): find the request by the code a person
// typed, show what asks (app, the details the CLI sent, the IP it came from),
// and record Allow or Deny on the device code the CLI is polling with.
// Codes are typed case-insensitively, without separators or ambiguous
// letters (base-20: no vowels, no 0/O, 1/I); entries are rate limited.
import type { Database } from "../db";
import { consumeRateLimits } from "../rate-limit";
import { findApp } from "./apps";
import { getOidcProvider, OIDC_SCOPES } from "./provider";

export const DEVICE_ENTRY_LIMITS = {
  perUser: { limit: 10, windowSeconds: 10 * 60 },
  perIp: { limit: 30, windowSeconds: 10 * 60 },
};
const USER_CODE_ALPHABET = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

/** "bcdf-ghjk", "BCDF GHJK", "bcdfghjk" → "BCDFGHJK"; null when it cannot be a code. */
export function normalizeUserCode(input: string): string | null {
  const normalized = input.toUpperCase().replace(/[\s-]/g, "");
  return USER_CODE_ALPHABET.test(normalized) ? normalized : null;
}

export const formatUserCode = (normalized: string) => `${normalized.slice(0, 4)}-${normalized.slice(4)}`;

export type DeviceRequestView = {
  userCode: string;
  appName: string;
  clientId: string;
  scopes: string[];
  hostname: string | null;
  os: string | null;
  cliVersion: string | null;
  requestIp: string | null;
  requestedAt: string;
  expiresAt: string;
};

export type DeviceLookup =
  | { ok: true; view: DeviceRequestView }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  | { ok: false; reason: "unknown" | "expired" | "used" };

type DeviceCodeEntity = NonNullable<Awaited<ReturnType<ReturnType<typeof getOidcProvider>["DeviceCode"]["findByUserCode"]>>>;

async function findPendingCode(db: Database, userId: string, rawCode: string, clientIp: string): Promise<{ ok: true; code: DeviceCodeEntity } | Exclude<DeviceLookup, { ok: true }>> {
  const allowance = await consumeRateLimits(db, [
    { key: `device-entry:ip:${clientIp}`, rule: DEVICE_ENTRY_LIMITS.perIp },
    { key: `device-entry:user:${userId}`, rule: DEVICE_ENTRY_LIMITS.perUser },
  ]);
  if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };
  const normalized = normalizeUserCode(rawCode);
  if (!normalized) return { ok: false, reason: "unknown" };
  const code = await getOidcProvider().DeviceCode.findByUserCode(normalized, { ignoreExpiration: true });
  if (!code) return { ok: false, reason: "unknown" };
  if (code.isExpired) return { ok: false, reason: "expired" };
  if (code.accountId || code.error || code.consumed) return { ok: false, reason: "used" };
  return { ok: true, code };
}

export async function lookUpDeviceRequest(db: Database, userId: string, rawCode: string, clientIp: string): Promise<DeviceLookup> {
  const found = await findPendingCode(db, userId, rawCode, clientIp);
  if (!found.ok) return found;
  const { code } = found;
  const app = await findApp(db, code.clientId ?? "");
  if (!app) return { ok: false, reason: "unknown" };
  const params = (code.params ?? {}) as Record<string, unknown>;
  const info = (code.deviceInfo ?? {}) as { ip?: string };
  const text = (value: unknown) => (typeof value === "string" && value ? value : null);
  return {
    ok: true,
    view: {
      userCode: formatUserCode(code.userCode!),
      appName: app.name,
      clientId: app.clientId,
      scopes: requestedScopes(params.scope, app.scopes),
      hostname: text(params.hostname),
      os: text(params.os),
      cliVersion: text(params.cli_version),
      requestIp: text(info.ip),
      requestedAt: new Date(code.iat! * 1000).toISOString(),
      expiresAt: new Date(code.exp! * 1000).toISOString(),
    },
  };
}

function requestedScopes(scope: unknown, allowed: string[]): string[] {
  const supported = new Set<string>(OIDC_SCOPES);
  const permitted = new Set(allowed);
  const requested = typeof scope === "string" && scope ? scope.split(" ") : ["openid"];
  return [...new Set(requested)].filter((item) => supported.has(item) && permitted.has(item));
}

export type DeviceDecision = { ok: true; decision: "allow" | "deny"; appName: string } | Exclude<DeviceLookup, { ok: true }>;

export async function decideDeviceRequest(db: Database, userId: string, rawCode: string, clientIp: string, decision: "allow" | "deny"): Promise<DeviceDecision> {
  const lookup = await lookUpDeviceRequest(db, userId, rawCode, clientIp);
  if (!lookup.ok) return lookup;
  const code = (await getOidcProvider().DeviceCode.findByUserCode(normalizeUserCode(rawCode)!, { ignoreExpiration: true }))!;
  const { view } = lookup;
  if (decision === "deny") {
    code.error = "access_denied";
    code.errorDescription = "The person denied the sign-in on the device page.";
    await code.save();
    return { ok: true, decision, appName: view.appName };
  }
  const provider = getOidcProvider();
  const grant = new provider.Grant({ accountId: userId, clientId: view.clientId });
  grant.addOIDCScope(view.scopes.join(" "));
  const params = (code.params ?? {}) as Record<string, unknown>;
  const app = await findApp(db, view.clientId);
  if (typeof params.resource === "string" && app?.resources.includes(params.resource)) {
    grant.addResourceScope(params.resource, view.scopes.filter((scope) => ["email", "profile", "orgs"].includes(scope)).join(" "));
    code.resource = params.resource;
  }
  const grantId = await grant.save();
  Object.assign(code, { accountId: userId, grantId, scope: view.scopes.join(" "), authTime: Math.floor(Date.now() / 1000) });
  await code.save();
  // What /settings/apps shows for this device, kept with the grant.
  await db
    .updateTable("oidc_payload")
    .set({ details: JSON.stringify({ hostname: view.hostname, os: view.os, cliVersion: view.cliVersion, ip: view.requestIp }) })
    .where("kind", "=", "Grant")
    .where("id", "=", grantId)
    .execute();
  return { ok: true, decision, appName: view.appName };
}
