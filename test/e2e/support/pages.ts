// The pages the suite visits, and what identifies each one. Each gets the axe
// scans (light and dark), the skip-link check and the header check: PAGES as a
// visitor (accessibility.spec.ts, pages.spec.ts), SIGNED_IN_PAGES as an org
// owner who is also an operator (signed-in-pages.spec.ts). Pages that need a
// particular moment (verify-email, a live reset link, an invitation, the
// deletion grace period) are scanned inside the journeys that reach them.
// The not-found page stays last: browser-console.spec.ts walks on from it.
import { E2E_SETTINGS } from "./instance";
import type { Org } from "./orgs";

export type PageUnderTest = { name: string; path: string; status: number; heading: string | RegExp };

export const PAGES: PageUnderTest[] = [
  { name: "landing page", path: "/", status: 200, heading: "Your account, your team, your data — in one place." },
  { name: "privacy page", path: "/privacy", status: 200, heading: `Privacy at ${E2E_SETTINGS.PRODUCT_NAME}` },
  { name: "signup page", path: "/signup", status: 200, heading: "Create your account" },
  { name: "login page", path: "/login", status: 200, heading: "Log in" },
  { name: "sign in with SSO page", path: "/sso", status: 200, heading: "Sign in with SSO" },
  { name: "expired SSO sign-in", path: "/sso/continue", status: 400, heading: "This sign-in has expired" },
  { name: "forgot-password page", path: "/forgot-password", status: 200, heading: "Reset your password" },
  { name: "waitlist page", path: "/waitlist", status: 200, heading: "Join the waitlist" },
  { name: "expired reset link", path: "/reset-password/no-such-token", status: 410, heading: "This link no longer works" },
  { name: "not-found page", path: "/no-such-page/anywhere", status: 404, heading: "Page not found" },
];

export type SignedInPageUnderTest = { name: string; path: (org: Org) => string; heading: (org: Org) => string; operatorOnly?: true };

/** Pages for a signed-in person, about the org they own where it applies; `operatorOnly` ones answer 404 to everyone else. */
export const SIGNED_IN_PAGES: SignedInPageUnderTest[] = [
  { name: "home page", path: () => "/home", heading: () => "Welcome, Paige" },
  { name: "settings page", path: () => "/settings", heading: () => "Settings" },
  { name: "sessions page", path: () => "/settings/sessions", heading: () => "Your sessions" },
  { name: "data export page", path: () => "/settings/export", heading: () => "Download your data" },
  { name: "delete-account page", path: () => "/settings/delete-account", heading: () => "Delete your account" },
  { name: "apps and devices page", path: () => "/settings/apps", heading: () => "Apps and devices" },
  { name: "device sign-in page", path: () => "/device", heading: () => "Sign in a device" },
  { name: "organizations page", path: () => "/orgs", heading: () => "Your organizations" },
  { name: "new-organization page", path: () => "/orgs/new", heading: () => "Create an organization" },
  { name: "organization overview", path: (org) => `/orgs/${org.slug}`, heading: (org) => org.name },
  { name: "organization members page", path: (org) => `/orgs/${org.slug}/members`, heading: () => "Members" },
  { name: "organization invitations page", path: (org) => `/orgs/${org.slug}/invitations`, heading: () => "Invitations" },
  { name: "organization API keys page", path: (org) => `/orgs/${org.slug}/api-keys`, heading: () => "API keys" },
  { name: "organization billing page", path: (org) => `/orgs/${org.slug}/billing`, heading: () => "Billing" },
  { name: "organization audit page", path: (org) => `/orgs/${org.slug}/audit`, heading: () => "Audit history" },
  { name: "organization SSO page", path: (org) => `/orgs/${org.slug}/sso`, heading: () => "Single sign-on" },
  { name: "organization security page", path: (org) => `/orgs/${org.slug}/security`, heading: () => "Security" },
  { name: "organization settings page", path: (org) => `/orgs/${org.slug}/settings`, heading: () => "Settings" },
  { name: "organization webhooks page", path: (org) => `/orgs/${org.slug}/webhooks`, heading: () => "Webhooks" },
  { name: "operator console", path: () => "/admin", heading: () => "Operator console", operatorOnly: true },
  { name: "operator users page", path: () => "/admin/users", heading: () => "Users", operatorOnly: true },
  { name: "operator waitlist page", path: () => "/admin/waitlist", heading: () => "Waitlist", operatorOnly: true },
  { name: "operator notices page", path: () => "/admin/notices", heading: () => "Notices", operatorOnly: true },
  { name: "operator email log", path: () => "/admin/emails", heading: () => "Email log", operatorOnly: true },
  { name: "operator apps page", path: () => "/admin/apps", heading: () => "Apps", operatorOnly: true },
  { name: "operator SSO page", path: () => "/admin/sso", heading: () => "Single sign-on", operatorOnly: true },
  { name: "operator webhook log", path: () => "/admin/webhooks", heading: () => "Webhook log", operatorOnly: true },
  { name: "operator events page", path: () => "/admin/events", heading: () => "Events", operatorOnly: true },
];
