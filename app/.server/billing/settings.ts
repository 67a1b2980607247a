// Whether this installation bills at all. Self-hosted: never (no route answers,
// nothing calls LemonSqueezy). Hosted without LEMONSQUEEZY_* settings: the
// billing pages say so and orgs stay on their plan. Hosted with them: on.
import type { Env } from "../env";

export type BillingSettings = {
  apiKey: string;
  storeId: string;
  webhookSecret: string;
  /** Variants that sell the Team plan; the first is the one checkouts offer. */
  teamVariantIds: string[];
};

export type BillingMode = { kind: "off" } | { kind: "unconfigured" } | { kind: "on"; settings: BillingSettings };

export function billingMode(env: Pick<Env, "GATEHOUSE_MODE" | "BILLING">): BillingMode {
  if (env.GATEHOUSE_MODE !== "hosted") return { kind: "off" };
  return env.BILLING ? { kind: "on", settings: env.BILLING } : { kind: "unconfigured" };
}

/** Routes call this first: in self-hosted mode billing does not exist, so 404. */
export function requireBillingAvailable(mode: BillingMode): asserts mode is Exclude<BillingMode, { kind: "off" }> {
  if (mode.kind === "off") throw new Response("Not Found", { status: 404 });
}

export function planForVariant(settings: BillingSettings, variantId: string): "team" | null {
  return settings.teamVariantIds.includes(variantId) ? "team" : null;
}
