// GET /sso/continue: the step between our forms and the IdP. Our CSP's
// form-action 'self' also covers the redirects after a form is sent, so a
// form cannot lead straight to another site; this page moves on to the IdP
// by itself (meta refresh: with or without JavaScript, a fresh navigation),
// with a link in case it does not.
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { findSsoContinueUrl, readSsoAttemptCookie } from "~/.server/sso/attempts";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { SsoRefusal } from "~/components/sso-refusal";

export async function loader({ request }: LoaderFunctionArgs) {
  const next = await findSsoContinueUrl(getDb(), readSsoAttemptCookie(request));
  if (!next) {
    return data(
      { next: null, refused: { title: "This sign-in has expired", message: "Single sign-on was not started in this browser in the last ten minutes. Start again from the log-in page.", retry: "/login" } },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }
  return data({ next, refused: null }, { headers: { "Cache-Control": "no-store" } });
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data?.next ? [{ title: "Going to your identity provider" }, { httpEquiv: "refresh", content: `0;url=${data.next}` }] : [{ title: "Single sign-on" }];

export default function ContinueToIdp() {
  const page = useLoaderData<typeof loader>();
  if (page.refused) return <SsoRefusal {...page.refused} />;
  return (
    <Page width="narrow" title="Going to your identity provider…">
      <Card>
        <p>
          <a href={page.next!}>Continue to your identity provider</a> if nothing happens.
        </p>
      </Card>
    </Page>
  );
}
