import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { dismissNotice } from "~/.server/notices/notices";
import { safeRedirect } from "~/utils/safe-redirect";

const DismissSchema = z.object({ returnTo: z.string().max(2000).optional() });
const NoticeIdSchema = z.uuid();

// POST only, from the banner's Dismiss button; answers with a redirect back to
// the page it was on, so it works the same with JavaScript off.
export async function action({ request, params }: ActionFunctionArgs) {
  const session = await getSession(request);
  const noticeId = NoticeIdSchema.safeParse(params.id);
  if (!noticeId.success) throw new Response("Not Found", { status: 404 });
  const form = await readForm(request, DismissSchema);
  if (!form.ok) return formFailure(form);
  // Visitors see the banner without a button; a session that ended meanwhile has nothing to record.
  if (session) await dismissNotice(getDb(), noticeId.data, session.user.id);
  throw redirect(safeRedirect(form.data.returnTo), 303);
}

export async function loader() {
  throw new Response("Not Found", { status: 404 });
}
