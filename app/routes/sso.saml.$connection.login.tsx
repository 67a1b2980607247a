// GET /sso/saml/:connection/login: SP-initiated SAML sign-in, for a link or
// an IdP's app tile that starts at our side ("initiate login URI"). The
// optional ?returnTo is kept only if it is a path of ours.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { findSsoConnection } from "~/.server/sso/connections";
import { refusalPage } from "~/.server/sso/finish";
import { safeRelayState } from "~/.server/sso/saml";
import { startSsoSignIn } from "~/.server/sso/start";
import { SsoRefusal } from "~/components/sso-refusal";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const db = getDb();
  const connection = await findSsoConnection(db, params.connection ?? "");
  if (!connection || connection.kind !== "saml") return refusalPage(404, "Unknown sign-in connection", "This sign-in address does not belong to any connection.");
  if (!connection.enabled) return refusalPage(403, "Single sign-on is switched off", "This connection is switched off. Ask your administrator, or log in with your password.");
  const returnTo = safeRelayState(new URL(request.url).searchParams.get("returnTo"));
  const started = await startSsoSignIn(db, connection, { purpose: "sign-in", returnTo });
  if (!started.ok) return refusalPage(409, "Single sign-on is not ready", started.message);
  throw started.response;
}

export const meta: MetaFunction = () => [{ title: "Single sign-on" }];

export default function SamlLogin() {
  const { refused } = useLoaderData<typeof loader>();
  return <SsoRefusal {...refused} />;
}
