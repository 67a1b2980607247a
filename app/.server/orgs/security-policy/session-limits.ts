// Session lifetime and idle timeout are per org, sessions are per person: a
// session carries the strictest limits of its person's orgs. Sign-in computes
// them (check.ts); when a policy tightens, or a person joins an org, the
// sessions that already exist are brought under the new limits here, in one
// statement. Loosening a policy does not lengthen sessions already running.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "../../db";

function applyLimits(db: Database, users: RawBuilder<unknown>) {
  return sql`
    update session s set
      absolute_expires_at = least(s.absolute_expires_at, s.created_at + lim.max_minutes * interval '1 minute'),
      idle_timeout_seconds = least(s.idle_timeout_seconds, lim.idle_minutes * 60),
      expires_at = least(s.expires_at, s.last_seen_at + lim.idle_minutes * interval '1 minute', s.created_at + lim.max_minutes * interval '1 minute')
    from (
      select m.user_id, min(p.session_max_minutes) as max_minutes, min(p.session_idle_minutes) as idle_minutes
      from membership m join org_security_policy p on p.org_id = m.org_id
      where m.user_id in (${users})
      group by m.user_id
    ) lim
    where s.user_id = lim.user_id and (lim.max_minutes is not null or lim.idle_minutes is not null)
  `.execute(db);
}

const membersOf = (orgId: string) => sql`select user_id from membership where org_id = ${orgId}`;

/** After an org's session limits changed: every member's sessions. */
export async function applySessionLimitsOfOrg(db: Database, orgId: string): Promise<void> {
  await applyLimits(db, membersOf(orgId));
}

/** After a person joined an org. */
export async function applySessionLimitsOfUser(db: Database, userId: string): Promise<void> {
  await applyLimits(db, sql`select ${userId}::uuid`);
}
