import { Kysely, PostgresDialect, sql, type CompiledQuery } from "kysely";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DB } from "../../../db/schema";
import { PREVIEW_BRAND } from "../../../emails/components/brand";
import { FakeResend } from "../../../test/fakes/resend";
import { SmtpCatcher } from "../../../test/fakes/smtp";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { claimDueEmails, deliverDueEmails, retryDelayMs, retryFailedEmail, type DeliveryDeps } from "./delivery";
import { queueEmail } from "./queue";
import { createResendTransport } from "./resend-transport";
import { createSmtpTransport } from "./smtp-transport";
import type { EmailTransport } from "./transport";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
const resend = new FakeResend();
const smtp = new SmtpCatcher();
const logger = pino({ level: "silent" });
let resendTransport: EmailTransport;

beforeAll(async () => {
  resendTransport = createResendTransport({ apiKey: "re_test_key", baseUrl: await resend.start() });
});
afterAll(async () => {
  await Promise.all([db.destroy(), otherProcess.destroy(), resend.stop(), smtp.stop()]);
});
beforeEach(async () => {
  await truncateAll(db);
  resend.reset();
});

const start = new Date("2026-11-22T12:00:00Z");
let clock: Date;
beforeEach(() => (clock = start));

const settings = { from: "Gatehouse <no-reply@accounts.example.com>", ratePerSecond: 0, batchSize: 50, leaseMs: 60_000, sendTimeoutMs: 10_000, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const deps = (overrides: Partial<DeliveryDeps> = {}): DeliveryDeps => ({ db, transport: resendTransport, logger, settings, now: () => clock, random: () => 1, ...overrides });
const props = { name: "Ada", code: "12345678", verifyUrl: "https://accounts.example.com/verify-email?code=12345678", expiresInMinutes: 30 };

async function queue(n = 1, to = "ada@example.com") {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const result = await queueEmail(db, { to: n > 1 ? `user${i}@example.com` : to, toName: "Ada", template: "verify-email", props }, {
      brand: PREVIEW_BRAND,
      maxAttempts: 4,
      recipientHourlyLimit: 1_000,
      now: clock,
    });
    if (!result.queued) throw new Error(result.reason);
    ids.push(result.id);
  }
  return ids;
}
const rowOf = (id: string) => db.selectFrom("outbox_email").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("delivery through Resend (real SDK, fake API)", () => {
  it("sends with the outbox id as Idempotency-Key, then keeps only the metadata", async () => {
    const [id] = await queue();
    expect(await deliverDueEmails(deps())).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    const request = resend.requests[0]!;
    expect(request.headers["idempotency-key"]).toBe(id);
    expect(request.headers.authorization).toBe("Bearer re_test_key");
    expect(request.body).toMatchObject({ from: settings.from, to: '"Ada" <ada@example.com>', subject: "Your Gatehouse verification code" });
    expect(String(request.body.text)).toContain("12345678");
    const row = await rowOf(id!);
    expect(row).toMatchObject({ status: "sent", attempts: 1, provider_message_id: "re_1", html: null, text_body: null, last_error: null });
    expect(await deliverDueEmails(deps())).toMatchObject({ claimed: 0 });
  });

  it("honours Retry-After on a 429 and then delivers", async () => {
    const [id] = await queue();
    resend.answerNext({ status: 429, body: { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests" }, headers: { "Retry-After": "120" } });
    expect(await deliverDueEmails(deps())).toMatchObject({ retrying: 1 });
    const row = await rowOf(id!);
    expect(row.status).toBe("queued");
    expect(row.last_error).toContain("429 rate_limit_exceeded");
    expect(row.next_attempt_at.getTime() - start.getTime()).toBe(120_000);

    clock = new Date(start.getTime() + 119_000);
    expect(await deliverDueEmails(deps())).toMatchObject({ claimed: 0 }); // not due yet
    clock = new Date(start.getTime() + 120_000);
    expect(await deliverDueEmails(deps())).toMatchObject({ sent: 1 });
    expect(resend.delivered.size).toBe(1);
  });

  it("backs off exponentially on 5xx and a hung connection, and fails for good after the last try, keeping the message", async () => {
    const [id] = await queue();
    resend.answerNext({ status: 500, body: { statusCode: 500, name: "internal_server_error", message: "boom" } }, "hang", { status: 503, body: "<html>unavailable</html>" }, { status: 502, body: { statusCode: 502, name: "application_error", message: "bad gateway" } });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      // A short send timeout, so the hung request is given up on quickly.
      await deliverDueEmails(deps({ settings: { ...settings, sendTimeoutMs: 1_500 } }));
      const row = await rowOf(id!);
      delays.push(row.next_attempt_at.getTime() - clock.getTime());
      clock = row.next_attempt_at;
    }
    expect(delays.slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
    const row = await rowOf(id!);
    expect(row).toMatchObject({ status: "failed", attempts: 4 });
    expect(row.last_error).toContain("502");
    expect(row.html).toContain("Verify my email"); // kept, so an operator can retry it
    expect(resend.delivered.size).toBe(0);

    expect(await retryFailedEmail(db, id!, clock)).toBe(true);
    expect(await deliverDueEmails(deps())).toMatchObject({ sent: 1 });
    expect(await rowOf(id!)).toMatchObject({ status: "sent", attempts: 5 });
  });

  it("treats a validation error as permanent", async () => {
    const [id] = await queue();
    resend.answerNext({ status: 422, body: { statusCode: 422, name: "validation_error", message: "Invalid `to` field" } });
    expect(await deliverDueEmails(deps())).toMatchObject({ failed: 1 });
    expect(await rowOf(id!)).toMatchObject({ status: "failed", attempts: 1 });
    expect(resend.requests).toHaveLength(1);
  });

  it("does not send twice when a crashed pass left its message claimed", async () => {
    const [id] = await queue();
    // A process claims the message and dies before recording anything.
    await claimDueEmails(db, clock, "00000000-0000-4000-8000-000000000000", { batchSize: 10, leaseMs: 60_000 });
    expect(await deliverDueEmails(deps())).toMatchObject({ claimed: 0 }); // lease still held
    // Resend accepted the dead process's request before it died.
    resend.delivered.set(id!, Object.assign({ method: "POST", path: "/emails", headers: {}, body: {} }, { id: "re_early" }));
    clock = new Date(start.getTime() + 61_000);
    expect(await deliverDueEmails(deps())).toMatchObject({ claimed: 1, sent: 1 });
    expect(await rowOf(id!)).toMatchObject({ status: "sent", provider_message_id: "re_early" });
    expect(resend.delivered.size).toBe(1);
  });

  it("skips a message that a slow pass's lease no longer covers, once another pass took it over", async () => {
    const ids = await queue(2);
    // The first send takes longer than the whole lease; meanwhile another
    // process finds both leases expired and delivers both messages.
    let slowOne: string | undefined;
    const slow: EmailTransport = {
      name: "slow",
      async send(email, signal) {
        if (!slowOne) {
          slowOne = email.id;
          clock = new Date(start.getTime() + settings.leaseMs + 1_000);
          expect(await deliverDueEmails(deps({ db: otherProcess }))).toMatchObject({ claimed: 2, sent: 2 });
        }
        return resendTransport.send(email, signal);
      },
    };
    expect(await deliverDueEmails(deps({ transport: slow }))).toMatchObject({ claimed: 2, sent: 1 });
    const other = ids.find((id) => id !== slowOne)!;
    // The message already being sent went out again (same Idempotency-Key, so
    // Resend keeps one); the other was skipped: its renewal found the new token.
    const sendsOf = (id: string) => resend.requests.filter((r) => r.headers["idempotency-key"] === id).length;
    expect([sendsOf(slowOne!), sendsOf(other)]).toEqual([2, 1]);
    expect(resend.delivered.size).toBe(2);
    expect(await rowOf(other)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("two workers drain 200 messages, each delivered exactly once", async () => {
    await queue(200);
    const worker = (database: typeof db) => async () => {
      for (;;) {
        const pass = await deliverDueEmails(deps({ db: database, settings: { ...settings, batchSize: 7 } }));
        if (pass.claimed === 0) return;
      }
    };
    const started = performance.now();
    await Promise.all([worker(db)(), worker(otherProcess)()]);
    const seconds = (performance.now() - started) / 1000;
    expect(resend.requests).toHaveLength(200);
    expect(resend.delivered.size).toBe(200);
    const sent = await db.selectFrom("outbox_email").select(db.fn.countAll<string>().as("n")).where("status", "=", "sent").executeTakeFirstOrThrow();
    expect(sent.n).toBe("200");
    console.log(`delivery throughput against the fake Resend, 2 workers, no rate limit: ${Math.round(200 / seconds)} messages/s`);
  }, 180_000);

  it("keeps to the shared per-second rate across passes", async () => {
    await queue(5);
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      clock = new Date(clock.getTime() + ms);
    };
    await deliverDueEmails(deps({ settings: { ...settings, ratePerSecond: 2 }, sleep }));
    expect(resend.delivered.size).toBe(5);
    expect(slept).toEqual([1_000, 1_000]); // 2 now, 2 a second later, 1 the second after
  });
});

describe("delivery through SMTP (real nodemailer, in-process server)", () => {
  let transport: EmailTransport;
  beforeAll(async () => {
    transport = createSmtpTransport({ url: await smtp.start(), messageIdDomain: "accounts.example.com" });
  });

  it("delivers with the outbox id as Message-ID", async () => {
    const [id] = await queue();
    expect(await deliverDueEmails(deps({ transport }))).toMatchObject({ sent: 1 });
    const mail = smtp.messages.at(-1)!;
    expect(mail.messageId).toBe(`<${id}@accounts.example.com>`);
    expect(mail.subject).toBe("Your Gatehouse verification code");
    expect(mail.text).toContain("12345678");
    expect(mail.to && "text" in mail.to ? mail.to.text : "").toContain("ada@example.com");
  });

  it("retries a 4xx from the relay and gives up on a 5xx", async () => {
    const [id] = await queue();
    smtp.refuseNextWith = 451;
    expect(await deliverDueEmails(deps({ transport }))).toMatchObject({ retrying: 1 });
    clock = (await rowOf(id!)).next_attempt_at;
    smtp.refuseNextWith = 550;
    expect(await deliverDueEmails(deps({ transport }))).toMatchObject({ failed: 1 });
    expect((await rowOf(id!)).last_error).toContain("smtp 550");
  });
});

describe("retryDelayMs", () => {
  it("grows exponentially with jitter, up to the cap", () => {
    const s = { baseDelayMs: 1_000, maxDelayMs: 10_000 };
    expect(retryDelayMs(1, s, () => 0)).toBe(500);
    expect(retryDelayMs(1, s, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, s, () => 1)).toBe(4_000);
    expect(retryDelayMs(10, s, () => 1)).toBe(10_000);
    expect(retryDelayMs(1, s, () => 1, 30_000)).toBe(30_000);
  });
});

describe("delivery after a sudden flood (a notice to every account)", () => {
  it("records each outcome through the primary key, even while the statistics still say the queue is empty", async () => {
    // A quiet history, analyzed: to the planner, almost nothing is ever queued or sending.
    await sql`insert into outbox_email (template, to_address, subject, status, attempts, max_attempts, created_at, updated_at, next_attempt_at, sent_at)
              select 'verify-email', 'old' || n || '@example.com', 'Old', 'sent', 1, 8, ${start}, ${start}, ${start}, ${start} from generate_series(1, 5000) as n`.execute(db);
    await sql`analyze outbox_email`.execute(db);
    // Then thousands queued at once, before autovacuum's next analyze.
    await sql`insert into outbox_email (template, to_address, subject, html, text_body, status, attempts, max_attempts, created_at, updated_at, next_attempt_at)
              select 'policy-notice', 'user' || n || '@example.com', 'Notice', '<p>Hi</p>', 'Hi', 'queued', 0, 8, ${start}, ${start}, ${start} from generate_series(1, 5000) as n`.execute(db);

    const updates: CompiledQuery[] = [];
    const watched = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: workerDatabaseUrl(), max: 1 }) }),
      log: (event) => void (event.level === "query" && /^update "outbox_email"/.test(event.query.sql) && updates.push(event.query)),
    });
    try {
      const sent: string[] = [];
      const transport: EmailTransport = { name: "test", send: async (email) => (sent.push(email.id), { ok: true, providerMessageId: null }) };
      expect(await deliverDueEmails({ ...deps({ transport }), db: watched, settings: { ...settings, batchSize: 5 } })).toMatchObject({ claimed: 5, sent: 5 });
      expect(updates).toHaveLength(5);
      for (const update of updates) {
        const { rows } = await sql.raw<{ "QUERY PLAN": string }>(`explain ${inline(update)}`).execute(db);
        const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
        expect(plan, plan).toMatch(/using outbox_email_pkey/);
      }
    } finally {
      await watched.destroy();
    }
  });
});

/** The statement with its parameters written in, for EXPLAIN. */
function inline(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = query.parameters[Number(n) - 1];
    if (value === null || value === undefined) return "null";
    if (value instanceof Date) return `'${value.toISOString()}'`;
    if (typeof value === "number" || typeof value === "bigint") return String(value);
    return `'${String(value).replaceAll("'", "''")}'`;
  });
}
