// Resend, through its own SDK. The outbox row id is the Idempotency-Key, so if we
// crash after Resend accepted a message but before we recorded it, the retry is
// recognised by Resend and not delivered twice.
import { Resend } from "resend";
import { formatAddress, parseRetryAfter, type EmailTransport } from "./transport";

export function createResendTransport(options: { apiKey: string; baseUrl?: string }): EmailTransport {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/$/, "") } : undefined);
  return {
    name: "resend",
    async send(email, signal) {
      const { data, error, headers } = await resend.emails.send(
        { from: email.from, to: formatAddress(email.to, email.toName), subject: email.subject, html: email.html, text: email.text },
        { idempotencyKey: email.id, signal },
      );
      if (!error) return { ok: true, providerMessageId: data?.id ?? null };
      // The SDK passes through whatever JSON the API (or a proxy in front of it) returned.
      const status = typeof error.statusCode === "number" ? error.statusCode : null;
      // No status: the request never got an answer (network error, timeout).
      // 409: the same Idempotency-Key is still being processed; ask again later.
      const retryable = status === null || status === 429 || status === 409 || status >= 500;
      return {
        ok: false,
        retryable,
        error: `resend ${status ?? "network"} ${error.name}: ${error.message}`,
        retryAfterMs: parseRetryAfter(headers?.["retry-after"]),
      };
    },
  };
}
