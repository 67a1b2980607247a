// An owner signing in past their org's require-SSO rule with password and a
// second factor: allowed (the IdP may be down), never silent. The org's audit
// history records it and every other owner gets an email.
import type { Database } from "../../db";
import { publicLink } from "../../email/brand";
import { queueEmail } from "../../email/queue";
import { recordAuditEvent } from "../audit";
import type { MembershipPolicy } from "./facts";

export async function recordBreakGlassSignIn(db: Database, input: { userId: string; email: string; orgs: MembershipPolicy[]; ip: string | null; now: Date }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const org of input.orgs) {
      await recordAuditEvent(tx, { orgId: org.orgId, actor: { userId: input.userId, label: input.email }, action: "security_policy.break_glass_used", target: input.email, ip: input.ip, at: input.now });
      const owners = await tx
        .selectFrom("membership")
        .innerJoin("user", "user.id", "membership.user_id")
        .select(["user.email", "user.name"])
        .where("membership.org_id", "=", org.orgId)
        .where("membership.role", "=", "owner")
        .where("membership.user_id", "!=", input.userId)
        .execute();
      for (const owner of owners) {
        // A refused email (the recipient's hourly limit) must not undo the sign-in's audit row.
        await queueEmail(
          tx,
          { to: owner.email, toName: owner.name, template: "break-glass-used", props: { orgName: org.orgName, ownerLabel: input.email, ip: input.ip, auditUrl: publicLink(`/orgs/${org.orgSlug}/audit`) } },
          { now: input.now },
        );
      }
    }
  });
}
