// Two-factor as a whole: is it on, what does the account have, turning it off,
// an operator's reset, and what the person's export shows (never a secret).
// Two-factor is on when the account has an authenticator app or a passkey.
import type { Database } from "../../db";
import { recordAuditEvent } from "../../orgs/audit";
import { notifyTwoFactorChange } from "./notify";
import { countRecoveryCodes } from "./recovery-codes";

export type MfaSummary = {
  enabled: boolean;
  totp: { enabledAt: Date } | null;
  passkeys: number;
  recoveryCodesLeft: number;
};

export async function getMfaSummary(db: Database, userId: string): Promise<MfaSummary> {
  const [totp, passkeys, recoveryCodesLeft] = await Promise.all([
    db.selectFrom("totp_factor").select("confirmed_at").where("user_id", "=", userId).where("confirmed_at", "is not", null).executeTakeFirst(),
    db.selectFrom("passkey").select((eb) => eb.fn.countAll<string>().as("count")).where("user_id", "=", userId).executeTakeFirstOrThrow(),
    countRecoveryCodes(db, userId),
  ]);
  const passkeyCount = Number(passkeys.count);
  return { enabled: Boolean(totp) || passkeyCount > 0, totp: totp?.confirmed_at ? { enabledAt: totp.confirmed_at } : null, passkeys: passkeyCount, recoveryCodesLeft };
}

/** One indexed probe per sign-in: does the password alone suffice? */
export async function hasSecondFactor(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .or([
          eb.exists(eb.selectFrom("totp_factor").select("user_id").where("user_id", "=", userId).where("confirmed_at", "is not", null)),
          eb.exists(eb.selectFrom("passkey").select("id").where("user_id", "=", userId)),
        ])
        .as("on"),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(row.on);
}

async function eraseFactors(tx: Database, userId: string): Promise<boolean> {
  const totp = await tx.deleteFrom("totp_factor").where("user_id", "=", userId).executeTakeFirst();
  const passkeys = await tx.deleteFrom("passkey").where("user_id", "=", userId).executeTakeFirst();
  await tx.deleteFrom("recovery_code").where("user_id", "=", userId).execute();
  await tx.deleteFrom("webauthn_challenge").where("user_id", "=", userId).execute();
  await tx.deleteFrom("pending_sign_in").where("user_id", "=", userId).execute();
  return totp.numDeletedRows + passkeys.numDeletedRows > 0n;
}

/** After the last factor goes, recovery codes have nothing to recover: they go too. */
async function turnOffIfNoneLeft(tx: Database, userId: string, now: Date): Promise<boolean> {
  const summary = await getMfaSummary(tx, userId);
  if (summary.enabled) return false;
  await tx.deleteFrom("recovery_code").where("user_id", "=", userId).execute();
  await notifyTwoFactorChange(tx, userId, "turned-off", null, now);
  return true;
}

export async function removeTotp(db: Database, userId: string, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    const removed = await tx.deleteFrom("totp_factor").where("user_id", "=", userId).where("confirmed_at", "is not", null).executeTakeFirst();
    if (removed.numDeletedRows === 0n) return { ok: false };
    if (!(await turnOffIfNoneLeft(tx, userId, now))) await notifyTwoFactorChange(tx, userId, "totp-removed", null, now);
    return { ok: true };
  });
}

export async function removePasskey(db: Database, userId: string, passkeyId: string, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    const removed = await tx.deleteFrom("passkey").where("id", "=", passkeyId).where("user_id", "=", userId).returning("name").executeTakeFirst();
    if (!removed) return { ok: false };
    if (!(await turnOffIfNoneLeft(tx, userId, now))) await notifyTwoFactorChange(tx, userId, "passkey-removed", removed.name, now);
    return { ok: true };
  });
}

/** The person turns two-factor off: app, passkeys and recovery codes all go. */
export async function turnOffMfa(db: Database, userId: string, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    if (!(await eraseFactors(tx, userId))) return { ok: false };
    await notifyTwoFactorChange(tx, userId, "turned-off", null, now);
    return { ok: true };
  });
}

/**
 * An operator resets two-factor for someone locked out (after checking who
 * they are, outside the product). Audited in each of the person's orgs and
 * mailed to them, so a reset nobody asked for is noticed.
 */
export async function resetMfa(db: Database, input: { userId: string; operator: { id: string; email: string }; ip: string | null }, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom("user").select("email").where("id", "=", input.userId).forUpdate().executeTakeFirst();
    if (!user || !(await eraseFactors(tx, input.userId))) return { ok: false };
    const orgs = await tx.selectFrom("membership").select("org_id").where("user_id", "=", input.userId).execute();
    for (const { org_id } of orgs) {
      await recordAuditEvent(tx, { orgId: org_id, actor: { userId: input.operator.id, label: `Operator ${input.operator.email}` }, action: "account.mfa_reset", target: user.email, ip: input.ip, at: now });
    }
    await notifyTwoFactorChange(tx, input.userId, "reset-by-operator", null, now);
    return { ok: true };
  });
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The export's "two_factor" section: which factors exist and when they were used, no secret, hash or key. */
export async function exportMfaFactors(db: Database, userId: string) {
  const [totp, passkeys, codes] = await Promise.all([
    db.selectFrom("totp_factor").select(["confirmed_at", "created_at"]).where("user_id", "=", userId).executeTakeFirst(),
    db.selectFrom("passkey").select(["name", "created_at", "last_used_at", "backed_up"]).where("user_id", "=", userId).orderBy("created_at").execute(),
    db.selectFrom("recovery_code").select(["created_at", "used_at"]).where("user_id", "=", userId).orderBy("created_at").execute(),
  ]);
  return {
    authenticator_app: totp ? { enabled_at: iso(totp.confirmed_at), enrolment_started_at: iso(totp.created_at) } : null,
    passkeys: passkeys.map((p) => ({ name: p.name, created_at: iso(p.created_at), last_used_at: iso(p.last_used_at), synced: p.backed_up })),
    recovery_codes: { created_at: iso(codes[0]?.created_at ?? null), total: codes.length, used: codes.filter((c) => c.used_at).map((c) => iso(c.used_at)) },
  };
}
