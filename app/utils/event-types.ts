// The outbound event types (docs/events.md). Isomorphic: the endpoint forms
// list them, the server validates against them.
export const INSTANCE_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deletion_scheduled",
  "user.deletion_cancelled",
  "user.deleted",
  "org.created",
  "org.updated",
  "org.deleted",
  "member.added",
  "member.role_changed",
  "member.removed",
  "subscription.updated",
] as const;

/**
 * An org's endpoints hear about that org only, never about people's accounts
 * (and not of its deletion: they are deleted with it).
 */
export const ORG_EVENT_TYPES = ["org.updated", "member.added", "member.role_changed", "member.removed", "subscription.updated", "audit.event"] as const;

export type EventType = (typeof INSTANCE_EVENT_TYPES)[number] | (typeof ORG_EVENT_TYPES)[number];

export const EVENT_TYPE_DESCRIPTIONS: Record<EventType, string> = {
  "user.created": "An account was created.",
  "user.updated": "An account's name or email address changed.",
  "user.deletion_scheduled": "Someone asked to delete their account; it is erased after the grace period.",
  "user.deletion_cancelled": "A pending account deletion was cancelled.",
  "user.deleted": "An account was erased. Carries the account id only: delete what you hold for it.",
  "org.created": "An organization was created.",
  "org.updated": "An organization was renamed or moved to a new address.",
  "org.deleted": "An organization was deleted.",
  "member.added": "Someone joined an organization.",
  "member.role_changed": "A member's role changed.",
  "member.removed": "A member left or was removed.",
  "subscription.updated": "An organization's subscription changed.",
  "audit.event": "Every event of the organization's audit history.",
};

/** The payload version every event carries today (docs/events.md). */
export const EVENT_VERSION = 1;
