// Two-factor for integration tests, set up through the real enrolment (so the
// seed is encrypted exactly as in production); the test keeps the key to
// compute codes the way an authenticator app would.
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import type { Database } from "../../app/.server/db";
import { confirmTotpEnrolment, startTotpEnrolment } from "../../app/.server/accounts/mfa/totp-factor";
import { totpCodeAt } from "../../app/.server/accounts/mfa/totp";

export type EnrolledTotp = { key: Uint8Array; recoveryCodes: string[]; codeAt: (when: Date) => string };

export async function enrolTotp(db: Database, user: { id: string; email: string }, now = new Date()): Promise<EnrolledTotp> {
  const started = await startTotpEnrolment(db, user, "Gatehouse", now);
  if (!started.ok) throw new Error("two-factor is already on");
  const key = decodeBase32IgnorePadding(started.enrolment.formattedKey.replace(/ /g, ""));
  const confirmed = await confirmTotpEnrolment(db, user.id, totpCodeAt(key, now), now);
  if (!confirmed.ok) throw new Error(`enrolment failed: ${confirmed.reason}`);
  return { key, recoveryCodes: confirmed.recoveryCodes ?? [], codeAt: (when) => totpCodeAt(key, when) };
}
