import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { PREVIEW_BRAND } from "../../../emails/components/brand";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { queueEmail } from "./queue";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const settings = { brand: PREVIEW_BRAND, maxAttempts: 5, recipientHourlyLimit: 3 };
const props = { name: "Ada", code: "12345678", verifyUrl: "https://accounts.example.com/verify-email?code=12345678", expiresInMinutes: 30 };
const count = async () => (await db.selectFrom("outbox_email").select(db.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n;

describe("queueEmail", () => {
  it("stores the rendered message with the change that caused it", async () => {
    const result = await db.transaction().execute((trx) => queueEmail(trx, { to: "ada@example.com", toName: "Ada", template: "verify-email", props }, settings));
    expect(result.queued).toBe(true);
    const row = await db.selectFrom("outbox_email").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ to_address: "ada@example.com", to_name: "Ada", template: "verify-email", status: "queued", attempts: 0, max_attempts: 5 });
    expect(row.subject).toBe("Your Gatehouse verification code");
    expect(row.text_body).toContain("12345678");
    expect(row.html).toContain("Verify my email");
  });

  it("queues nothing when the transaction rolls back", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await queueEmail(trx, { to: "ada@example.com", template: "verify-email", props }, settings);
        throw new Error("the signup failed after queueing");
      }),
    ).rejects.toThrow("the signup failed");
    expect(await count()).toBe("0");
  });

  it("refuses a CR or LF in the address, the display name or the subject", async () => {
    for (const input of [
      { to: "ada@example.com\r\nBcc: victim@example.com" },
      { to: "ada@example.com", toName: "Ada\nBcc: victim@example.com" },
    ]) {
      expect(await queueEmail(db, { ...input, template: "verify-email", props }, settings)).toEqual({ queued: false, reason: "header-injection" });
    }
    // An org's name is the user-supplied text that reaches a subject.
    const invitation = { orgName: "Acme\r\nX-Evil: 1", inviterLabel: "Ada", role: "member", acceptUrl: "https://accounts.example.com/invite/x", expiresInDays: 7 };
    expect(await queueEmail(db, { to: "ada@example.com", template: "org-invitation", props: invitation }, settings)).toEqual({
      queued: false,
      reason: "header-injection",
    });
    expect(await count()).toBe("0");
  });

  it("sends at most the hourly limit to one inbox, whatever the case of the address", async () => {
    const now = new Date("2026-11-22T10:00:00Z");
    const results = [];
    for (const to of ["ada@example.com", "ADA@example.com", "ada@example.com", "Ada@Example.com"]) {
      results.push(await queueEmail(db, { to, template: "verify-email", props }, { ...settings, now }));
    }
    expect(results.map((r) => r.queued)).toEqual([true, true, true, false]);
    expect(results[3]).toEqual({ queued: false, reason: "recipient-limit" });
    const nextHour = await queueEmail(db, { to: "ada@example.com", template: "verify-email", props }, { ...settings, now: new Date("2026-11-22T11:00:00Z") });
    expect(nextHour.queued).toBe(true);
  });
});
