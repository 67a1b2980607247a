import type { MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { getInstanceSettings } from "~/.server/instance";
import { issueFormStamp } from "~/.server/waitlist/form-stamp";
import { FormMessage } from "~/components/form";
import { WaitlistForm } from "~/components/waitlist-form";

export async function loader() {
  const { productName } = getInstanceSettings();
  return { productName, stamp: await issueFormStamp(getDb()) };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.productName ?? "Gatehouse"} — accounts, teams and billing in one place` },
  { name: "description", content: "Join the waitlist for early access." },
];

export default function Landing() {
  const { productName, stamp } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  return (
    <>
      {searchParams.get("notice") === "deletion-scheduled" ? (
        <FormMessage tone="success">
          Your account is scheduled for deletion and you are signed out everywhere. We emailed you the date; log in before then to cancel.
        </FormMessage>
      ) : null}
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Your account, your team, your data — in one place.</h1>
        <p className="lead">
          {productName} is where you sign up, manage your team and billing, and take your data with you or delete it
          for good when you leave.
        </p>
      </section>
      <section className="panel stack" aria-labelledby="waitlist-title" id="waitlist">
        <h2 id="waitlist-title">Join the waitlist</h2>
        <p>We will ask only for your email, and optionally your name and company. You can leave at any time.</p>
        <WaitlistForm stamp={stamp} />
      </section>
    </>
  );
}
