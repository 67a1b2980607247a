import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { analyticsSettings } from "~/.server/analytics";
import { getEnv } from "~/.server/env";
import { getInstanceSettings } from "~/.server/instance";

export async function loader() {
  // Only the Umami origin is shown: the page says where page views go, not the site id.
  return { ...getInstanceSettings(), analyticsOrigin: analyticsSettings(getEnv())?.origin ?? null };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Privacy — ${data?.productName ?? "Gatehouse"}` }];

export default function Privacy() {
  const settings = useLoaderData<typeof loader>();
  const operator = settings.operatorName ?? "the organisation that runs this installation";
  return (
    <article className="prose" aria-labelledby="privacy-title">
      <h1 id="privacy-title">Privacy at {settings.productName}</h1>
      <p>
        {settings.productName} at <code>{settings.publicUrl}</code> is run by {operator}.{" "}
        {settings.operatorEmail ? (
          <>
            Questions or requests about your data: <a href={`mailto:${settings.operatorEmail}`}>{settings.operatorEmail}</a>.
          </>
        ) : (
          <>Contact them through your usual channel for questions about your data.</>
        )}
      </p>

      <h2>What we keep</h2>
      <ul>
        <li>Waitlist: your email address, and your name and company if you give them, with the IP address and browser you used, to stop abuse.</li>
        <li>Account: your email address, name, a salted hash of your password (never the password itself), and when you verified your email.</li>
        <li>Sessions: when each sign-in started and was last used, its IP address and browser, so you can see and end them.</li>
        <li>Teams: your memberships and roles, and a history of actions taken in each organisation.</li>
      </ul>

      <h2>Cookies</h2>
      <p>
        One cookie, the session cookie, which keeps you signed in. It is the only cookie this site ever sets. It is not readable by
        scripts and is never shared. There are no tracking or advertising cookies and no third-party scripts.
      </p>

      <h2>Page views</h2>
      {settings.analyticsOrigin ? (
        <p>
          Page views are counted by {operator}&apos;s own Umami analytics at <code>{settings.analyticsOrigin}</code>, not by
          anyone else. It sets no cookie and collects no personal data: it records the page, the site you came from and general
          details such as the kind of browser and the country, never who you are, and it does not store your IP address.
        </p>
      ) : (
        <p>Nothing counts page views on this site: there is no analytics of any kind.</p>
      )}

      <h2>Who else sees it</h2>
      {settings.mode === "hosted" ? (
        <ul>
          <li>Resend delivers our emails, so it sees your address and the messages we send you.</li>
          <li>LemonSqueezy handles payment for paid plans, so it sees billing details you give it. We never see your card.</li>
        </ul>
      ) : (
        <p>
          This is a self-hosted installation: your data stays on {operator}&apos;s own servers. Email goes through their own
          mail relay, and nothing is sent to the makers of {settings.productName}.
        </p>
      )}

      <h2>Your rights</h2>
      <ul>
        <li>
          Download everything we hold about you from Settings → <Link to="/settings/export">Download your data</Link>, as a JSON file.
        </li>
        <li>
          Delete your account from Settings → Delete Account. You have 7 days to change your mind; after that your personal
          data is erased from every table. Organisations keep their history, with you shown as a deleted user.
        </li>
      </ul>
    </article>
  );
}
