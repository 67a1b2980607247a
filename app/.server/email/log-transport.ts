// The default for local use: nothing is sent; each message is printed with its
// links so a developer can follow them. Not for production: links carry tokens.
import type { Logger } from "pino";
import type { EmailTransport } from "./transport";

export function createLogTransport(logger: Logger): EmailTransport {
  return {
    name: "log",
    async send(email) {
      const links = [...email.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
      logger.info({ email: { id: email.id, to: email.to, subject: email.subject, links, text: email.text } }, "email (log transport, not sent)");
      return { ok: true, providerMessageId: null };
    },
  };
}
