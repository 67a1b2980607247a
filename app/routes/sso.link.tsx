// /sso/link: an SSO sign-in named an address an existing account uses. The
// account proves itself first — its own log-in, with its second factor if
// on — and then links the IdP identity with one button. Until then nobody is
// signed in by the IdP's word alone.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { requestStore } from "~/.server/http/request-context";
import { clearedPendingLinkCookie, completePendingLink, findPendingLink, readPendingLinkCookie, sessionProvesAccount } from "~/.server/sso/links";
import { refusalPage } from "~/.server/sso/finish";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { SsoRefusal } from "~/components/sso-refusal";

const LinkSchema = z.object({ intent: z.literal("link") });

const GONE = "This link request has expired (they last 30 minutes). Sign in through your identity provider again.";

export async function loader({ request }: LoaderFunctionArgs) {
  const link = await findPendingLink(getDb(), readPendingLinkCookie(request));
  if (!link) return refusalPage(410, "This request has expired", GONE, { "Set-Cookie": clearedPendingLinkCookie() });
  const session = await getSession(request);
  const proven = session ? sessionProvesAccount(session, link) : false;
  const signedInAsOther = session !== null && session.user.id !== link.userId;
  return { refused: null, email: link.email, connectionName: link.connectionName, proven, signedInAsOther };
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request, LinkSchema);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  const link = await findPendingLink(db, readPendingLinkCookie(request));
  if (!link) return refusalPage(410, "This request has expired", GONE, { "Set-Cookie": clearedPendingLinkCookie() });
  const session = await getSession(request);
  if (!session || !sessionProvesAccount(session, link)) return refusalPage(403, "Log in to your account first", `Log in to ${link.email} with its password, then link it.`, undefined, "/sso/link");
  const linked = await completePendingLink(db, link, requestStore.getStore()?.clientIp ?? null);
  if (!linked.ok) {
    const message = linked.reason === "no-seats" ? "The organization has no free seat for you. Ask one of its admins to make room." : GONE;
    return refusalPage(409, "The account was not linked", message, { "Set-Cookie": clearedPendingLinkCookie() }, "/home");
  }
  throw redirect("/home", { headers: { "Set-Cookie": clearedPendingLinkCookie() } });
}

export const meta: MetaFunction = () => [{ title: "Link your account" }];

export default function LinkAccount() {
  const data = useLoaderData<typeof loader>();
  if (data.refused) return <SsoRefusal {...data.refused} />;
  return (
    <Page width="narrow" title="Link your account">
      <Card>
        <p>
        {data.connectionName} signed you in as <strong>{data.email}</strong>. An account with that address already exists here, so it must prove itself once before
          single sign-on can open it.
        </p>
        {data.signedInAsOther ? <Alert tone="warning">You are logged in to another account. Log out, then log in as {data.email}.</Alert> : null}
        {data.proven ? (
          <Form method="post" className="form">
            <input type="hidden" name="intent" value="link" />
            <Button>Link my account to {data.connectionName}</Button>
          </Form>
        ) : (
          <p>
            <ButtonLink to={`/login?redirectTo=${encodeURIComponent("/sso/link")}&email=${encodeURIComponent(data.email)}`}>Log in as {data.email}</ButtonLink>
          </p>
        )}
      </Card>
    </Page>
  );
}
