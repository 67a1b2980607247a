// Every call to LemonSqueezy goes through here, with the official SDK. The SDK
// keeps its API key in module state, so each call sets it first (synchronously,
// right before the request starts). Its base URL is fixed; tests serve a fake
// API by intercepting `fetch` (test/fakes/lemonsqueezy.ts).
// Nothing here runs unless billing is on: callers hold BillingSettings, which
// only exist in hosted mode with LEMONSQUEEZY_* configured.
import { cancelSubscription, createCheckout, getSubscription, lemonSqueezySetup, listSubscriptions } from "@lemonsqueezy/lemonsqueezy.js";
import { parseSubscription, type SubscriptionSnapshot } from "./resources";
import type { BillingSettings } from "./settings";

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: string; status: number | null };

const TIMEOUT_MS = 15_000;

type SdkResponse = { statusCode: number | null; data: unknown; error: Error | null };

async function call(settings: BillingSettings, run: () => Promise<SdkResponse>): Promise<ApiResult<unknown>> {
  lemonSqueezySetup({ apiKey: settings.apiKey });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SdkResponse>((resolve) => {
    timer = setTimeout(() => resolve({ statusCode: null, data: null, error: new Error(`no answer within ${TIMEOUT_MS / 1000} s`) }), TIMEOUT_MS);
  });
  try {
    const response = await Promise.race([run(), timeout]);
    if (response.error) return { ok: false, error: describe(response), status: response.statusCode };
    return { ok: true, value: response.data };
  } finally {
    clearTimeout(timer);
  }
}

// The SDK puts the API's JSON:API errors in error.cause; keep the first detail, never the request.
function describe(response: SdkResponse): string {
  const cause = (response.error as Error & { cause?: unknown }).cause;
  const detail = Array.isArray(cause) ? (cause[0] as { detail?: string; title?: string } | undefined)?.detail ?? (cause[0] as { title?: string } | undefined)?.title : typeof cause === "string" ? cause : undefined;
  const status = response.statusCode ? `HTTP ${response.statusCode}` : "no response";
  return `LemonSqueezy: ${status}: ${(detail ?? response.error?.message ?? "unknown error").slice(0, 300)}`;
}

export type CheckoutRequest = {
  variantId: string;
  seats: number;
  email: string;
  /** Our own reference, returned in every webhook for this purchase. */
  custom: { org_id: string; checkout_id: string };
  redirectUrl: string;
  expiresAt: Date;
};

export async function createTeamCheckout(settings: BillingSettings, request: CheckoutRequest): Promise<ApiResult<{ id: string; url: string }>> {
  const result = await call(settings, () =>
    createCheckout(settings.storeId, request.variantId, {
      productOptions: { redirectUrl: request.redirectUrl, enabledVariants: [Number(request.variantId)] },
      checkoutOptions: { embed: false },
      // The SDK snake-cases every key inside checkoutData, custom data included:
      // our keys are already snake_case, so what we send is what comes back.
      checkoutData: {
        email: request.email,
        custom: request.custom,
        variantQuantities: [{ variantId: Number(request.variantId), quantity: request.seats }],
      },
      expiresAt: request.expiresAt.toISOString(),
    }),
  );
  if (!result.ok) return result;
  const data = (result.value as { data?: { id?: unknown; attributes?: { url?: unknown } } }).data;
  const url = data?.attributes?.url;
  if (typeof url !== "string" || !/^https:\/\//.test(url)) return { ok: false, error: "LemonSqueezy: the checkout came back without an https URL", status: null };
  return { ok: true, value: { id: String(data?.id ?? ""), url } };
}

export async function fetchSubscription(settings: BillingSettings, subscriptionId: string): Promise<ApiResult<SubscriptionSnapshot>> {
  const result = await call(settings, () => getSubscription(subscriptionId));
  if (!result.ok) return result;
  const parsed = parseSubscription((result.value as { data?: unknown }).data);
  return parsed.ok ? parsed : { ok: false, error: `LemonSqueezy: ${parsed.error}`, status: null };
}

/** Cancels a subscription (it stops renewing; LemonSqueezy ends it at the close of the paid period). */
export async function cancelProviderSubscription(settings: BillingSettings, subscriptionId: string): Promise<ApiResult<SubscriptionSnapshot>> {
  const result = await call(settings, () => cancelSubscription(subscriptionId));
  if (!result.ok) return result;
  const parsed = parseSubscription((result.value as { data?: unknown }).data);
  return parsed.ok ? parsed : { ok: false, error: `LemonSqueezy: ${parsed.error}`, status: null };
}

const PAGE_SIZE = 100;
const MAX_PAGES = 1_000;

/** Every subscription of the store, page by page. Entries that do not parse are reported, not fatal. */
export async function listStoreSubscriptions(settings: BillingSettings): Promise<ApiResult<{ subscriptions: SubscriptionSnapshot[]; unreadable: string[] }>> {
  const subscriptions: SubscriptionSnapshot[] = [];
  const unreadable: string[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const result = await call(settings, () => listSubscriptions({ filter: { storeId: settings.storeId }, page: { number: page, size: PAGE_SIZE } }));
    if (!result.ok) return result;
    const body = result.value as { data?: unknown[]; meta?: { page?: { lastPage?: number } } };
    for (const resource of body.data ?? []) {
      const parsed = parseSubscription(resource);
      if (parsed.ok) subscriptions.push(parsed.value);
      else unreadable.push(parsed.error);
    }
    const lastPage = body.meta?.page?.lastPage ?? page;
    if (page >= lastPage || (body.data ?? []).length === 0) break;
  }
  return { ok: true, value: { subscriptions, unreadable } };
}
