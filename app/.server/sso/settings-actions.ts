// The actions of an SSO settings page: an org's (/orgs/:slug/sso) or the
// instance's (/admin/sso, ownerOrgId null). One intent per POST, named in the
// query (?intent=…), each read against exactly its fields. Changes to what
// signs people in need a recent proof of identity (step-up).
import { z } from "zod";
import { requireRecentAuth } from "../accounts/mfa/step-up";
import { confirmedField } from "../form-guards/confirmation";
import { formTokenField, oncePerRender } from "../form-guards/one-time-form";
import { formFailure, readForm } from "../forms";
import type { Database } from "../db";
import { recordAuditEvent } from "../orgs/audit";
import type { ValidSession } from "../session";
import {
  createOidcConnection,
  createSamlConnection,
  deleteSsoConnection,
  findOwnSsoConnection,
  setSsoConnectionEnabled,
  updateOidcConnection,
  updateSamlConnection,
  type SsoConnection,
} from "./connections";
import { claimSsoDomain, deleteSsoDomain, dnsResolver, findOwnSsoDomain, findSsoDomainById, markSsoDomainVerified, normalizeDomain, routeSsoDomain, verifySsoDomainByDns } from "./domains";
import { OidcFormFields, parseOidcForm, parseSamlForm, SamlFormFields, type IdpMetadata } from "./settings-form";
import { startSsoSignIn } from "./start";

export type SsoOwner = {
  orgId: string | null;
  session: ValidSession;
  ip: string | null;
  /** Hosted mode proves domains by DNS; self-hosted, the operator marks them verified. */
  mode: "hosted" | "self-hosted";
  dnsServers?: string[];
  /** Only the operator (at /admin/sso) may mark a domain verified by hand. */
  mayMarkVerified: boolean;
  parseMetadata: ((xml: string) => IdpMetadata) | null;
};

const id = (what: string) => z.uuid(`Unknown ${what}.`);

const SCHEMAS = {
  "create-oidc": z.object({ ...OidcFormFields, formToken: formTokenField }),
  "create-saml": z.object({ ...SamlFormFields, formToken: formTokenField }),
  "update-oidc": z.object({ ...OidcFormFields, connectionId: id("connection") }),
  "update-saml": z.object({ ...SamlFormFields, connectionId: id("connection") }),
  delete: z.object({ connectionId: id("connection"), confirm: confirmedField }),
  test: z.object({ connectionId: id("connection") }),
  enable: z.object({ connectionId: id("connection") }),
  disable: z.object({ connectionId: id("connection") }),
  "claim-domain": z.object({ domain: z.string().trim().min(1, "Enter a domain, e.g. example.com.").max(253, "A domain is at most 253 characters."), connectionId: z.union([id("connection"), z.literal("")]).optional() }),
  "route-domain": z.object({ domainId: id("domain"), connectionId: z.union([id("connection"), z.literal("")]) }),
  "check-domain": z.object({ domainId: id("domain") }),
  "verify-domain": z.object({ domainId: id("domain") }),
  "remove-domain": z.object({ domainId: id("domain"), confirm: confirmedField }),
} as const;

export type SsoIntent = keyof typeof SCHEMAS;
const CHANGES_SIGN_IN = new Set<SsoIntent>(["create-oidc", "create-saml", "update-oidc", "update-saml", "delete", "enable", "claim-domain", "route-domain", "verify-domain", "remove-domain"]);

export type SsoActionData = { ok: true; message: string; intent: SsoIntent } | ReturnType<typeof formFailure>;

export async function handleSsoSettingsAction(db: Database, request: Request, owner: SsoOwner) {
  const intent = new URL(request.url).searchParams.get("intent") as SsoIntent | null;
  if (!intent || !(intent in SCHEMAS)) return formFailure({ formError: "Unknown action. Reload the page and try again." }, 400);
  if (CHANGES_SIGN_IN.has(intent)) await requireRecentAuth(request);
  const actor = { userId: owner.session.user.id, label: owner.session.user.email };
  const audit = async (action: string, target: string, metadata?: Record<string, unknown>) => {
    if (owner.orgId) await recordAuditEvent(db, { orgId: owner.orgId, actor, action, target, ip: owner.ip, metadata });
  };
  const done = (message: string) => ({ ok: true as const, message, intent });
  const connectionOf = (connectionId: string): Promise<SsoConnection | null> => findOwnSsoConnection(db, owner.orgId, connectionId);
  const noConnection = () => formFailure({ formError: "That connection no longer exists." }, 404);

  switch (intent) {
    case "create-oidc":
    case "create-saml": {
      const form = await readForm(request, SCHEMAS[intent]);
      if (!form.ok) return formFailure(form);
      const parsed = intent === "create-oidc" ? parseOidcForm(form.data as z.output<(typeof SCHEMAS)["create-oidc"]>, true) : parseSamlForm(form.data as z.output<(typeof SCHEMAS)["create-saml"]>, owner.parseMetadata);
      if (!parsed.ok) return formFailure({ fieldErrors: parsed.fieldErrors, values: form.values });
      const run = await oncePerRender(
        db,
        { token: form.data.formToken, userId: actor.userId, purpose: "sso-connection" },
        () => (intent === "create-oidc" ? createOidcConnection(db, owner.orgId, parsed.settings as Parameters<typeof createOidcConnection>[2]) : createSamlConnection(db, owner.orgId, parsed.settings as Parameters<typeof createSamlConnection>[2])),
        (connection) => connection.id,
      );
      if (run.repeated) return done("That form was already sent; the connection was created once.");
      await audit("sso.connection_created", run.value.name, { kind: run.value.kind });
      return done(`Connection “${run.value.name}” added. Copy our URLs into your identity provider, then test it.`);
    }
    case "update-oidc":
    case "update-saml": {
      const form = await readForm(request, SCHEMAS[intent]);
      if (!form.ok) return formFailure(form);
      const connection = await connectionOf(form.data.connectionId);
      if (!connection) return noConnection();
      if (connection.kind !== intent.slice("update-".length)) return formFailure({ formError: "That connection is of another kind. Reload the page." }, 409);
      if (intent === "update-oidc") {
        const parsed = parseOidcForm(form.data as z.output<(typeof SCHEMAS)["update-oidc"]>, false);
        if (!parsed.ok) return formFailure({ fieldErrors: parsed.fieldErrors, values: form.values });
        await updateOidcConnection(db, connection, parsed.settings);
      } else {
        const parsed = parseSamlForm(form.data as z.output<(typeof SCHEMAS)["update-saml"]>, owner.parseMetadata);
        if (!parsed.ok) return formFailure({ fieldErrors: parsed.fieldErrors, values: form.values });
        await updateSamlConnection(db, connection, parsed.settings);
      }
      await audit("sso.connection_updated", form.data.name);
      return done(`Connection “${form.data.name}” saved. It is off until you test it again.`);
    }
    case "delete": {
      const form = await readForm(request, SCHEMAS.delete);
      if (!form.ok) return formFailure(form);
      const connection = await connectionOf(form.data.connectionId);
      if (!connection) return noConnection();
      await deleteSsoConnection(db, connection.id);
      await audit("sso.connection_deleted", connection.name);
      return done(`Connection “${connection.name}” deleted. Sessions it signed in have ended.`);
    }
    case "test": {
      const form = await readForm(request, SCHEMAS.test);
      if (!form.ok) return formFailure(form);
      const connection = await connectionOf(form.data.connectionId);
      if (!connection) return noConnection();
      const started = await startSsoSignIn(db, connection, { purpose: "test", testerUserId: actor.userId });
      if (!started.ok) return formFailure({ formError: started.message }, 502);
      throw started.response;
    }
    case "enable":
    case "disable": {
      const form = await readForm(request, SCHEMAS[intent]);
      if (!form.ok) return formFailure(form);
      const connection = await connectionOf(form.data.connectionId);
      if (!connection) return noConnection();
      const result = await setSsoConnectionEnabled(db, connection, intent === "enable");
      if (!result.ok) return formFailure({ formError: `Test “${connection.name}” successfully before switching it on.` }, 409);
      await audit(intent === "enable" ? "sso.connection_enabled" : "sso.connection_disabled", connection.name);
      return done(intent === "enable" ? `“${connection.name}” is on: addresses on its domains now sign in through it.` : `“${connection.name}” is off.`);
    }
    case "claim-domain": {
      const form = await readForm(request, SCHEMAS["claim-domain"]);
      if (!form.ok) return formFailure(form);
      const domain = normalizeDomain(form.data.domain);
      if (!domain) return formFailure({ fieldErrors: { domain: "Enter a domain name such as example.com (no @, no https://)." }, values: form.values });
      if (form.data.connectionId) {
        const connection = await connectionOf(form.data.connectionId);
        if (!connection) return noConnection();
      }
      const claimed = await claimSsoDomain(db, { orgId: owner.orgId, domain, connectionId: form.data.connectionId || null, verified: false });
      if (!claimed.ok) return formFailure({ fieldErrors: { domain: `${domain} is already claimed. If it is yours, contact support.` }, values: form.values }, 409);
      await audit("sso.domain_claimed", domain);
      return done(owner.mode === "hosted" ? `${domain} claimed. Publish the TXT record below, then check it.` : `${domain} claimed. The operator marks it verified at /admin/sso.`);
    }
    case "route-domain": {
      const form = await readForm(request, SCHEMAS["route-domain"]);
      if (!form.ok) return formFailure(form);
      const domain = await findOwnSsoDomain(db, owner.orgId, form.data.domainId);
      if (!domain) return formFailure({ formError: "That domain is no longer claimed." }, 404);
      if (form.data.connectionId) {
        const connection = await connectionOf(form.data.connectionId);
        if (!connection) return noConnection();
      }
      await routeSsoDomain(db, domain.id, form.data.connectionId || null);
      return done(`Sign-ins on ${domain.domain} now go ${form.data.connectionId ? "to the chosen connection" : "to the password form"}.`);
    }
    case "check-domain": {
      const form = await readForm(request, SCHEMAS["check-domain"]);
      if (!form.ok) return formFailure(form);
      const domain = await findOwnSsoDomain(db, owner.orgId, form.data.domainId);
      if (!domain) return formFailure({ formError: "That domain is no longer claimed." }, 404);
      if (owner.mode !== "hosted") return formFailure({ formError: "On this server the operator marks domains verified." }, 409);
      const checked = await verifySsoDomainByDns(db, domain, dnsResolver(owner.dnsServers));
      if (!checked.ok) {
        return formFailure(
          { formError: checked.reason === "no-record" ? `The TXT record for ${domain.domain} was not found yet. DNS changes can take a while; try again later.` : `DNS could not be asked about ${domain.domain} just now. Try again in a minute.` },
          409,
        );
      }
      await audit("sso.domain_verified", domain.domain, { method: "dns" });
      return done(`${domain.domain} is verified.`);
    }
    case "verify-domain": {
      const form = await readForm(request, SCHEMAS["verify-domain"]);
      if (!form.ok) return formFailure(form);
      if (!owner.mayMarkVerified) return formFailure({ formError: "Only the operator marks domains verified." }, 403);
      // The operator verifies any org's claim (self-hosted mode has no DNS proof).
      const domain = await findSsoDomainById(db, form.data.domainId);
      if (!domain) return formFailure({ formError: "That domain is no longer claimed." }, 404);
      await markSsoDomainVerified(db, domain.id);
      if (domain.orgId) await recordAuditEvent(db, { orgId: domain.orgId, actor, action: "sso.domain_verified", target: domain.domain, ip: owner.ip, metadata: { method: "operator" } });
      return done(`${domain.domain} is verified.`);
    }
    case "remove-domain": {
      const form = await readForm(request, SCHEMAS["remove-domain"]);
      if (!form.ok) return formFailure(form);
      const domain = await findOwnSsoDomain(db, owner.orgId, form.data.domainId);
      if (!domain) return formFailure({ formError: "That domain is no longer claimed." }, 404);
      await deleteSsoDomain(db, domain.id);
      await audit("sso.domain_removed", domain.domain);
      return done(`${domain.domain} removed: its addresses sign in with passwords again.`);
    }
  }
}
