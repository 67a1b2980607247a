// The connection forms of /orgs/:slug/sso, /admin/sso and the CLI, read into
// the settings connections.ts stores. Each field's problem is a sentence for
// the admin; nothing here reaches the IdP.
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { text } from "../forms";
import { isLoopbackUrl } from "./oidc/client";
import { DEFAULT_OIDC_SCOPES } from "./oidc/sign-in";
import type { OidcSettings, SamlSettings } from "./connections";

const role = z.enum(["member", "admin"], { error: "Choose member or admin." });
const optional = (max: number) => z.string().trim().max(max, `Keep this under ${max} characters.`).optional();

export const OidcFormFields = {
  name: text("Name", { max: 100 }),
  defaultRole: role,
  issuer: optional(500),
  discovery: optional(50_000),
  clientId: text("Client ID", { max: 300 }),
  clientSecret: z.string().max(2000, "Keep this under 2000 characters.").optional(),
  scopes: optional(300),
};

type OidcForm = { name: string; defaultRole: "member" | "admin"; issuer?: string; discovery?: string; clientId: string; clientSecret?: string; scopes?: string };

export type Parsed<T> = { ok: true; settings: T } | { ok: false; fieldErrors: Record<string, string> };

function httpsUrl(value: string): URL | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackUrl(url)) ? url : null;
}

/** `requireSecret`: a new connection needs one; an edit keeps the stored one when the field is left empty. */
export function parseOidcForm(form: OidcForm, requireSecret: boolean): Parsed<OidcSettings> {
  const fieldErrors: Record<string, string> = {};
  let discovery: Record<string, unknown> | null = null;
  let issuer = form.issuer ?? "";
  if (form.discovery) {
    try {
      const parsed = JSON.parse(form.discovery) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      discovery = parsed as Record<string, unknown>;
      for (const key of ["issuer", "authorization_endpoint", "token_endpoint"]) {
        if (typeof discovery[key] !== "string" || !httpsUrl(discovery[key])) fieldErrors.discovery = `The discovery document needs an https "${key}".`;
      }
      if (!fieldErrors.discovery) issuer ||= String(discovery.issuer);
      if (!fieldErrors.discovery && issuer !== discovery.issuer) fieldErrors.issuer = "The issuer must be the one the discovery document names.";
    } catch {
      fieldErrors.discovery = "Paste the discovery document as JSON (the contents of /.well-known/openid-configuration).";
    }
  }
  if (!issuer) fieldErrors.issuer ??= "Enter the issuer URL, or paste the discovery document.";
  else if (!httpsUrl(issuer)) fieldErrors.issuer ??= "The issuer must be an https:// URL, e.g. https://login.example.com.";
  if (requireSecret && !form.clientSecret) fieldErrors.clientSecret = "Enter the client secret.";
  const scopes = (form.scopes || DEFAULT_OIDC_SCOPES).split(/\s+/).filter(Boolean);
  if (!scopes.includes("openid")) fieldErrors.scopes = 'The scopes must include "openid".';
  else if (!scopes.every((scope) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) fieldErrors.scopes = "Separate scopes with spaces; each is one word.";
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  return {
    ok: true,
    settings: { name: form.name, defaultRole: form.defaultRole, issuer, discovery, clientId: form.clientId, clientSecret: form.clientSecret || null, scopes: scopes.join(" ") },
  };
}

export const SamlFormFields = {
  name: text("Name", { max: 100 }),
  defaultRole: role,
  metadataXml: optional(200_000),
  entityId: optional(500),
  ssoUrl: optional(1000),
  certificate: optional(20_000),
};

type SamlForm = { name: string; defaultRole: "member" | "admin"; metadataXml?: string; entityId?: string; ssoUrl?: string; certificate?: string };

/** A PEM (or bare base64) certificate: its normalized PEM and expiry, or null when it is not one. */
export function readCertificate(input: string): { pem: string; expiresAt: Date } | null {
  const body = input.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/=]+$/.test(body)) return null;
  try {
    const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
    const certificate = new X509Certificate(pem);
    return { pem, expiresAt: new Date(certificate.validTo) };
  } catch {
    return null;
  }
}

export type IdpMetadata = { entityId: string; ssoUrl: string; certificates: string[] };

/**
 * `parseMetadata` reads pasted IdP metadata (from the SAML library); the
 * fields typed in by hand are used when none is pasted.
 */
export function parseSamlForm(form: SamlForm, parseMetadata: ((xml: string) => IdpMetadata) | null): Parsed<SamlSettings> {
  const fieldErrors: Record<string, string> = {};
  let entityId = form.entityId ?? "";
  let ssoUrl = form.ssoUrl ?? "";
  let certificates = form.certificate ? [form.certificate] : [];
  if (form.metadataXml) {
    if (!parseMetadata) return { ok: false, fieldErrors: { metadataXml: "Metadata cannot be read on this server yet: fill in the entity ID, SSO URL and certificate." } };
    try {
      const metadata = parseMetadata(form.metadataXml);
      entityId = metadata.entityId;
      ssoUrl = metadata.ssoUrl;
      certificates = metadata.certificates;
    } catch (error) {
      fieldErrors.metadataXml = (error as Error).message;
    }
  }
  if (!fieldErrors.metadataXml) {
    if (!entityId) fieldErrors.entityId = "Enter the IdP's entity ID (issuer), or paste its metadata.";
    if (!ssoUrl) fieldErrors.ssoUrl = "Enter the IdP's single sign-on URL, or paste its metadata.";
    else if (!httpsUrl(ssoUrl)) fieldErrors.ssoUrl = "The single sign-on URL must be an https:// URL.";
    if (certificates.length === 0) fieldErrors.certificate = "Paste the IdP's signing certificate, or its metadata.";
  }
  const read = certificates.map(readCertificate);
  if (certificates.length > 0 && read.some((certificate) => certificate === null)) fieldErrors[form.metadataXml ? "metadataXml" : "certificate"] = "The signing certificate is not a valid X.509 certificate (PEM).";
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  const certs = read as Array<{ pem: string; expiresAt: Date }>;
  return {
    ok: true,
    settings: {
      name: form.name,
      defaultRole: form.defaultRole,
      entityId,
      ssoUrl,
      certificate: certs.map((certificate) => certificate.pem).join(""),
      metadataXml: form.metadataXml || null,
      // The soonest to expire is the one whose expiry matters.
      certificateExpiresAt: new Date(Math.min(...certs.map((certificate) => certificate.expiresAt.getTime()))),
    },
  };
}
