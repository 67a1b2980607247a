// A page's frame: its heading, a line on what it is for, header actions, and
// its width. Reading pages (forms, text) stay narrow; pages of tables are wide.
import type { ReactNode } from "react";

export function Page({
  title,
  description,
  eyebrow,
  actions,
  width = "reading",
  children,
}: {
  title: ReactNode;
  description?: ReactNode;
  eyebrow?: ReactNode;
  actions?: ReactNode;
  width?: "reading" | "wide" | "narrow";
  children?: ReactNode;
}) {
  return (
    <div className={`page page--${width}`}>
      <header className="page-header">
        <div className="page-header__text">
          {eyebrow ? <p className="eyebrow">{eyebrow}</p> : null}
          <h1>{title}</h1>
          {description ? <p className="page-header__description">{description}</p> : null}
        </div>
        {actions ? <div className="page-header__actions">{actions}</div> : null}
      </header>
      {children}
    </div>
  );
}
