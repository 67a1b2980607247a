// LemonSqueezy's JSON:API resources as we read them, from a webhook or from the
// API: only the fields billing needs, validated, ids as strings. Both sources
// carry the same `{ type, id, attributes }` objects, so one parser serves both.
import { z } from "zod";
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from "./plans";

const providerId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/)]).transform(String);

const timestamp = z.string().max(40).refine((value) => !Number.isNaN(Date.parse(value)), "not a date-time");

export type SubscriptionSnapshot = {
  providerSubscriptionId: string;
  storeId: string;
  customerId: string | null;
  orderId: string | null;
  variantId: string;
  status: SubscriptionStatus;
  seats: number;
  renewsAt: Date | null;
  endsAt: Date | null;
  trialEndsAt: Date | null;
  /** The provider's updated_at exactly as sent (microseconds kept; PostgreSQL compares it). */
  updatedAt: string;
  testMode: boolean;
  customerPortalUrl: string | null;
};

const SubscriptionResource = z.object({
  type: z.literal("subscriptions"),
  id: providerId,
  attributes: z.object({
    store_id: providerId,
    customer_id: providerId.nullish(),
    order_id: providerId.nullish(),
    variant_id: providerId,
    status: z.enum(SUBSCRIPTION_STATUSES),
    first_subscription_item: z.object({ quantity: z.number().int().nonnegative().nullish() }).nullish(),
    renews_at: timestamp.nullish(),
    ends_at: timestamp.nullish(),
    trial_ends_at: timestamp.nullish(),
    updated_at: timestamp,
    test_mode: z.boolean().nullish(),
    urls: z.object({ customer_portal: z.string().nullish() }).nullish(),
  }),
});

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function problem(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "resource"}: ${issue.message}`)
    .join("; ");
}

export function parseSubscription(resource: unknown): Parsed<SubscriptionSnapshot> {
  const parsed = SubscriptionResource.safeParse(resource);
  if (!parsed.success) return { ok: false, error: `not a subscription LemonSqueezy would send (${problem(parsed.error)})` };
  const { id, attributes: a } = parsed.data;
  return {
    ok: true,
    value: {
      providerSubscriptionId: id,
      storeId: a.store_id,
      customerId: a.customer_id ?? null,
      orderId: a.order_id ?? null,
      variantId: a.variant_id,
      status: a.status,
      // A subscription without a quantity is one seat.
      seats: Math.max(1, a.first_subscription_item?.quantity ?? 1),
      renewsAt: date(a.renews_at),
      endsAt: date(a.ends_at),
      trialEndsAt: date(a.trial_ends_at),
      updatedAt: a.updated_at,
      testMode: a.test_mode ?? false,
      customerPortalUrl: a.urls?.customer_portal ?? null,
    },
  };
}

const InvoiceResource = z.object({
  type: z.literal("subscription-invoices"),
  id: providerId,
  attributes: z.object({
    store_id: providerId,
    // Invoice events name their subscription here, not in data.id.
    subscription_id: providerId,
    status: z.string().max(40).nullish(),
    billing_reason: z.string().max(40).nullish(),
    total: z.number().nullish(),
    currency: z.string().max(10).nullish(),
  }),
});

export type InvoiceSnapshot = { invoiceId: string; storeId: string; subscriptionId: string; status: string | null; billingReason: string | null; total: number | null; currency: string | null };

export function parseInvoice(resource: unknown): Parsed<InvoiceSnapshot> {
  const parsed = InvoiceResource.safeParse(resource);
  if (!parsed.success) return { ok: false, error: `not a subscription invoice LemonSqueezy would send (${problem(parsed.error)})` };
  const { id, attributes: a } = parsed.data;
  return {
    ok: true,
    value: { invoiceId: id, storeId: a.store_id, subscriptionId: a.subscription_id, status: a.status ?? null, billingReason: a.billing_reason ?? null, total: a.total ?? null, currency: a.currency ?? null },
  };
}

const OrderResource = z.object({
  type: z.literal("orders"),
  id: providerId,
  attributes: z.object({
    store_id: providerId,
    status: z.string().max(40).nullish(),
    total: z.number().nullish(),
    currency: z.string().max(10).nullish(),
    first_order_item: z.object({ variant_id: providerId.nullish() }).nullish(),
  }),
});

export type OrderSnapshot = { orderId: string; storeId: string; status: string | null; total: number | null; currency: string | null; variantId: string | null };

export function parseOrder(resource: unknown): Parsed<OrderSnapshot> {
  const parsed = OrderResource.safeParse(resource);
  if (!parsed.success) return { ok: false, error: `not an order LemonSqueezy would send (${problem(parsed.error)})` };
  const { id, attributes: a } = parsed.data;
  return {
    ok: true,
    value: { orderId: id, storeId: a.store_id, status: a.status ?? null, total: a.total ?? null, currency: a.currency ?? null, variantId: a.first_order_item?.variant_id ?? null },
  };
}

/** The custom data our checkouts carry: which org, and which checkout we issued. */
const CustomData = z.object({ org_id: z.uuid(), checkout_id: z.uuid() });
export type CheckoutReference = { orgId: string; checkoutId: string };

export function parseCheckoutReference(customData: unknown): CheckoutReference | null {
  const parsed = CustomData.safeParse(customData);
  return parsed.success ? { orgId: parsed.data.org_id, checkoutId: parsed.data.checkout_id } : null;
}
