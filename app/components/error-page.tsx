import { Link } from "@remix-run/react";
import { buttonClass } from "./button";

const MESSAGES: Record<number, { title: string; body: string }> = {
  400: { title: "That request could not be understood", body: "Please go back and try again." },
  403: { title: "You cannot open this page", body: "Your account does not have access to it." },
  404: { title: "Page not found", body: "There is no page at this address. Check the link, or start from the home page." },
  405: { title: "That action is not available here", body: "This page does not accept that kind of request." },
  503: { title: "We are briefly unavailable", body: "Part of the service is not answering. Please try again in a minute." },
};

const FALLBACK = { title: "Something went wrong", body: "An unexpected error happened on our side. It has been logged; please try again." };

export function errorTitle(status: number): string {
  return (MESSAGES[status] ?? FALLBACK).title;
}

export function ErrorPage({ status }: { status: number }) {
  const message = MESSAGES[status] ?? FALLBACK;
  return (
    <section className="page page--narrow card" aria-labelledby="error-title">
      <div className="card__body">
        <p className="eyebrow">Error {status}</p>
        <h1 id="error-title">{message.title}</h1>
        <p>{message.body}</p>
        <p>
          <Link to="/" className={buttonClass("secondary")}>
            Go to the home page
          </Link>
        </p>
      </div>
    </section>
  );
}
