// The page an SSO round trip ends on when it is refused: what happened, in
// words, and the way back. Its status (400 or 403) is set by the loader.
import { Link } from "@remix-run/react";
import { buttonClass } from "./button";

export function SsoRefusal({ title, message, retry }: { title: string; message: string; retry: string | null }) {
  return (
    <section className="page page--narrow card" aria-labelledby="sso-refusal-title">
      <div className="card__body stack">
        <p className="eyebrow">Single sign-on</p>
        <h1 id="sso-refusal-title">{title}</h1>
        <p>{message}</p>
        {retry ? (
          <p>
            <Link to={retry} className={buttonClass("secondary")}>
              Back to log in
            </Link>
          </p>
        ) : null}
      </div>
    </section>
  );
}
