// Small labels for roles, plans and statuses. The text carries the meaning; the
// colour only repeats it.
import type { ReactNode } from "react";

export type BadgeTone = "neutral" | "accent" | "success" | "warning" | "danger" | "info";

export function Badge({ tone = "neutral", children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`badge badge--${tone}`}>{children}</span>;
}

const ROLE_TONES: Record<string, BadgeTone> = { owner: "accent", admin: "info", member: "neutral" };

export function RoleBadge({ role }: { role: string }) {
  return <Badge tone={ROLE_TONES[role] ?? "neutral"}>{capitalize(role)}</Badge>;
}

const PLAN_TONES: Record<string, BadgeTone> = { solo: "neutral", team: "accent", enterprise: "success" };

export function PlanBadge({ plan }: { plan: string }) {
  return <Badge tone={PLAN_TONES[plan] ?? "neutral"}>{capitalize(plan)}</Badge>;
}

const STATUS_TONES: Record<string, BadgeTone> = {
  active: "success",
  sent: "success",
  delivered: "success",
  disabled: "danger",
  processed: "success",
  confirmed: "success",
  invited: "info",
  queued: "info",
  pending: "warning",
  sending: "info",
  retrying: "warning",
  failed: "danger",
  error: "danger",
  revoked: "neutral",
  expired: "neutral",
  cancelled: "neutral",
  past_due: "warning",
  unpaid: "danger",
  deleting: "warning",
};

/** A status word ("sent", "failed", "revoked"...) with its tone. */
export function StatusBadge({ status, children }: { status: string; children?: ReactNode }) {
  return <Badge tone={STATUS_TONES[status] ?? "neutral"}>{children ?? capitalize(status.replace(/_/g, " "))}</Badge>;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
