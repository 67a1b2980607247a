// /api/v1: bearer keys, JSON in and out, JSON errors. No cookies are read and no
// CSRF check applies (a browser cannot attach someone's API key by itself).
import { getDb } from "../db";
import { authenticateApiKey, type ApiKeyPrincipal } from "../orgs/api-keys";
import { writeRefusalReason } from "../orgs/entitlements";
import { requestStore } from "./request-context";

export function jsonError(status: number, error: string, details?: Record<string, string>) {
  return Response.json({ error, ...(details ? { details } : {}) }, { status, headers: { "Cache-Control": "no-store" } });
}

export async function requireApiKey(request: Request): Promise<ApiKeyPrincipal> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([A-Za-z0-9_]+)$/.exec(header.trim());
  const principal = match ? await authenticateApiKey(getDb(), match[1]!, requestStore.getStore()?.clientIp ?? null) : null;
  if (!principal) {
    throw jsonError(401, "A valid API key is required: Authorization: Bearer gk_…", undefined);
  }
  // A read-only org (subscription paused, unpaid or over) can still be read through the API, not changed.
  if (!["GET", "HEAD"].includes(request.method)) {
    const refusal = await writeRefusalReason(getDb(), principal.orgId);
    if (refusal) throw jsonError(403, refusal);
  }
  return principal;
}

/** Parses a JSON body; bad JSON is a 400 with a message, not a 500. */
export async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    return { ok: false, response: jsonError(415, "Send JSON with Content-Type: application/json.") };
  }
  try {
    return { ok: true, value: JSON.parse(await request.text()) };
  } catch {
    return { ok: false, response: jsonError(400, "The body is not valid JSON.") };
  }
}

/**
 * Whether a parsed JSON value nests deeper than `maxDepth` objects and arrays.
 * Walked with a stack of its own, not by recursion: a body of 40,000 brackets
 * parses fine but overflows any recursive walk (JSON.stringify included), so
 * this check has to come before anything else looks inside the value.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (item.value === null || typeof item.value !== "object") continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(item.value)) pending.push({ value: child, depth });
  }
  return false;
}
