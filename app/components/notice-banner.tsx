// The operator's policy-change notices, at the top of every page. Dismissing is
// a plain form post that comes back to the same page, with or without JavaScript.
import { Form, Link, useLocation } from "@remix-run/react";
import { Alert } from "./alert";

export type BannerNotice = { id: string; title: string; body: string; link: string | null };

export function NoticeBanner({ notices, canDismiss }: { notices: BannerNotice[]; canDismiss: boolean }) {
  const location = useLocation();
  if (notices.length === 0) return null;
  const returnTo = location.pathname + location.search;
  return (
    <div role="region" aria-label="Announcements" className="stack-sm">
      {notices.map((notice) => (
        // Shown on every page while it holds, so not a live region: it would be announced on each one.
        <Alert key={notice.id} tone="info" live={false} title={notice.title}>
          <div className="notice">
            {notice.body.split(/\n{2,}/).map((paragraph, i) => (
              <p key={i}>
                {paragraph.split("\n").map((line, j) => (
                  <span key={j}>
                    {j > 0 ? <br /> : null}
                    {line}
                  </span>
                ))}
              </p>
            ))}
            {notice.link || canDismiss ? (
              <div className="cluster">
                {notice.link ? (
                  <Link to={notice.link}>
                    Read more<span className="visually-hidden"> about {notice.title}</span>
                  </Link>
                ) : null}
                {canDismiss ? (
                  <Form method="post" action={`/notices/${notice.id}/dismiss`}>
                    <input type="hidden" name="returnTo" value={returnTo} />
                    <button type="submit" className="link-button" aria-label={`Dismiss: ${notice.title}`}>
                      Dismiss
                    </button>
                  </Form>
                ) : null}
              </div>
            ) : null}
          </div>
        </Alert>
      ))}
    </div>
  );
}
