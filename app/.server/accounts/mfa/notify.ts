// Every change to how an account signs in is mailed to it, in the same
// transaction as the change (the outbox), so an attacker who got in cannot
// quietly add their own factor or take the owner's away.
import type { TwoFactorChange } from "../../../../emails/two-factor-changed";
import type { Database } from "../../db";
import { publicLink } from "../../email/brand";
import { queueEmail } from "../../email/queue";

export async function notifyTwoFactorChange(tx: Database, userId: string, change: TwoFactorChange, detail: string | null, now = new Date()): Promise<void> {
  const user = await tx.selectFrom("user").select(["email", "name"]).where("id", "=", userId).executeTakeFirstOrThrow();
  await queueEmail(tx, { to: user.email, toName: user.name, template: "two-factor-changed", props: { change, detail, securityUrl: publicLink("/settings/security") } }, { now });
}
