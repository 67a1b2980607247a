// queueEmail() is the only way the product sends mail. It is called inside the
// transaction that causes the message, so a committed change always has its
// email and a rolled-back one never does; delivery happens later, in the worker.
import { createHash } from "node:crypto";
import type { Brand } from "../../../emails/components/brand";
import type { EmailProps, EmailTemplateName } from "../../../emails";
import type { Database } from "../db";
import { getEnv } from "../env";
import { consumeRateLimit, consumeRateLimitEach } from "../rate-limit";
import { getBrand } from "./brand";
import { renderEmail, type RenderedEmail } from "./render";

export type QueueEmailInput<N extends EmailTemplateName> = {
  to: string;
  toName?: string | null;
  template: N;
  props: EmailProps<N>;
};

export type QueueEmailSettings = { brand: Brand; maxAttempts: number; recipientHourlyLimit: number; now?: Date };

export type QueueEmailResult =
  | { queued: true; id: string }
  | { queued: false; reason: "header-injection" | "recipient-limit" };

const LINE_BREAK = /[\r\n]/;

const recipientKey = (address: string) => `email:recipient:${createHash("sha256").update(address.toLowerCase()).digest("hex")}`;

function settingsFromEnv(): QueueEmailSettings {
  const env = getEnv();
  return { brand: getBrand(), maxAttempts: env.EMAIL_MAX_ATTEMPTS, recipientHourlyLimit: env.EMAIL_RECIPIENT_HOURLY_LIMIT };
}

export async function queueEmail<N extends EmailTemplateName>(
  tx: Database,
  input: QueueEmailInput<N>,
  overrides: Partial<QueueEmailSettings> = {},
): Promise<QueueEmailResult> {
  const settings = { ...settingsFromEnv(), ...overrides };
  const rendered = await renderEmail(input.template, input.props, settings.brand);
  // Anything that ends up in a header must be one line, or it could add headers.
  if ([input.to, input.toName ?? "", rendered.subject].some((value) => LINE_BREAK.test(value))) {
    return { queued: false, reason: "header-injection" };
  }

  // An inbox can only receive so much from us per hour, whoever asks: the portal
  // must not be usable to bomb someone's mailbox. Keyed by a hash, not the address.
  const allowance = await consumeRateLimit(tx, recipientKey(input.to), { limit: settings.recipientHourlyLimit, windowSeconds: 3600 }, settings.now);
  if (!allowance.allowed) return { queued: false, reason: "recipient-limit" };

  const row = await tx
    .insertInto("outbox_email")
    .values({
      template: input.template,
      to_address: input.to,
      to_name: input.toName ?? null,
      subject: rendered.subject,
      html: rendered.html,
      text_body: rendered.text,
      max_attempts: settings.maxAttempts,
      ...(settings.now ? { next_attempt_at: settings.now, created_at: settings.now, updated_at: settings.now } : {}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { queued: true, id: row.id };
}

export type BatchRecipient = { to: string; toName: string | null };

/**
 * One message, rendered once, to many recipients (a notice's fan-out): the
 * same rules as queueEmail — one-line headers, the per-recipient hourly limit —
 * applied to the whole batch in one statement each. Returns how many were
 * queued and how many refused.
 */
export async function queueRenderedBatch(
  tx: Database,
  input: { template: EmailTemplateName; rendered: RenderedEmail; recipients: BatchRecipient[] },
  overrides: Partial<QueueEmailSettings> = {},
): Promise<{ queued: number; refused: number }> {
  const settings = { ...settingsFromEnv(), ...overrides };
  if (LINE_BREAK.test(input.rendered.subject)) return { queued: 0, refused: input.recipients.length };
  const oneLine = input.recipients.filter((r) => !LINE_BREAK.test(r.to) && !LINE_BREAK.test(r.toName ?? ""));
  const allowed = await consumeRateLimitEach(tx, oneLine.map((r) => recipientKey(r.to)), { limit: settings.recipientHourlyLimit, windowSeconds: 3600 }, settings.now);
  const sending = oneLine.filter((r) => allowed.get(recipientKey(r.to)));
  if (sending.length > 0) {
    await tx
      .insertInto("outbox_email")
      .values(
        sending.map((r) => ({
          template: input.template,
          to_address: r.to,
          to_name: r.toName,
          subject: input.rendered.subject,
          html: input.rendered.html,
          text_body: input.rendered.text,
          max_attempts: settings.maxAttempts,
          ...(settings.now ? { next_attempt_at: settings.now, created_at: settings.now, updated_at: settings.now } : {}),
        })),
      )
      .execute();
  }
  return { queued: sending.length, refused: input.recipients.length - sending.length };
}
