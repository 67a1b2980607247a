// What an empty list is for, and the one thing to do about it.
import type { ReactNode } from "react";
import { InboxIcon } from "./icons";

export function EmptyState({ title, children, action, icon }: { title: string; children?: ReactNode; action?: ReactNode; icon?: ReactNode }) {
  return (
    <div className="empty-state">
      {icon ?? <InboxIcon className="empty-state__icon" />}
      <h2 className="empty-state__title">{title}</h2>
      {children ? <div className="empty-state__body">{children}</div> : null}
      {action ? <div className="button-row">{action}</div> : null}
    </div>
  );
}
