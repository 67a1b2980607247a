import { describe, expect, it } from "vitest";
import { auditSentenceText, describeAuditEvent } from "./audit-sentence";

const say = (actor: string, action: string, target: string | null = null, metadata: Record<string, unknown> = {}) => auditSentenceText(actor, { action, target, metadata });

describe("auditSentenceText", () => {
  it("names API keys by their name, not their prefix", () => {
    expect(say("Ada Lovelace", "api_key.created", "gk_1a2b3c4d… (CI deploys)")).toBe("Ada Lovelace created API key CI deploys");
    expect(say("Ada Lovelace", "api_key.revoked", "gk_1a2b3c4d… (CI deploys)")).toBe("Ada Lovelace revoked API key CI deploys");
    expect(say("API key gk_1a2b3c4d… (CI deploys)", "api_key.first_used", "gk_1a2b3c4d…")).toBe("API key gk_1a2b3c4d… (CI deploys) was used for the first time");
  });

  it("says what happened to people, with roles from the metadata", () => {
    expect(say("Ada", "member.invited", "bob@example.com", { role: "admin" })).toBe("Ada invited bob@example.com as admin");
    expect(say("Ada", "member.role_changed", "bob@example.com", { from: "member", to: "admin" })).toBe("Ada changed the role of bob@example.com from member to admin");
    expect(say("Bob", "member.joined", "bob@example.com", { role: "member" })).toBe("Bob joined the organization as member");
    expect(say("Ada", "member.removed", "bob@example.com")).toBe("Ada removed bob@example.com from the organization");
    expect(say("Ada", "org.ownership_transferred", "bob@example.com")).toBe("Ada handed ownership to bob@example.com");
  });

  it("describes the org's own changes", () => {
    expect(say("Ada", "org.renamed", "Acme Space", { from: "Acme", to: "Acme Space" })).toBe("Ada renamed the organization Acme Space (it was Acme)");
    expect(say("Ada", "org.slug_changed", "acme-space", { from: "acme", to: "acme-space" })).toBe("Ada moved the organization to the address acme-space (from acme)");
  });

  it("says which security rule changed, with the grace period and who did not comply yet", () => {
    expect(say("Ada", "security_policy.two_factor_required", "Acme", { graceDays: 7, notComplying: 3 })).toBe("Ada required two-factor authentication for members (grace period 7 days; 3 not complying yet)");
    expect(say("Ada", "security_policy.sso_required", "Acme", { graceDays: 0, notComplying: 0 })).toBe("Ada required members on the organization's domains to sign in with SSO (grace period 0 days; 0 not complying yet)");
    expect(say("Ada", "security_policy.session_limits_changed", "Acme", { maxMinutes: { from: "none", to: 480 }, idleMinutes: { from: 60, to: 30 } })).toBe(
      "Ada changed the session limits: lifetime from none to 480 minutes, idle timeout from 60 to 30 minutes",
    );
    expect(say("Ada", "security_policy.invite_domains_changed", "Acme", { domains: "acme.test" })).toBe("Ada limited invitations to the domains acme.test");
    expect(say("Ada", "security_policy.api_key_lifetime_changed", "Acme", { maxDays: { from: "none", to: 90 } })).toBe("Ada changed the maximum API key lifetime from none to 90 days");
    expect(say("Olivia", "security_policy.break_glass_used", "olivia@acme.test")).toBe("Olivia signed in without SSO (owner break-glass, password and second factor)");
  });

  it("falls back to the action in words for events it does not know (the vendor's own, via the API)", () => {
    expect(say("ci-bot", "deploy.finished", "web@1.2.3")).toBe("ci-bot recorded “deploy finished” web@1.2.3");
    expect(describeAuditEvent({ action: "billing.payment_failed", target: "subscription 9001", metadata: {} }).objectKind).toBe("billing");
  });

  it("never fails on metadata of an unexpected shape", () => {
    expect(say("x", "member.role_changed", null, { from: { nested: true }, to: null })).toBe("x changed the role of");
    expect(say("x", "billing.subscription_changed", "subscription 1", { status: 5, seats: { from: 1, to: 2 } })).toBe("x changed subscription 1: status 5, seats from 1 to 2");
  });
});
