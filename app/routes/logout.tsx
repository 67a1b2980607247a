import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { invalidateSession } from "~/.server/session";
import { clearedSessionCookie } from "~/.server/session-cookie";

// POST only: a link or an image cannot log anyone out.
export async function action({ request }: ActionFunctionArgs) {
  const session = await getSession(request);
  if (session) await invalidateSession(getDb(), session.id);
  throw redirect("/", { headers: { "Set-Cookie": clearedSessionCookie() } });
}

export async function loader() {
  throw redirect("/");
}
