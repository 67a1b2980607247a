// A bordered panel with an optional heading, description, header actions and
// footer. Titled cards are labelled sections, so screen readers can jump to them.
import { useId, type ReactNode } from "react";

export function Card({
  title,
  description,
  actions,
  footer,
  tone,
  headingLevel = 2,
  children,
  id,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  footer?: ReactNode;
  tone?: "danger";
  headingLevel?: 2 | 3;
  children?: ReactNode;
  id?: string;
}) {
  const headingId = useId();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section id={id} className={`card${tone ? ` card--${tone}` : ""}`} aria-labelledby={title ? headingId : undefined}>
      {title || actions ? (
        <div className="card__header">
          {title ? (
            <Heading className="card__title" id={headingId}>
              {title}
            </Heading>
          ) : null}
          {actions ? <div className="button-row">{actions}</div> : null}
          {description ? <p className="card__description">{description}</p> : null}
        </div>
      ) : null}
      {children ? <div className="card__body">{children}</div> : null}
      {footer ? <div className="card__footer">{footer}</div> : null}
    </section>
  );
}
