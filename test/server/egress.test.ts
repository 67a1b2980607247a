// "Data never leaves your perimeter": a self-hosted server on its defaults (the
// embedded database) runs a whole journey — waitlist, signup, verification,
// org, invitation, account deletion — while every outbound connection attempt
// is recorded. The only one allowed is the configured SMTP relay.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmtpCatcher } from "../fakes/smtp";
import { eventually, HttpClient, waitlistFormStamp } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";
import { newFormToken as formToken } from "../../app/.server/form-guards/one-time-form";

const work = mkdtempSync(path.join(tmpdir(), "gatehouse-egress-"));
const egressLog = path.join(work, "egress.jsonl");
const smtp = new SmtpCatcher();
let server: ServerProcess;

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  writeFileSync(egressLog, "");
  server = await startServer(
    {
      GATEHOUSE_MODE: "self-hosted",
      DATA_DIR: path.join(work, "data"),
      EMAIL_TRANSPORT: "smtp",
      SMTP_URL: smtpUrl,
      EMAIL_FROM: "Portal <portal@corp.example>",
      RUN_WORKER: "true",
      WAITLIST_MIN_FILL_MS: "0",
      EGRESS_LOG: egressLog,
    },
    { nodeArgs: ["--require", path.resolve("test/egress/record-connections.cjs")] },
  );
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp.stop();
  rmSync(work, { recursive: true, force: true });
});

const mailTo = (address: string, pattern: RegExp) =>
  eventually(() => {
    for (const mail of [...smtp.messages].reverse()) {
      const to = mail.to && "text" in mail.to ? mail.to.text : "";
      const match = to.includes(address) ? pattern.exec(`${mail.subject}\n${mail.text ?? ""}`) : null;
      if (match) return match;
    }
    return undefined;
  }, 20_000, `an email to ${address} matching ${pattern}`);

describe("self-hosted mode", () => {
  it("makes no outbound connection but to its SMTP relay during a full journey", async () => {
    const ada = new HttpClient(server.url);
    const landing = await (await ada.get("/")).text();
    const stamp = /name="startedAt" value="([^"]+)"/.exec(landing)![1]!;
    expect((await ada.post("/waitlist", { email: "ada@corp.example", name: "Ada", company: "Corp", website: "", startedAt: stamp })).status).toBe(200);

    expect((await ada.post("/signup", { email: "ada@corp.example", password: "a long enough passphrase", name: "Ada" })).status).toBe(200);
    const code = (await mailTo("ada@corp.example", /verification code is (\d{8})|\n(\d{8})\n/))[0].match(/\d{8}/)![0];
    expect((await ada.post("/login", { email: "ada@corp.example", password: "a long enough passphrase" })).headers.get("location")).toBe("/verify-email");
    expect((await ada.post("/verify-email", { intent: "code", code })).headers.get("location")).toBe("/home");

    expect((await ada.post("/orgs/new", { name: "Corp", slug: "corp", formToken: formToken() })).headers.get("location")).toBe("/orgs/corp");
    expect((await ada.post("/orgs/corp/invitations?intent=invite", { intent: "invite", email: "bob@corp.example", role: "member", formToken: formToken() })).status).toBe(200);
    const token = (await mailTo("bob@corp.example", /\/invite\/([a-z0-9]+)/))[1]!;

    const bob = new HttpClient(server.url);
    expect((await bob.post(`/invite/${token}?intent=signup`, { intent: "signup", name: "Bob", password: "bob's own long passphrase" })).headers.get("location")).toBe("/orgs/corp");
    expect((await bob.get("/orgs/corp/members")).status).toBe(200);
    const deleted = await bob.post("/settings/delete-account?intent=delete", { intent: "delete", password: "bob's own long passphrase", confirmation: "delete my account" });
    expect(deleted.headers.get("location")).toBe("/?notice=deletion-scheduled");
    await mailTo("bob@corp.example", /account will be deleted on/);

    type Attempt = { kind: string; host?: string; port?: number; path?: string };
    const attempts = readFileSync(egressLog, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Attempt);
    const loopback = (host?: string) => ["127.0.0.1", "localhost", "::1"].includes(host ?? "");
    // Resolving an IP literal or localhost never leaves the machine.
    const allowed = (a: Attempt) => (a.kind === "tcp" && loopback(a.host) && a.port === smtp.port) || (a.kind === "dns" && loopback(a.host));
    expect(attempts.filter((a) => !allowed(a))).toEqual([]);
    expect(attempts.filter((a) => a.kind === "tcp").length).toBeGreaterThan(0); // the relay was used, so the recorder works
  }, 120_000);
});

describe("the connection recorder", () => {
  it("sees an attempt to reach a third party (so a quiet log means something)", async () => {
    const log = path.join(work, "control.jsonl");
    writeFileSync(log, "");
    const control = await startServer(
      {
        GATEHOUSE_MODE: "self-hosted",
        DATA_DIR: path.join(work, "control-data"),
        EMAIL_TRANSPORT: "resend",
        RESEND_API_KEY: "re_not_a_real_key",
        EMAIL_FROM: "Portal <portal@corp.example>",
        RUN_WORKER: "true",
        WAITLIST_MIN_FILL_MS: "0",
        EGRESS_LOG: log,
      },
      { nodeArgs: ["--require", path.resolve("test/egress/record-connections.cjs")] },
    );
    try {
      const visitor = new HttpClient(control.url);
      const stamp = await waitlistFormStamp(server.url);
      await visitor.post("/waitlist", { email: "grace@corp.example", name: "", company: "", website: "", startedAt: stamp });
      await eventually(() => (readFileSync(log, "utf8").includes("api.resend.com") ? true : undefined), 20_000, "an attempt to reach api.resend.com");
    } finally {
      await control.stop();
    }
  }, 90_000);
});
