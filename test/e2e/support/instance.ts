// The installation the e2e suite runs against. The Playwright config starts the
// server with these settings and the specs assert that the pages show them, so
// they are deliberately recognisable and unlike any default.
// E2E_PORT moves the whole instance (server, fake Resend on the next port, its
// own database, its copy of the build), so two checkouts on one machine can run
// the suite at once.
import path from "node:path";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_ORIGIN = `http://localhost:${E2E_PORT}`;
export const E2E_DATABASE_NAME = process.env.E2E_PORT ? `gatehouse_e2e_${E2E_PORT}` : "gatehouse_e2e";

export const E2E_SETTINGS = {
  GATEHOUSE_MODE: "hosted",
  PRODUCT_NAME: "Gatehouse E2E",
  OPERATOR_NAME: "Keyboard & Screen Testing Ltd",
  OPERATOR_EMAIL: "privacy@e2e-operator.example",
} as const;

/**
 * The copy of build/ the e2e server and the admin CLI run from, taken when the
 * server starts (start-server.ts): a `npm run build` during the run replaces
 * build/client's hashed assets, which would turn every later page of the run
 * into 404s for its scripts and stylesheet. Inside the checkout (and ignored by
 * git), so the copy still finds node_modules.
 */
export const E2E_BUILD_DIR = path.resolve(".ci/out", `e2e-build-${E2E_PORT}`);

/** The fake Resend API (test/fakes/resend.ts) the e2e server delivers its mail to; specs read the mail back from it. */
export const E2E_RESEND_PORT = E2E_PORT + 1;
export const E2E_RESEND_URL = `http://127.0.0.1:${E2E_RESEND_PORT}`;

export const E2E_EMAIL_SETTINGS = {
  EMAIL_TRANSPORT: "resend",
  RESEND_API_KEY: "re_test_key",
  RESEND_BASE_URL: E2E_RESEND_URL,
  EMAIL_FROM: "Gatehouse E2E <no-reply@e2e.example>",
  // Every test signs up its own account; no queue should hold their mail back.
  EMAIL_RATE_PER_SECOND: "0",
} as const;

export const E2E_ACCOUNT_SETTINGS = {
  // Hosted mode starts invite-only; the suite signs up through the open form.
  SIGNUP_MODE: "open",
  // The server believes X-Forwarded-For from loopback, so each test can act from
  // its own client IP (see support/accounts.ts). The product's per-IP limits
  // (10 signups and 10 reset requests an hour, 50 logins in 15 minutes) stay as
  // they are; a whole suite, both projects, from one address would exceed them.
  TRUST_PROXY: "loopback",
} as const;

/**
 * The waitlist's minimum fill time, as in production (WAITLIST_MIN_FILL_MS
 * defaults to 2000): a form sent sooner is dropped without a word. The specs
 * wait it out before sending; the one about fast forms needs it long enough
 * that a form sent at once is still too fast on a busy machine.
 */
export const E2E_WAITLIST_MIN_FILL_MS = 2_000;

export const E2E_WAITLIST_SETTINGS = {
  WAITLIST_MIN_FILL_MS: String(E2E_WAITLIST_MIN_FILL_MS),
} as const;

/** The PostgreSQL admin connection (any database on the server); TEST_DATABASE_URL overrides it. */
export const E2E_ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The database the e2e server runs on (recreated by start-server.ts on every run). */
export function e2eDatabaseUrl(): string {
  const url = new URL(E2E_ADMIN_DATABASE_URL);
  url.pathname = `/${E2E_DATABASE_NAME}`;
  return url.toString();
}
