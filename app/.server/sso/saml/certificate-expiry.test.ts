// Certificate-expiry emails, with an injected clock: 30, 7 and 1 days before,
// each once, to the org's owners and admins (operators for the instance
// connection), never twice when two processes run the job together.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestOrg } from "../../../../test/factories/orgs";
import { createUser, queuedEmails } from "../../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { getEnv } from "../../env";
import { sendCertificateExpiryNotices } from "./certificate-expiry";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherProcess.destroy()]));
beforeEach(() => truncateAll(db));

const DAY = 24 * 60 * 60 * 1000;
const EXPIRES = new Date("2027-03-01T12:00:00Z");
const daysBefore = (days: number, extraMs = 0) => new Date(EXPIRES.getTime() - days * DAY + extraMs);
const run = (now: Date, database = db) => sendCertificateExpiryNotices(database, { now });
const link = (path: string) => new URL(path, getEnv().PUBLIC_URL).href;

async function acmeWithConnection(options: { enabled?: boolean } = {}) {
  const owner = await createUser(db, { email: "owner@acme.test", name: "Olivia" });
  const admin = await createUser(db, { email: "admin@acme.test", name: "Adam" });
  const member = await createUser(db, { email: "member@acme.test", name: "Max" });
  const org = await createTestOrg(db, { slug: "acme", owner, members: [{ user: admin, role: "admin" }, { user: member, role: "member" }] });
  const connection = await db
    .insertInto("sso_connection")
    .values({ org_id: org.id, kind: "saml", name: "Okta", enabled: options.enabled ?? true, certificate_expires_at: EXPIRES })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { org, connection };
}

const expiryEmails = async () => (await queuedEmails(db)).filter((email) => email.template === "saml-certificate-expiry");

describe("sendCertificateExpiryNotices", () => {
  it("emails the org's owners and admins at 30, 7 and 1 days, once each", async () => {
    await acmeWithConnection();
    expect(await run(daysBefore(31))).toEqual({ ran: true, notices: 0, emails: 0 });

    expect(await run(daysBefore(30))).toEqual({ ran: true, notices: 1, emails: 2 });
    const first = await expiryEmails();
    expect(first.map((email) => email.to_address).sort()).toEqual(["admin@acme.test", "owner@acme.test"]);
    expect(first[0]!.subject).toBe("SSO certificate for “Okta” expires in 30 days");
    expect(first[0]!.text_body).toContain("2027-03-01");
    expect(first[0]!.text_body).toContain(link("/orgs/acme/sso"));

    // Every later run before the 7-day mark sends nothing more.
    for (const days of [29, 20, 8]) expect(await run(daysBefore(days))).toEqual({ ran: true, notices: 0, emails: 0 });
    expect(await run(daysBefore(7))).toEqual({ ran: true, notices: 1, emails: 2 });
    expect(await run(daysBefore(6))).toEqual({ ran: true, notices: 0, emails: 0 });
    expect(await run(daysBefore(1))).toEqual({ ran: true, notices: 1, emails: 2 });
    expect(await run(daysBefore(0, -60_000))).toEqual({ ran: true, notices: 0, emails: 0 });
    expect((await expiryEmails()).map((email) => email.subject)).toEqual([
      "SSO certificate for “Okta” expires in 30 days",
      "SSO certificate for “Okta” expires in 30 days",
      "SSO certificate for “Okta” expires in 7 days",
      "SSO certificate for “Okta” expires in 7 days",
      "SSO certificate for “Okta” expires tomorrow",
      "SSO certificate for “Okta” expires tomorrow",
    ]);
    // Once expired, the page says so; no more mail.
    expect(await run(new Date(EXPIRES.getTime() + DAY))).toEqual({ ran: true, notices: 0, emails: 0 });
  });

  it("sends only the most urgent notice when the job missed the earlier ones", async () => {
    await acmeWithConnection();
    expect(await run(daysBefore(5))).toEqual({ ran: true, notices: 1, emails: 2 });
    expect((await expiryEmails())[0]!.subject).toBe("SSO certificate for “Okta” expires in 5 days");
    expect(await run(daysBefore(4))).toEqual({ ran: true, notices: 0, emails: 0 });
  });

  it("warns again for a new certificate (a new expiry date)", async () => {
    const { connection } = await acmeWithConnection();
    await run(daysBefore(30));
    const renewedExpiry = new Date(EXPIRES.getTime() + 10 * DAY);
    await db.updateTable("sso_connection").set({ certificate_expires_at: renewedExpiry }).where("id", "=", connection.id).execute();
    expect(await run(new Date(renewedExpiry.getTime() - 30 * DAY))).toEqual({ ran: true, notices: 1, emails: 2 });
  });

  it("emails the operators for the instance connection", async () => {
    const operator = await createUser(db, { email: "ops@example.com" });
    await createUser(db, { email: "someone@example.com" });
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
    await db.insertInto("sso_connection").values({ kind: "saml", name: "Company IdP", enabled: true, certificate_expires_at: EXPIRES }).execute();
    expect(await run(daysBefore(7))).toEqual({ ran: true, notices: 1, emails: 1 });
    const [email] = await expiryEmails();
    expect(email!.to_address).toBe("ops@example.com");
    expect(email!.text_body).toContain(link("/admin/sso"));
  });

  it("leaves connections that are off alone", async () => {
    await acmeWithConnection({ enabled: false });
    expect(await run(daysBefore(7))).toEqual({ ran: true, notices: 0, emails: 0 });
  });

  it("runs in one process at a time, and never sends a notice twice", async () => {
    await acmeWithConnection();
    const outcomes = await Promise.all([run(daysBefore(7)), run(daysBefore(7), otherProcess)]);
    const sent = outcomes.filter((outcome) => outcome.ran).reduce((total, outcome) => total + (outcome.ran ? outcome.emails : 0), 0);
    expect(sent).toBe(2);
    expect(await run(daysBefore(7), otherProcess)).toEqual({ ran: true, notices: 0, emails: 0 });
    expect(await expiryEmails()).toHaveLength(2);
  });
});
