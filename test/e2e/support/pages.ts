// The pages the suite visits, and what identifies each one. Each gets the axe
// scans (light and dark), the skip-link check and the header check. Pages that
// need an account (verify-email, settings, sessions, a live reset link, the
// operator console) are scanned inside the journeys that reach them.
// The not-found page stays last: browser-console.spec.ts walks on from it.
import { E2E_SETTINGS } from "./instance";

export type PageUnderTest = { name: string; path: string; status: number; heading: string | RegExp };

export const PAGES: PageUnderTest[] = [
  { name: "landing page", path: "/", status: 200, heading: "Your account, your team, your data — in one place." },
  { name: "privacy page", path: "/privacy", status: 200, heading: `Privacy at ${E2E_SETTINGS.PRODUCT_NAME}` },
  { name: "signup page", path: "/signup", status: 200, heading: "Create your account" },
  { name: "login page", path: "/login", status: 200, heading: "Log in" },
  { name: "forgot-password page", path: "/forgot-password", status: 200, heading: "Reset your password" },
  { name: "expired reset link", path: "/reset-password/no-such-token", status: 410, heading: "This link no longer works" },
  { name: "not-found page", path: "/no-such-page/anywhere", status: 404, heading: "Page not found" },
];
