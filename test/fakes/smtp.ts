// An in-process SMTP server that catches messages (and can refuse them), for the
// SMTP transport's tests.
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export class SmtpCatcher {
  readonly messages: ParsedMail[] = [];
  /** When set, the next message is refused with this SMTP code. */
  refuseNextWith?: number;
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData: (stream, _session, callback) => {
      const code = this.refuseNextWith;
      this.refuseNextWith = undefined;
      simpleParser(stream)
        .then((mail) => {
          if (code) return callback(Object.assign(new Error(`refused with ${code}`), { responseCode: code }));
          this.messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  port = 0;

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.server.address() as { port: number }).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop() {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
