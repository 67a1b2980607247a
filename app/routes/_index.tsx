import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { getInstanceSettings } from "~/.server/instance";
import { issueFormStamp } from "~/.server/waitlist/form-stamp";
import { Alert } from "~/components/alert";
import { ButtonLink } from "~/components/button";
import { Card } from "~/components/card";
import { WaitlistForm } from "~/components/waitlist-form";

export async function loader({ request }: LoaderFunctionArgs) {
  // Signed in: the landing page has nothing for you; home has your orgs.
  if (await getSession(request)) throw redirect("/home");
  const { productName, mode } = getInstanceSettings();
  // A self-hosted install with open signup invites people to sign up, not to wait.
  const signupFirst = mode === "self-hosted" && getEnv().SIGNUP_MODE === "open";
  return { productName, signupFirst, stamp: await issueFormStamp(getDb()) };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.productName ?? "Gatehouse"} — accounts, teams and billing in one place` },
  { name: "description", content: data?.signupFirst ? "Create your account." : "Join the waitlist for early access." },
];

const FEATURES = [
  "Sign up, sign in and manage your sessions",
  "Invite your team, set roles, create API keys",
  "Read and export your organization's audit history",
  "Download your data, or delete your account, at any time",
];

export default function Landing() {
  const { productName, signupFirst, stamp } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  return (
    <div className="stack">
      {searchParams.get("notice") === "deletion-scheduled" ? (
        <Alert tone="success">Your account is scheduled for deletion and you are signed out everywhere. We emailed you the date; log in before then to cancel.</Alert>
      ) : null}
      <div className="landing-grid">
        <section className="hero" aria-labelledby="hero-title">
          <h1 id="hero-title" className="hero__title">
            Your account, your team, your data — in one place.
          </h1>
          <p className="lead">
            {productName} is where you sign up, manage your team and billing, and take your data with you or delete it for good when you leave.
          </p>
          <ul className="feature-list">
            {FEATURES.map((feature) => (
              <li key={feature}>{feature}</li>
            ))}
          </ul>
          {signupFirst ? (
            <div className="button-row">
              <ButtonLink to="/signup">Create your account</ButtonLink>
              <ButtonLink to="/login" variant="secondary">
                Log in
              </ButtonLink>
            </div>
          ) : null}
        </section>
        {signupFirst ? (
          <Card title="Get started" description={`Create your ${productName} account with your work email. It takes a minute.`}>
            <ButtonLink to="/signup" block>
              Sign up
            </ButtonLink>
            <p className="muted small">
              Already have an account? <a href="/login">Log in</a>.
            </p>
          </Card>
        ) : (
          <Waitlist stamp={stamp} />
        )}
      </div>
      {/* With open signup the waitlist is only for news: it comes second. */}
      {signupFirst ? <Waitlist stamp={stamp} /> : null}
    </div>
  );
}

function Waitlist({ stamp }: { stamp: string }) {
  return (
    <div id="waitlist">
      <Card title="Join the waitlist" description="We will ask only for your email, and optionally your name and company. You can leave at any time.">
        <WaitlistForm stamp={stamp} />
      </Card>
    </div>
  );
}
