// A page's frame: its heading, a line on what it is for, header actions, and
// its width. Reading pages (forms, text) stay narrow; pages of tables are wide.
// `labelled` makes the page a region named by its heading, for a page whose
// whole content is one named thing (the waitlist form on /waitlist).
import { useId, type ReactNode } from "react";

export function Page({
  title,
  description,
  eyebrow,
  actions,
  width = "reading",
  labelled = false,
  children,
}: {
  title: ReactNode;
  description?: ReactNode;
  eyebrow?: ReactNode;
  actions?: ReactNode;
  width?: "reading" | "wide" | "narrow";
  labelled?: boolean;
  children?: ReactNode;
}) {
  const headingId = useId();
  const Root = labelled ? "section" : "div";
  return (
    <Root className={`page page--${width}`} aria-labelledby={labelled ? headingId : undefined}>
      <header className="page-header">
        <div className="page-header__text">
          {eyebrow ? <p className="eyebrow">{eyebrow}</p> : null}
          <h1 id={labelled ? headingId : undefined}>{title}</h1>
          {description ? <p className="page-header__description">{description}</p> : null}
        </div>
        {actions ? <div className="page-header__actions">{actions}</div> : null}
      </header>
      {children}
    </Root>
  );
}
