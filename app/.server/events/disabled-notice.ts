// Who hears that an endpoint was turned off: the operators for an instance
// endpoint (the vendor's apps), the org's owners and admins for an org's.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";

export async function notifyEndpointDisabled(tx: Database, endpoint: { orgId: string | null; url: string; failingSince: Date }, now: Date): Promise<number> {
  let recipients: Array<{ email: string; name: string | null }>;
  let orgName: string | null = null;
  let manageUrl: string;
  if (endpoint.orgId) {
    const org = await tx.selectFrom("org").select(["name", "slug"]).where("id", "=", endpoint.orgId).executeTakeFirst();
    if (!org) return 0;
    orgName = org.name;
    manageUrl = publicLink(`/orgs/${org.slug}/webhooks`);
    recipients = await tx
      .selectFrom("membership")
      .innerJoin("user", "user.id", "membership.user_id")
      .select(["user.email", "user.name"])
      .where("membership.org_id", "=", endpoint.orgId)
      .where("membership.role", "in", ["owner", "admin"])
      .where("user.purge_after", "is", null)
      .execute();
  } else {
    manageUrl = publicLink("/admin/events");
    recipients = await tx.selectFrom("user").select(["email", "name"]).where("is_operator", "=", true).where("purge_after", "is", null).execute();
  }
  const failingSince = endpoint.failingSince.toISOString().slice(0, 10);
  for (const recipient of recipients) {
    await queueEmail(tx, { to: recipient.email, toName: recipient.name, template: "webhook-disabled", props: { endpointUrl: endpoint.url, failingSince, manageUrl, orgName } }, { now });
  }
  return recipients.length;
}
