// Optional page-view counting with the operator's own Umami (cookieless). Off
// unless both settings are given; the root renders the script, the CSP allows
// its origin, and the privacy page says which of the two is true.
import type { Env } from "./env";

export type Analytics = { scriptUrl: string; websiteId: string; origin: string };

export function analyticsSettings(env: Pick<Env, "UMAMI_SCRIPT_URL" | "UMAMI_WEBSITE_ID">): Analytics | null {
  if (!env.UMAMI_SCRIPT_URL || !env.UMAMI_WEBSITE_ID) return null;
  return { scriptUrl: env.UMAMI_SCRIPT_URL, websiteId: env.UMAMI_WEBSITE_ID, origin: new URL(env.UMAMI_SCRIPT_URL).origin };
}
