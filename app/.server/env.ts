// Every setting comes from the environment and is parsed here, once, at boot.
// Nothing else in the app reads process.env: import `getEnv()` instead.
import { BlockList, isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { singleton } from "./singleton";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

// Values we must never echo back in an error line, because they can hold credentials.
const SECRET_VARIABLES = new Set(["DATABASE_URL", "RESEND_API_KEY", "SMTP_URL", "LEMONSQUEEZY_API_KEY", "LEMONSQUEEZY_WEBHOOK_SECRET", "SECRETS_KEY"]);

// Billing is on in hosted mode as soon as any of these is set; then all are needed.
const BILLING_VARIABLES = ["LEMONSQUEEZY_API_KEY", "LEMONSQUEEZY_STORE_ID", "LEMONSQUEEZY_WEBHOOK_SECRET", "LEMONSQUEEZY_TEAM_VARIANT_IDS"] as const;

const noLineBreaks = (value: string) => !/[\r\n]/.test(value);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** LemonSqueezy ids are positive integers; we keep them as strings, as its API sends them in JSON:API ids. */
const providerId = z.string().trim().regex(/^[1-9]\d{0,18}$/, "must be a LemonSqueezy id (digits only)");

const providerIdList = z.string().transform((value, ctx) => {
  const ids = value.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (ids.length === 0) ctx.addIssue({ code: "custom", message: "must list at least one variant id" });
  for (const id of ids) {
    if (!/^[1-9]\d{0,18}$/.test(id)) ctx.addIssue({ code: "custom", message: `"${id}" is not a LemonSqueezy variant id (digits only)` });
  }
  return [...new Set(ids)];
});

const publicUrl = z
  .string()
  .refine((value) => URL.canParse(value), { message: "must be an absolute URL such as https://accounts.example.com", abort: true })
  .transform((value) => new URL(value))
  .refine((url) => url.protocol === "http:" || url.protocol === "https:", { message: "must start with http:// or https://", abort: true })
  .refine(
    (url) => url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password,
    "must be an origin only (no path, query, credentials or fragment), because links and the CSRF check are built from it",
  );

/**
 * SECRETS_KEY: one or more 32-byte keys (base64 or 64 hex digits), comma-separated.
 * The first encrypts; every one listed decrypts, which is how a key is rotated
 * (docs/two-factor.md).
 */
const secretsKeys = z.string().transform((value, ctx) => {
  const entries = value.split(",").map((entry) => entry.trim()).filter(Boolean);
  const keys: Buffer[] = [];
  for (const [index, entry] of entries.entries()) {
    const key = /^[0-9a-f]{64}$/i.test(entry) ? Buffer.from(entry, "hex") : /^[A-Za-z0-9+/_-]+={0,2}$/.test(entry) ? Buffer.from(entry, "base64") : null;
    if (key?.length === 32) keys.push(key);
    // The key itself is never echoed; its position is enough to find it.
    else ctx.addIssue({ code: "custom", message: `key ${index + 1} must be 32 random bytes, base64 or hex (e.g. \`openssl rand -base64 32\`)` });
  }
  if (entries.length === 0) ctx.addIssue({ code: "custom", message: "must list at least one key" });
  return keys;
});

const databaseUrl = z
  .string()
  .refine(
    (value) => URL.canParse(value) && ["postgres:", "postgresql:"].includes(new URL(value).protocol),
    "must be a postgres:// or postgresql:// connection URL",
  );

const trustProxy = z.string().transform((value, ctx) => {
  const entries = value.split(",").map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    if (!isTrustProxyEntry(entry)) {
      ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address, a CIDR range or "loopback"` });
    }
  }
  return entries;
});

/** "a@b.c" or "Name <a@b.c>". */
function isMailbox(value: string): boolean {
  const match = /^(?:[^<>"]*<([^<>\s]+)>|([^<>\s]+))$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && z.email().safeParse(address).success;
}

function isDnsServer(entry: string): boolean {
  if (isIP(entry) !== 0) return true;
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
  return match !== null && isIP(match[1]!) !== 0 && Number(match[2]) >= 1 && Number(match[2]) <= 65535;
}

function isTrustProxyEntry(entry: string): boolean {
  if (entry === "loopback") return true;
  const [address, prefix, ...rest] = entry.split("/");
  if (rest.length > 0 || !address || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d+$/.test(prefix) && bits >= 0 && bits <= max;
}

export const EnvSchema = z
  .object({
    NODE_ENV: oneOf(["production", "development", "test"]).default("production"),
    GATEHOUSE_MODE: oneOf(["hosted", "self-hosted"]).default("self-hosted"),
    PORT: integer(1, 65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    PUBLIC_URL: publicUrl.optional(),
    DATABASE_URL: databaseUrl.optional(),
    DATA_DIR: z.string().default("./data"),
    SECRETS_KEY: secretsKeys.optional(),
    TRUST_PROXY: trustProxy.default([]),
    LOG_LEVEL: oneOf(LOG_LEVELS).default("info"),
    BODY_LIMIT_BYTES: integer(1024, 50 * 1024 * 1024).default(100 * 1024),
    DB_POOL_MAX: integer(1, 200).default(10),
    DB_CONNECT_TIMEOUT_MS: integer(100, 60_000).default(2_000),
    DB_STATEMENT_TIMEOUT_MS: integer(100, 600_000).default(5_000),
    SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
    PRODUCT_NAME: z.string().trim().min(1).max(60).default("Gatehouse"),
    BRAND_COLOR: z.string().trim().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as "#4338ca"').optional(),
    BRAND_LOGO_URL: z
      .string()
      .trim()
      .refine((value) => (value.startsWith("/") && !value.startsWith("//")) || (URL.canParse(value) && new URL(value).protocol === "https:"), "must be a path on this server (/logo.svg) or an https:// URL the operator serves")
      .optional(),
    OPERATOR_NAME: z.string().trim().min(1).max(200).optional(),
    OPERATOR_EMAIL: z.email("must be an email address").optional(),
    OPERATOR_ADDRESS: z.string().trim().max(300).refine(noLineBreaks, "must be one line").optional(),
    SIGNUP_MODE: oneOf(["open", "invite-only"]).optional(),
    WAITLIST_BLOCK_DISPOSABLE: oneOf(["true", "false"]).optional(),
    WAITLIST_MIN_FILL_MS: integer(0, 60_000).default(2_000),
    AUDIT_RETENTION_DAYS: integer(1, 36_500).default(365),
    ACCOUNT_DELETION_GRACE_DAYS: integer(0, 365).default(7),
    UMAMI_SCRIPT_URL: z.url({ protocol: /^https?$/, error: "must be the http(s) URL of your Umami's script.js" }).optional(),
    UMAMI_WEBSITE_ID: z.uuid("must be the website id (a UUID) from your Umami").optional(),
    RUN_WORKER: oneOf(["true", "false"]).default("true").transform((value) => value === "true"),
    EMAIL_TRANSPORT: oneOf(["log", "resend", "smtp"]).default("log"),
    EMAIL_FROM: z.string().trim().refine(noLineBreaks, "must be one line").refine(isMailbox, 'must be an address, optionally with a name: "Acme <no-reply@acme.example>"').optional(),
    RESEND_API_KEY: z.string().trim().min(1).optional(),
    RESEND_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    SMTP_URL: z
      .string()
      .refine((value) => URL.canParse(value) && ["smtp:", "smtps:"].includes(new URL(value).protocol), "must be an smtp:// or smtps:// URL")
      .optional(),
    EMAIL_RATE_PER_SECOND: z.coerce.number({ error: "must be a number" }).min(0, "must be 0 (no limit) or more").max(1000).default(2),
    EMAIL_RECIPIENT_HOURLY_LIMIT: integer(1, 10_000).default(10),
    EMAIL_MAX_ATTEMPTS: integer(1, 50).default(8),
    LEMONSQUEEZY_API_KEY: z.string().trim().min(20, "must be an API key from LemonSqueezy (Settings → API)").refine(noLineBreaks, "must be one line").optional(),
    LEMONSQUEEZY_STORE_ID: providerId.optional(),
    // LemonSqueezy accepts signing secrets of 6 to 40 characters.
    LEMONSQUEEZY_WEBHOOK_SECRET: z.string().min(6, "must be at least 6 characters (LemonSqueezy allows 6 to 40)").max(40, "must be at most 40 characters (LemonSqueezy allows 6 to 40)").optional(),
    LEMONSQUEEZY_TEAM_VARIANT_IDS: providerIdList.optional(),
    // DNS servers for SSO domain checks (TXT records), "ip" or "ip:port", comma-separated; the system's when unset.
    SSO_DNS_SERVERS: z
      .string()
      .transform((value) => value.split(",").map((entry) => entry.trim()).filter(Boolean))
      .refine((entries) => entries.every(isDnsServer), 'must be IP addresses, optionally with a port: "10.0.0.2,10.0.0.3:5353"')
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.UMAMI_SCRIPT_URL) !== Boolean(env.UMAMI_WEBSITE_ID)) {
      ctx.addIssue({ code: "custom", path: [env.UMAMI_SCRIPT_URL ? "UMAMI_WEBSITE_ID" : "UMAMI_SCRIPT_URL"], message: "UMAMI_SCRIPT_URL and UMAMI_WEBSITE_ID go together" });
    }
    if (env.EMAIL_TRANSPORT === "resend" && !env.RESEND_API_KEY) {
      ctx.addIssue({ code: "custom", path: ["RESEND_API_KEY"], message: "is required when EMAIL_TRANSPORT=resend" });
    }
    if (env.EMAIL_TRANSPORT === "smtp" && !env.SMTP_URL) {
      ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "is required when EMAIL_TRANSPORT=smtp" });
    }
    if (env.EMAIL_TRANSPORT !== "log" && !env.EMAIL_FROM) {
      ctx.addIssue({ code: "custom", path: ["EMAIL_FROM"], message: `is required when EMAIL_TRANSPORT=${env.EMAIL_TRANSPORT}` });
    }
    // The vendor's hosted deployment must say who runs it; a local self-hosted
    // trial may leave it out and gets a neutral wording on the privacy page.
    if (env.GATEHOUSE_MODE === "hosted" && !env.OPERATOR_EMAIL) {
      ctx.addIssue({ code: "custom", path: ["OPERATOR_EMAIL"], message: "is required when GATEHOUSE_MODE=hosted (the privacy page names a contact)" });
    }
    if (env.GATEHOUSE_MODE === "hosted" && !env.OPERATOR_NAME) {
      ctx.addIssue({ code: "custom", path: ["OPERATOR_NAME"], message: "is required when GATEHOUSE_MODE=hosted (the privacy page names the operator)" });
    }
    // Self-hosted installs never bill and never call LemonSqueezy: a key there is a mistake.
    const billingSet = BILLING_VARIABLES.filter((name) => env[name] !== undefined);
    if (env.GATEHOUSE_MODE === "self-hosted") {
      for (const name of billingSet) {
        ctx.addIssue({ code: "custom", path: [name], message: "is not allowed when GATEHOUSE_MODE=self-hosted (self-hosted installs have no billing); remove it" });
      }
    } else if (billingSet.length > 0) {
      for (const name of BILLING_VARIABLES.filter((name) => env[name] === undefined)) {
        ctx.addIssue({ code: "custom", path: [name], message: `is required when billing is on (${billingSet.join(", ")} ${billingSet.length === 1 ? "is" : "are"} set)` });
      }
    }
  })
  .transform((env) => {
    const publicUrl = env.PUBLIC_URL ?? new URL(`http://localhost:${env.PORT}`);
    return {
      ...env,
      PUBLIC_URL: publicUrl,
      DATA_DIR: path.resolve(env.DATA_DIR),
      EMAIL_FROM: env.EMAIL_FROM ?? `${env.PRODUCT_NAME} <no-reply@${publicUrl.hostname}>`,
      // The vendor's hosted portal starts closed (people come in from the waitlist).
      SIGNUP_MODE: env.SIGNUP_MODE ?? (env.GATEHOUSE_MODE === "hosted" ? "invite-only" : "open"),
      // A public waitlist attracts throwaway addresses; an Enterprise's internal one rarely does.
      WAITLIST_BLOCK_DISPOSABLE: (env.WAITLIST_BLOCK_DISPOSABLE ?? (env.GATEHOUSE_MODE === "hosted" ? "true" : "false")) === "true",
      // Null unless this is the hosted deployment with LemonSqueezy configured (checked above).
      BILLING:
        env.GATEHOUSE_MODE === "hosted" && env.LEMONSQUEEZY_API_KEY && env.LEMONSQUEEZY_STORE_ID && env.LEMONSQUEEZY_WEBHOOK_SECRET && env.LEMONSQUEEZY_TEAM_VARIANT_IDS
          ? { apiKey: env.LEMONSQUEEZY_API_KEY, storeId: env.LEMONSQUEEZY_STORE_ID, webhookSecret: env.LEMONSQUEEZY_WEBHOOK_SECRET, teamVariantIds: env.LEMONSQUEEZY_TEAM_VARIANT_IDS }
          : null,
    };
  });

export type Env = z.output<typeof EnvSchema>;

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

/** Parses a set of variables; returns one readable line per problem instead of throwing. */
export function parseEnv(source: Record<string, string | undefined>): EnvResult {
  // An empty value (common in .env files and compose files) means "not set".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = EnvSchema.safeParse(cleaned);
  if (result.success) return { ok: true, env: result.data };
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const value = cleaned[name];
    const shown = value === undefined || SECRET_VARIABLES.has(name) ? "" : ` (got "${value}")`;
    return `${name}: ${issue.message}${shown}`;
  });
  return { ok: false, problems };
}

/** The process's settings, parsed on first use. Exits with one line per problem when invalid. */
export function getEnv(): Env {
  return singleton("env", () => {
    const result = parseEnv(process.env);
    if (result.ok) return result.env;
    process.stderr.write(`Gatehouse cannot start: the configuration is invalid.\n${result.problems.map((p) => `  ${p}\n`).join("")}`);
    process.exit(1);
  });
}

/** A BlockList of the proxies named in TRUST_PROXY, for client IP resolution. */
export function buildTrustedProxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const family = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}
