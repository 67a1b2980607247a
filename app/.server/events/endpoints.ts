// Endpoints: where events go. An instance endpoint (org_id null) is one of the
// vendor's apps and hears about every account and org; an org endpoint is one
// of the customer's systems and hears about that org only. The secret is shown
// once, at creation or rotation, and kept encrypted: it must be read back to sign.
import { randomUUID } from "node:crypto";
import type { ExpressionBuilder } from "kysely";
import type { DB } from "../../../db/schema";
import type { Database } from "../db";
import { recordAuditEvent, type Actor } from "../orgs/audit";
import { decryptSecret, encryptSecret } from "../secrets";
import { INSTANCE_EVENT_TYPES, ORG_EVENT_TYPES } from "../../utils/event-types";
import { newEndpointSecret } from "./signing";

/** How long the old secret keeps signing after a rotation, so receivers can switch without losing events. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export type EndpointScope = { orgId: string | null };

const secretContext = (endpointId: string) => `webhook:${endpointId}`;

export function allowedEventTypes(scope: EndpointScope): readonly string[] {
  return scope.orgId ? ORG_EVENT_TYPES : INSTANCE_EVENT_TYPES;
}

type AuditContext = { actor: Actor; ip: string | null } | null;

async function audit(tx: Database, scope: EndpointScope, context: AuditContext, action: string, url: string, now: Date) {
  if (scope.orgId && context) await recordAuditEvent(tx, { orgId: scope.orgId, actor: context.actor, action, target: url, ip: context.ip, at: now });
}

export async function createEndpoint(
  db: Database,
  input: EndpointScope & { url: string; description: string; eventTypes: string[]; createdBy: string | null; audit: AuditContext },
  now = new Date(),
): Promise<{ id: string; secret: string }> {
  const id = randomUUID();
  const secret = newEndpointSecret();
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("webhook_endpoint")
      .values({ id, org_id: input.orgId, url: input.url, description: input.description, event_types: input.eventTypes, secret_ciphertext: encryptSecret(secret, secretContext(id)), created_by: input.createdBy, created_at: now })
      .execute();
    await audit(tx, input, input.audit, "webhook.created", input.url, now);
  });
  return { id, secret };
}

export type EndpointSummary = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  createdAt: Date;
  disabledAt: Date | null;
  disabledReason: string | null;
  failureStreak: number;
  rotatingUntil: Date | null;
};

export async function listEndpoints(db: Database, scope: EndpointScope, now = new Date()): Promise<EndpointSummary[]> {
  const rows = await db
    .selectFrom("webhook_endpoint")
    .select(["id", "url", "description", "event_types", "created_at", "disabled_at", "disabled_reason", "failure_streak", "previous_secret_expires_at"])
    .where(inScope(scope))
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    failureStreak: r.failure_streak,
    rotatingUntil: r.previous_secret_expires_at && r.previous_secret_expires_at > now ? r.previous_secret_expires_at : null,
  }));
}

const inScope = (scope: EndpointScope) => (eb: ExpressionBuilder<DB, "webhook_endpoint">) => (scope.orgId ? eb("org_id", "=", scope.orgId) : eb("org_id", "is", null));

export async function deleteEndpoint(db: Database, scope: EndpointScope & { id: string; audit: AuditContext }, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const deleted = await tx.deleteFrom("webhook_endpoint").where("id", "=", scope.id).where(inScope(scope)).returning("url").executeTakeFirst();
    if (!deleted) return false;
    await audit(tx, scope, scope.audit, "webhook.deleted", deleted.url, now);
    return true;
  });
}

/**
 * A new secret signs from now on; the old one keeps signing beside it for
 * ROTATION_OVERLAP_MS. Rotating again during an overlap drops the oldest.
 */
export async function rotateEndpointSecret(db: Database, scope: EndpointScope & { id: string; audit: AuditContext }, now = new Date()): Promise<{ secret: string; overlapUntil: Date } | null> {
  const secret = newEndpointSecret();
  const overlapUntil = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  return db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom("webhook_endpoint").select(["secret_ciphertext", "url"]).where("id", "=", scope.id).where(inScope(scope)).forUpdate().executeTakeFirst();
    if (!current) return null;
    await tx
      .updateTable("webhook_endpoint")
      .set({ secret_ciphertext: encryptSecret(secret, secretContext(scope.id)), previous_secret_ciphertext: current.secret_ciphertext, previous_secret_expires_at: overlapUntil })
      .where("id", "=", scope.id)
      .execute();
    await audit(tx, scope, scope.audit, "webhook.secret_rotated", current.url, now);
    return { secret, overlapUntil };
  });
}

/** Turns an endpoint back on (after an automatic disable); its waiting deliveries resume. */
export async function enableEndpoint(db: Database, scope: EndpointScope & { id: string; audit: AuditContext }, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const enabled = await tx
      .updateTable("webhook_endpoint")
      .set({ disabled_at: null, disabled_reason: null, failure_streak: 0, failing_since: null })
      .where("id", "=", scope.id)
      .where("disabled_at", "is not", null)
      .where(inScope(scope))
      .returning("url")
      .executeTakeFirst();
    if (!enabled) return false;
    // Deliveries that gave up while it was failing get another chance.
    await tx.updateTable("webhook_delivery").set({ next_attempt_at: now }).where("endpoint_id", "=", scope.id).where("status", "=", "pending").execute();
    await audit(tx, scope, scope.audit, "webhook.enabled", enabled.url, now);
    return true;
  });
}

/** The secrets that sign a delivery now: the current one, and the previous one during an overlap. */
export function signingSecrets(row: { id: string; secret_ciphertext: string; previous_secret_ciphertext: string | null; previous_secret_expires_at: Date | null }, now: Date): string[] {
  const secrets = [decryptSecret(row.secret_ciphertext, secretContext(row.id))];
  if (row.previous_secret_ciphertext && row.previous_secret_expires_at && row.previous_secret_expires_at > now) {
    secrets.push(decryptSecret(row.previous_secret_ciphertext, secretContext(row.id)));
  }
  return secrets;
}
