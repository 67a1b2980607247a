// The audit history page's view of a page of events: each one with the
// actor's current name and, where the actor or the object still exists in
// this org, a link to it. A handful of lookups per page, all scoped to the
// org, so an event can never link into another org's data.
import type { Database } from "../db";
import { apiKeyPrefix, describeAuditEvent, type AuditObjectKind } from "../../utils/audit-sentence";

type EventRow = { id: string | number; actor_id: string | null; actor_label: string; action: string; target: string | null; ip: string | null; metadata: Record<string, unknown>; created_at: Date };

export type AuditHistoryItem = {
  id: string;
  actor: { label: string; href: string | null };
  verb: string;
  object: { label: string; href: string | null } | null;
  tail: string;
  action: string;
  target: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
};

export async function presentAuditEvents(db: Database, org: { id: string; slug: string }, events: EventRow[], options: { billingPage: boolean }): Promise<AuditHistoryItem[]> {
  const sentences = events.map((e) => describeAuditEvent({ action: e.action, target: e.target, metadata: e.metadata ?? {} }));
  const actorIds = [...new Set(events.map((e) => e.actor_id).filter((id): id is string => id !== null))];
  const emails = [...new Set(events.filter((_, i) => ["person", "invitation"].includes(sentences[i]!.objectKind)).map((e) => e.target).filter((t): t is string => !!t))];
  const prefixes = [...new Set(events.filter((_, i) => sentences[i]!.objectKind === "api-key" || events[i]!.action === "api_key.first_used").map((e) => apiKeyPrefix(e.target)).filter((p): p is string => !!p))];

  const [actors, people, invitations, keys] = await Promise.all([
    actorIds.length === 0
      ? []
      : db.selectFrom("membership").innerJoin("user", "user.id", "membership.user_id").select(["user.id", "user.name", "user.email"]).where("membership.org_id", "=", org.id).where("user.id", "in", actorIds).execute(),
    emails.length === 0
      ? []
      : db.selectFrom("membership").innerJoin("user", "user.id", "membership.user_id").select(["user.email", "user.name"]).where("membership.org_id", "=", org.id).where("user.email", "in", emails).execute(),
    emails.length === 0
      ? []
      : db.selectFrom("org_invitation").select("email").where("org_id", "=", org.id).where("email", "in", emails).where("accepted_at", "is", null).where("revoked_at", "is", null).execute(),
    prefixes.length === 0 ? [] : db.selectFrom("api_key").select("prefix").where("org_id", "=", org.id).where("prefix", "in", prefixes).execute(),
  ]);
  const members = new Map(actors.map((a) => [a.id, a]));
  const peopleByEmail = new Map(people.map((p) => [p.email, p]));
  const pendingInvites = new Set(invitations.map((i) => i.email));
  const keyPrefixes = new Set(keys.map((k) => k.prefix));
  const base = `/orgs/${org.slug}`;

  const objectHref = (kind: AuditObjectKind, target: string | null): string | null => {
    if (!target) return null;
    switch (kind) {
      case "person":
        return peopleByEmail.has(target) ? `${base}/members` : null;
      case "invitation":
        return pendingInvites.has(target) ? `${base}/invitations` : peopleByEmail.has(target) ? `${base}/members` : null;
      case "api-key": {
        const prefix = apiKeyPrefix(target);
        return prefix && keyPrefixes.has(prefix) ? `${base}/api-keys` : null;
      }
      case "org":
        return `${base}/settings`;
      case "billing":
        return options.billingPage ? `${base}/billing` : null;
      default:
        return null;
    }
  };

  return events.map((event, i) => {
    const sentence = sentences[i]!;
    const member = event.actor_id ? members.get(event.actor_id) : undefined;
    // An API key acting: link the key while it exists.
    const keyActor = event.action === "api_key.first_used" && apiKeyPrefix(event.target) && keyPrefixes.has(apiKeyPrefix(event.target)!);
    const objectPerson = sentence.object && sentence.objectKind === "person" ? peopleByEmail.get(sentence.object) : undefined;
    return {
      id: String(event.id),
      actor: {
        label: member?.name ?? event.actor_label,
        href: member ? `${base}/members` : keyActor ? `${base}/api-keys` : null,
      },
      verb: sentence.verb,
      object: sentence.object ? { label: objectPerson?.name ? `${objectPerson.name} (${sentence.object})` : sentence.object, href: objectHref(sentence.objectKind, event.target) } : null,
      tail: sentence.tail,
      action: event.action,
      target: event.target,
      ip: event.ip,
      metadata: event.metadata ?? {},
      createdAt: event.created_at.toISOString(),
    };
  });
}
