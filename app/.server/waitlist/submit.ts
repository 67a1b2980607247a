// The POST /waitlist pipeline: bots are dropped quietly (they see success and
// nothing is stored), then validation, then the form's age, then limits, then
// the join itself. A person is never dropped quietly: a form that came back
// too fast, or with a stamp already used, is shown again with their input and
// a request to press the button once more.
import { createHash } from "node:crypto";
import { data } from "@remix-run/node";
import { readForm, type FormFailure } from "../forms";
import { getDb } from "../db";
import { getEnv } from "../env";
import { consumeRateLimits } from "../rate-limit";
import { WaitlistSchema } from "../../utils/waitlist-schema";
import { isDisposableDomain } from "./disposable";
import { checkFormStamp, consumeFormStamp, issueFormStamp } from "./form-stamp";
import { joinWaitlist } from "./join";

export const WAITLIST_LIMITS = {
  perIp: { limit: 10, windowSeconds: 10 * 60 },
  perEmail: { limit: 5, windowSeconds: 60 * 60 },
};

export const PRESS_AGAIN = {
  tooFast: "That was quicker than we expected from a person, so nothing was sent yet. Please check the form and press “Join the waitlist” again.",
  stale: "This form was out of date, so nothing was sent yet. Please check the form and press “Join the waitlist” again.",
};

const TOO_MANY = "Too many attempts. Please wait a little and try again.";

/** A failed join, with the stamp the form must carry next time (so a retry is not "too fast" again). */
export type WaitlistFailure = FormFailure & { stamp: string };

function retry(failure: Partial<FormFailure>, stamp: string, init: ResponseInit = { status: 400 }) {
  const body: WaitlistFailure = { ok: false, fieldErrors: failure.fieldErrors ?? {}, formError: failure.formError, values: failure.values ?? {}, stamp };
  return data(body, init);
}

export async function submitWaitlist(request: Request, client: { ip: string; userAgent: string | null }) {
  const form = await readForm(request, WaitlistSchema);
  // A body that is not our form at all (unknown or repeated fields, not a form)
  // is a plain 400; readForm keeps no values then.
  if (!form.ok && form.formError && Object.keys(form.values).length === 0) return data(form, { status: 400 });
  const db = getDb();
  const env = getEnv();

  // Bots: the hidden field filled in, or no stamp we signed. They only ever see success.
  const { website, startedAt } = form.ok ? form.data : form.values;
  if (website) return { ok: true as const };
  const verdict = await checkFormStamp(db, startedAt, env.WAITLIST_MIN_FILL_MS);
  if (verdict === "invalid") return { ok: true as const };
  const stamp = verdict === "stale" ? await issueFormStamp(db) : startedAt!;

  if (!form.ok) return retry(form, stamp);
  if (verdict === "too-fast") return retry({ formError: PRESS_AGAIN.tooFast, values: form.values }, stamp);
  if (verdict === "stale") return retry({ formError: PRESS_AGAIN.stale, values: form.values }, stamp);

  const { email, name, company } = form.data;
  if (env.WAITLIST_BLOCK_DISPOSABLE && isDisposableDomain(email)) {
    return retry({ fieldErrors: { email: "Please use a permanent email address, not a disposable one." }, values: form.values }, stamp);
  }
  const emailKey = createHash("sha256").update(email).digest("hex");
  const limits = await consumeRateLimits(db, [
    { key: `waitlist:ip:${client.ip}`, rule: WAITLIST_LIMITS.perIp },
    { key: `waitlist:email:${emailKey}`, rule: WAITLIST_LIMITS.perEmail },
  ]);
  if (!limits.allowed) {
    return retry({ formError: TOO_MANY, values: form.values }, stamp, { status: 429, headers: { "Retry-After": String(limits.retryAfterSeconds) } });
  }

  // Used up only with the join, in its transaction: a form sent back to fix a
  // field, or a join that failed, keeps its stamp. A second join with the same
  // stamp (the back button, or a bot replaying one page view) gets a fresh form to send.
  const joined = await joinWaitlist(db, { email, name, company }, client, new Date(), (tx) => consumeFormStamp(tx, stamp));
  if (!joined) return retry({ formError: PRESS_AGAIN.stale, values: form.values }, await issueFormStamp(db));
  return { ok: true as const };
}
