// The POST /waitlist pipeline: bots are dropped quietly (they see success and
// nothing is stored), then validation, then limits, then the join itself.
import { createHash } from "node:crypto";
import { formFailure, readForm } from "../forms";
import { getDb } from "../db";
import { getEnv } from "../env";
import { tooManyRequests } from "../http/responses";
import { consumeRateLimits } from "../rate-limit";
import { WaitlistSchema } from "../../utils/waitlist-schema";
import { isDisposableDomain } from "./disposable";
import { checkFormStamp } from "./form-stamp";
import { joinWaitlist } from "./join";

export const WAITLIST_LIMITS = {
  perIp: { limit: 10, windowSeconds: 10 * 60 },
  perEmail: { limit: 5, windowSeconds: 60 * 60 },
};

export async function submitWaitlist(request: Request, client: { ip: string; userAgent: string | null }) {
  const form = await readForm(request, WaitlistSchema);
  const db = getDb();
  const env = getEnv();
  const looksLikeBot = (values: { website?: string; startedAt?: string }) =>
    Boolean(values.website) || checkFormStamp(db, values.startedAt, env.WAITLIST_MIN_FILL_MS).then((verdict) => verdict !== "ok");

  if (!form.ok) {
    // A body that is not our form at all is a plain 400; a bot that filled our
    // form with garbage still only ever sees success.
    if (!form.formError && (await looksLikeBot(form.values))) return { ok: true as const };
    return formFailure(form);
  }
  if (await looksLikeBot(form.data)) return { ok: true as const };

  const { email, name, company } = form.data;
  if (env.WAITLIST_BLOCK_DISPOSABLE && isDisposableDomain(email)) {
    return formFailure({ fieldErrors: { email: "Please use a permanent email address, not a disposable one." }, values: form.values });
  }
  const emailKey = createHash("sha256").update(email).digest("hex");
  const limits = await consumeRateLimits(db, [
    { key: `waitlist:ip:${client.ip}`, rule: WAITLIST_LIMITS.perIp },
    { key: `waitlist:email:${emailKey}`, rule: WAITLIST_LIMITS.perEmail },
  ]);
  if (!limits.allowed) return tooManyRequests(limits.retryAfterSeconds);

  await joinWaitlist(db, { email, name, company }, client);
  return { ok: true as const };
}
