// Email domains an org (org_id null: the instance's operator) claims. Only a
// verified domain routes sign-in to a connection and lets an IdP vouch for an
// address. In hosted mode a claim is proven by a DNS TXT record; in
// self-hosted mode the operator marks it verified (or names it on the CLI).
// Routing looks at the address's domain only, never at whether an account
// exists: the answer for a stranger's address and a member's is the same.
import { Resolver } from "node:dns/promises";
import type { Database } from "../db";
import { generateSecret } from "../tokens";
import type { SsoConnection } from "./connections";

/** The TXT record's name: a label of our own under the domain, so it never clashes with SPF and friends. */
export const verificationRecordName = (domain: string) => `_gatehouse-verification.${domain}`;
export const verificationRecordValue = (token: string) => `gatehouse-verification=${token}`;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** "Example.COM." → "example.com"; null for anything that is not a public-looking domain name. */
export function normalizeDomain(input: string): string | null {
  const domain = input.trim().toLowerCase().replace(/\.$/, "");
  if (domain.length > 253) return null;
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  // A top-level domain is never all digits (that would be an IP address).
  if (/^\d+$/.test(labels.at(-1)!)) return null;
  return domain;
}

export type SsoDomain = { id: string; domain: string; orgId: string | null; connectionId: string | null; verificationToken: string; verifiedAt: Date | null };

export async function listSsoDomains(db: Database, orgId: string | null): Promise<SsoDomain[]> {
  const query = db.selectFrom("sso_domain").selectAll().orderBy("domain");
  const rows = await (orgId ? query.where("org_id", "=", orgId) : query.where("org_id", "is", null)).execute();
  return rows.map(toDomain);
}

export type ClaimResult = { ok: true; domain: SsoDomain } | { ok: false; reason: "taken" };

/** Claims a domain (already normalized). A domain has one owner: a second claim is refused, whoever made the first. */
export async function claimSsoDomain(db: Database, input: { orgId: string | null; domain: string; connectionId?: string | null; verified?: boolean }, now = new Date()): Promise<ClaimResult> {
  const row = await db
    .insertInto("sso_domain")
    .values({
      org_id: input.orgId,
      domain: input.domain,
      connection_id: input.connectionId ?? null,
      verification_token: generateSecret(20),
      verified_at: input.verified ? now : null,
      created_at: now,
    })
    .onConflict((oc) => oc.column("domain").doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? { ok: true, domain: toDomain(row) } : { ok: false, reason: "taken" };
}

export async function findSsoDomainById(db: Database, id: string): Promise<SsoDomain | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db.selectFrom("sso_domain").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toDomain(row) : null;
}

/** A domain this org (or the instance) claimed, or null: ids from forms are checked against their owner. */
export async function findOwnSsoDomain(db: Database, orgId: string | null, id: string): Promise<SsoDomain | null> {
  const domain = await findSsoDomainById(db, id);
  return domain && domain.orgId === orgId ? domain : null;
}

/** Claims awaiting the operator (self-hosted mode), every org's, with the org's name. */
export async function listUnverifiedSsoDomains(db: Database) {
  return db
    .selectFrom("sso_domain")
    .leftJoin("org", "org.id", "sso_domain.org_id")
    .select(["sso_domain.id", "sso_domain.domain", "sso_domain.created_at", "org.name as orgName", "org.slug as orgSlug"])
    .where("sso_domain.verified_at", "is", null)
    .orderBy("sso_domain.created_at")
    .execute();
}

export async function deleteSsoDomain(db: Database, id: string): Promise<void> {
  await db.deleteFrom("sso_domain").where("id", "=", id).execute();
}

/** Which connection a domain's sign-ins go to (null: none, the password form). */
export async function routeSsoDomain(db: Database, id: string, connectionId: string | null): Promise<void> {
  await db.updateTable("sso_domain").set({ connection_id: connectionId }).where("id", "=", id).execute();
}

export async function markSsoDomainVerified(db: Database, id: string, now = new Date()): Promise<void> {
  await db.updateTable("sso_domain").set({ verified_at: now }).where("id", "=", id).where("verified_at", "is", null).execute();
}

export type DnsCheck = { ok: true } | { ok: false; reason: "no-record" | "lookup-failed" };

/** The resolver for domain checks: the system's, or SSO_DNS_SERVERS when the operator (or a test) names others. */
export function dnsResolver(servers: string[] | undefined): Resolver {
  const resolver = new Resolver({ timeout: 3_000, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers(servers);
  return resolver;
}

/** Looks for the TXT record and marks the domain verified when it holds the token. */
export async function verifySsoDomainByDns(db: Database, domain: SsoDomain, resolver: Pick<Resolver, "resolveTxt">, now = new Date()): Promise<DnsCheck> {
  let records: string[][];
  try {
    records = await resolver.resolveTxt(verificationRecordName(domain.domain));
  } catch (error) {
    const code = (error as { code?: string }).code;
    // No such name or no TXT there: the record is simply not published (yet).
    return { ok: false, reason: code === "ENOTFOUND" || code === "ENODATA" ? "no-record" : "lookup-failed" };
  }
  // A long TXT value arrives in 255-byte chunks; joined, it is the value.
  const expected = verificationRecordValue(domain.verificationToken);
  if (!records.some((chunks) => chunks.join("") === expected)) return { ok: false, reason: "no-record" };
  await markSsoDomainVerified(db, domain.id, now);
  return { ok: true };
}

/** The domain part of an address, lower-cased; null when there is none. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  return at > 0 ? email.slice(at + 1).toLowerCase() : null;
}

/**
 * The enabled connection a sign-in with this address goes to, or null. Only
 * a verified domain routes; the account table is never consulted.
 */
export async function ssoConnectionForEmail(db: Database, email: string): Promise<SsoConnection | null> {
  const domain = emailDomain(email);
  if (!domain) return null;
  const row = await db
    .selectFrom("sso_domain")
    .innerJoin("sso_connection", "sso_connection.id", "sso_domain.connection_id")
    .selectAll("sso_connection")
    .where("sso_domain.domain", "=", domain)
    .where("sso_domain.verified_at", "is not", null)
    .where("sso_connection.enabled", "=", true)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Whether this connection may vouch for this address: its domain is a
 * verified domain of the connection's owner (the same org, or the instance).
 */
export async function connectionCoversEmail(db: Database, connection: Pick<SsoConnection, "org_id">, email: string): Promise<boolean> {
  const domain = emailDomain(email);
  if (!domain) return false;
  const query = db.selectFrom("sso_domain").select("id").where("domain", "=", domain).where("verified_at", "is not", null);
  const row = await (connection.org_id ? query.where("org_id", "=", connection.org_id) : query.where("org_id", "is", null)).executeTakeFirst();
  return row !== undefined;
}

function toDomain(row: { id: string; domain: string; org_id: string | null; connection_id: string | null; verification_token: string; verified_at: Date | null }): SsoDomain {
  return { id: row.id, domain: row.domain, orgId: row.org_id, connectionId: row.connection_id, verificationToken: row.verification_token, verifiedAt: row.verified_at };
}
