// The pages the suite visits, and what identifies each one.
import { E2E_SETTINGS } from "./instance";

export type PageUnderTest = { name: string; path: string; status: number; heading: string | RegExp };

export const PAGES: PageUnderTest[] = [
  { name: "landing page", path: "/", status: 200, heading: "Your account, your team, your data — in one place." },
  { name: "privacy page", path: "/privacy", status: 200, heading: `Privacy at ${E2E_SETTINGS.PRODUCT_NAME}` },
  { name: "not-found page", path: "/no-such-page/anywhere", status: 404, heading: "Page not found" },
];
