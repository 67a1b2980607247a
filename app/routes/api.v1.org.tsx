import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/.server/db";
import { requireApiKey } from "~/.server/http/api";
import { countMembers } from "~/.server/orgs/orgs";

// GET /api/v1/org: the org the key belongs to.
export async function loader({ request }: LoaderFunctionArgs) {
  const principal = await requireApiKey(request);
  const db = getDb();
  const org = await db.selectFrom("org").select(["slug", "name", "plan", "seat_limit"]).where("id", "=", principal.orgId).executeTakeFirstOrThrow();
  return Response.json(
    { slug: org.slug, name: org.name, plan: org.plan, seat_limit: org.seat_limit, member_count: await countMembers(db, principal.orgId) },
    { headers: { "Cache-Control": "no-store" } },
  );
}
