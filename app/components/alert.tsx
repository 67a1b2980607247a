// A message about what just happened or what needs attention. Each tone has its
// own colour AND icon (never colour alone). Success and info are polite status
// messages; warnings and dangers are alerts, announced at once.
import type { ReactNode } from "react";
import { CheckCircleIcon, DangerIcon, InfoIcon, WarningIcon } from "./status-icons";

export type AlertTone = "success" | "info" | "warning" | "danger";

const ICONS = { success: CheckCircleIcon, info: InfoIcon, warning: WarningIcon, danger: DangerIcon } as const;

export function Alert({
  tone,
  title,
  children,
  live = true,
  label,
}: {
  tone: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  /** false for messages shown on every page (a standing notice): not announced each time. */
  live?: boolean;
  /** Names a non-live alert as a landmark region (e.g. "Billing notice"). */
  label?: string;
}) {
  const Icon = ICONS[tone];
  const role = live ? (tone === "success" || tone === "info" ? "status" : "alert") : label ? "region" : undefined;
  return (
    <div className={`alert alert--${tone}`} role={role} aria-label={live ? undefined : label}>
      <Icon className="alert__icon" />
      <div className="alert__body">
        {title ? <p className="alert__title">{title}</p> : null}
        {typeof children === "string" ? <p>{children}</p> : children}
      </div>
    </div>
  );
}
