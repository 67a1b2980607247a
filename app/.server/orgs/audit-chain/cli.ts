// `npm run audit:verify -- --org SLUG`: recomputes the org's audit chain and
// prints the outcome as JSON. Exit code 0 when it verifies, 1 when an event
// does not match (named in the output), 2 for a wrong command line.
import { parseArgs } from "node:util";
import type { Database } from "../../db";
import { verifyAuditChain } from "./verify";

export type CliResult = { exitCode: number; output: unknown };

const USAGE = "usage: npm run audit:verify -- --org SLUG";

export async function runAuditVerifyCommand(db: Database, args: string[]): Promise<CliResult> {
  let slug: string | undefined;
  try {
    ({ values: { org: slug } } = parseArgs({ args, options: { org: { type: "string" } }, strict: true }));
  } catch (error) {
    return { exitCode: 2, output: { error: `${(error as Error).message}; ${USAGE}` } };
  }
  if (!slug) return { exitCode: 2, output: { error: USAGE } };
  const org = await db.selectFrom("org").select(["id", "slug", "name"]).where("slug", "=", slug.trim().toLowerCase()).executeTakeFirst();
  if (!org) return { exitCode: 2, output: { error: `No organization has the address ${slug}.` } };
  const started = performance.now();
  const report = await verifyAuditChain(db, org.id);
  return {
    exitCode: report.ok ? 0 : 1,
    output: {
      org: org.slug,
      ok: report.ok,
      checked: report.checked,
      start_seq: report.startSeq,
      head_seq: report.headSeq,
      head_hash: report.headHash,
      erased_values: report.erasedValues,
      events_before_the_chain: report.unchained,
      ...(report.failure ? { first_mismatch: { event_id: report.failure.id, seq: report.failure.seq, reason: report.failure.reason } } : {}),
      seconds: Math.round(performance.now() - started) / 1000,
    },
  };
}
