// SMTP through nodemailer, for self-hosted installs that relay through their own
// mail server. The outbox row id becomes the Message-ID, so a duplicate that
// slips through after a crash is recognisable downstream.
import nodemailer from "nodemailer";
import { formatAddress, type EmailTransport } from "./transport";

export function createSmtpTransport(options: { url: string; messageIdDomain: string }): EmailTransport {
  const transporter = nodemailer.createTransport(options.url);
  return {
    name: "smtp",
    async send(email, signal) {
      try {
        const sending = transporter.sendMail({
          from: email.from,
          to: formatAddress(email.to, email.toName),
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: `<${email.id}@${options.messageIdDomain}>`,
        });
        const aborted = new Promise<never>((_, reject) => {
          signal.addEventListener("abort", () => reject(new Error("SMTP send timed out")), { once: true });
        });
        const info = await Promise.race([sending, aborted]);
        return { ok: true, providerMessageId: info.messageId ?? null };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // 5xx from the relay is a verdict on the message; 4xx and no answer at all are transient.
        const retryable = code === undefined || code < 500;
        return { ok: false, retryable, error: `smtp ${code ?? "connection"}: ${(error as Error).message}` };
      }
    },
    async close() {
      transporter.close();
    },
  };
}
