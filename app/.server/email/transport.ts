// How a message leaves the building. Each transport says whether a failure is
// worth retrying (rate limits, server errors, network trouble) or permanent (the
// provider rejected the message itself), and how long the provider asked us to wait.
import type { Env } from "../env";
import type { Logger } from "pino";
import { createLogTransport } from "./log-transport";
import { createResendTransport } from "./resend-transport";
import { createSmtpTransport } from "./smtp-transport";

export type OutgoingEmail = { id: string; from: string; to: string; toName: string | null; subject: string; html: string; text: string };

export type SendResult =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

export interface EmailTransport {
  name: "log" | "resend" | "smtp";
  send(email: OutgoingEmail, signal: AbortSignal): Promise<SendResult>;
  close?(): Promise<void>;
}

export function createTransport(env: Env, logger: Logger): EmailTransport {
  switch (env.EMAIL_TRANSPORT) {
    case "resend":
      return createResendTransport({ apiKey: env.RESEND_API_KEY!, baseUrl: env.RESEND_BASE_URL });
    case "smtp":
      return createSmtpTransport({ url: env.SMTP_URL!, messageIdDomain: env.PUBLIC_URL.hostname });
    case "log":
      return createLogTransport(logger);
  }
}

export function formatAddress(address: string, name: string | null): string {
  if (!name) return address;
  return `"${name.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}" <${address}>`;
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
