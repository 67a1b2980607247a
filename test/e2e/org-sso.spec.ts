// /orgs/:slug/sso as an owner walks it, with JavaScript on and off and on a
// 390 px phone: a Solo org is told what plan brings SSO; on Team, an OIDC
// connection is added (its redirect URI shown to copy, its secret never shown
// again), it cannot be switched on untested, a domain is claimed with the
// TXT record to publish, and the audit history tells it in sentences.
import type { Page } from "@playwright/test";
import type { ClientMetadata } from "oidc-provider";
import { OidcIdp } from "../fakes/oidc-idp";
import { createVerifiedAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";
import { createOrg, newOrg } from "./support/orgs";
import { escapeRegExp } from "./support/page-checks";
import { markSsoDomainVerified, setOrgPlan } from "./support/server-admin";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

test.describe.configure({ timeout: 180_000 });

test("an owner adds an OIDC connection and claims a domain", async ({ page, pageProblems }) => {
  await createVerifiedAccount(page, "sso-owner", "Sol Owner");
  const org = newOrg("sso", test.info().project.name);
  await createOrg(page, org);

  await openPage(page, pageProblems, `/orgs/${org.slug}/sso`);
  await expect(heading(page)).toHaveText("Single sign-on");
  await expect(page.getByText("Single sign-on comes with the Team plan")).toBeVisible();

  await setOrgPlan(org.slug, "team");
  await page.getByRole("navigation", { name: `${org.name} sections` }).getByRole("link", { name: "Single sign-on" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}/sso`);
  await expect(page.getByText("No connections yet")).toBeVisible();
  await expectNoAxeViolations(page);

  // A field left wrong is refused in words, and what was typed stays.
  pageProblems.allowStatus(new RegExp(`/orgs/${escapeRegExp(org.slug)}/sso(\\.data)?(\\?.*)?$`), 400);
  const oidc = page.getByRole("region", { name: "Add an OIDC connection" });
  await oidc.getByLabel("Name").fill("Okta");
  await oidc.getByLabel("Issuer URL").fill("not a url");
  await oidc.getByLabel("Client ID").fill("0oa-gatehouse");
  await oidc.getByLabel("Client secret").fill("a-secret-that-must-not-show");
  await oidc.getByRole("button", { name: "Add OIDC connection" }).click();
  await expect(page.getByText("The issuer must be an https:// URL")).toBeVisible();

  await oidc.getByLabel("Issuer URL").fill("https://acme.okta.example");
  await oidc.getByLabel("Client secret").fill("a-secret-that-must-not-show");
  await oidc.getByRole("button", { name: "Add OIDC connection" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connection “Okta” added." })).toBeVisible();
  const card = page.getByRole("region", { name: "Okta" });
  await expect(card.getByText("Off, not tested")).toBeVisible();
  await expect(card.getByLabel("Redirect URI for Okta")).toHaveValue(new RegExp(`^${escapeRegExp(E2E_ORIGIN)}/sso/oidc/[0-9a-f-]{36}/callback$`));
  await expect(card.getByRole("button", { name: "Switch on Okta" })).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText("a-secret-that-must-not-show");

  // Claiming a domain shows the TXT record that proves it. (A domain has one owner: each project claims its own.)
  const domain = `${org.slug}.test`;
  await page.getByLabel("Claim a domain").fill(domain.toUpperCase());
  await page.getByRole("button", { name: "Claim domain" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${domain} claimed. Publish the TXT record below, then check it.` })).toBeVisible();
  await expect(page.getByLabel(`TXT record name for ${domain}`)).toHaveValue(`_gatehouse-verification.${domain}`);
  await expect(page.getByLabel(`TXT record value for ${domain}`)).toHaveValue(/^gatehouse-verification=[a-z2-7]+$/);
  await expectNoAxeViolations(page);

  await openPage(page, pageProblems, `/orgs/${org.slug}/audit`);
  const events = page.getByRole("list", { name: "Audit events, newest first" }).getByRole("listitem");
  await expect(events.first()).toContainText(`Sol Owner claimed the email domain ${domain}`);
  await expect(events.nth(1)).toContainText("Sol Owner added the SSO connection Okta");
});

test("the SSO page and Sign in with SSO fit a 390 px phone and pass axe", async ({ page, pageProblems }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await openPage(page, pageProblems, "/sso");
  await expect(heading(page)).toHaveText("Sign in with SSO");
  await expectNoAxeViolations(page);
  // An address without SSO goes back to the password form, filled in.
  await page.getByLabel("Work email").fill("someone@no-sso.example");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/login\?email=someone%40no-sso\.example&notice=no-sso$/);
  await expect(page.getByLabel("Email")).toHaveValue("someone@no-sso.example");
  await expect(page.getByText("Single sign-on is not set up for that address")).toBeVisible();

  await createVerifiedAccount(page, "sso-phone", "Pia Phone");
  const org = newOrg("ssophone", test.info().project.name);
  await createOrg(page, org);
  await setOrgPlan(org.slug, "team");
  await openPage(page, pageProblems, `/orgs/${org.slug}/sso`);
  await expect(heading(page)).toHaveText("Single sign-on");
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  await expectNoAxeViolations(page);
});

test("an admin tests and switches on an OIDC connection, and a new person signs in through it", async ({ page, pageProblems }) => {
  // The IdP listens first; its client (our redirect URI) is registered once the connection exists.
  const idp = new OidcIdp();
  let giveClients!: (clients: ClientMetadata[]) => void;
  const clients = new Promise<ClientMetadata[]>((resolve) => (giveClients = resolve));
  let issuerIs!: (issuer: string) => void;
  const issuerKnown = new Promise<string>((resolve) => (issuerIs = resolve));
  const started = idp.start(async (issuer) => {
    issuerIs(issuer);
    return clients;
  });
  const issuer = await issuerKnown;
  try {
    await createVerifiedAccount(page, "sso-admin", "Ada Admin");
    const org = newOrg("ssoflow", test.info().project.name);
    await createOrg(page, org);
    await setOrgPlan(org.slug, "team");
    await openPage(page, pageProblems, `/orgs/${org.slug}/sso`);
    const oidc = page.getByRole("region", { name: "Add an OIDC connection" });
    await oidc.getByLabel("Name").fill("Test IdP");
    await oidc.getByLabel("Issuer URL").fill(issuer);
    await oidc.getByLabel("Client ID").fill("gatehouse-e2e");
    await oidc.getByLabel("Client secret").fill("e2e-client-secret");
    await oidc.getByRole("button", { name: "Add OIDC connection" }).click();
    const card = page.getByRole("region", { name: "Test IdP" });
    const redirectUri = await card.getByLabel("Redirect URI for Test IdP").inputValue();
    giveClients([{ client_id: "gatehouse-e2e", client_secret: "e2e-client-secret", redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }]);
    await started;

    const domain = `${org.slug}.test`;
    await page.getByLabel("Claim a domain").fill(domain);
    await page.getByRole("button", { name: "Claim domain" }).click();
    await expect(page.getByLabel(`TXT record name for ${domain}`)).toBeVisible();
    await markSsoDomainVerified(domain);

    const email = `nora@${domain}`;
    idp.addAccount({ sub: "nora-at-idp", email, email_verified: true, name: "Nora New" });
    idp.signInAs("nora-at-idp", ["pwd", "otp"]);
    await page.getByRole("button", { name: "Test connection Test IdP" }).click();
    await expect(page.getByText("“Test IdP” passed its test")).toBeVisible();
    await expect(card.getByText("Email domain")).toBeVisible();
    await card.getByRole("button", { name: "Switch on Test IdP" }).click();
    await expect(card.getByText("On", { exact: true })).toBeVisible();
    await expectNoAxeViolations(page);

    // Someone else, in a browser without the admin's session.
    await page.context().clearCookies();
    await page.goto("/login");
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await page.getByLabel("Work email").fill(email);
    idp.signInAs("nora-at-idp");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welcome, Nora");
    await openPage(page, pageProblems, `/orgs/${org.slug}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(org.name);
  } finally {
    await started.catch(() => undefined);
    await idp.stop();
  }
});
