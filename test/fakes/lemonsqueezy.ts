// A local stand-in for LemonSqueezy: its JSON:API (the calls Gatehouse makes
// through the official SDK) and its webhooks (signed payloads built from the
// fake's own subscriptions, the way the real store sends them).
//
// The SDK's base URL is fixed (https://api.lemonsqueezy.com), so its requests
// are redirected here at `fetch`: in this process with interceptLemonSqueezy(),
// in a spawned server with the preload in lemonsqueezy-intercept.mjs
// (see lemonSqueezyServerOptions()). Every request is recorded, so a test can
// check what the SDK sent — and that nothing was sent at all.
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";

export const LEMONSQUEEZY_API = "https://api.lemonsqueezy.com";
export const TEST_API_KEY = "lsq_test_key_0123456789abcdefghij";
export const TEST_STORE_ID = "4242";
export const TEST_TEAM_VARIANT_ID = "7001";
export const TEST_WEBHOOK_SECRET = "whsec-test-0123456789";

/** The settings a hosted server needs for billing against this fake. */
export const TEST_BILLING_ENV = {
  LEMONSQUEEZY_API_KEY: TEST_API_KEY,
  LEMONSQUEEZY_STORE_ID: TEST_STORE_ID,
  LEMONSQUEEZY_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  LEMONSQUEEZY_TEAM_VARIANT_IDS: `${TEST_TEAM_VARIANT_ID},7002`,
} as const;

export const TEST_BILLING_SETTINGS = { apiKey: TEST_API_KEY, storeId: TEST_STORE_ID, webhookSecret: TEST_WEBHOOK_SECRET, teamVariantIds: [TEST_TEAM_VARIANT_ID, "7002"] };

export type RecordedRequest = { method: string; path: string; query: URLSearchParams; headers: IncomingMessage["headers"]; body: unknown };
export type ScriptedAnswer = { status: number; body: unknown } | "hang";

export type FakeSubscription = {
  id: string;
  storeId: string;
  customerId: string;
  orderId: string;
  variantId: string;
  status: "on_trial" | "active" | "paused" | "past_due" | "unpaid" | "cancelled" | "expired";
  quantity: number;
  renewsAt: string | null;
  endsAt: string | null;
  trialEndsAt: string | null;
  createdAt: string;
  updatedAt: string;
  userEmail: string;
  userName: string;
  /** What the checkout carried; LemonSqueezy repeats it in the meta of this subscription's webhooks. */
  customData: Record<string, unknown> | null;
};

export type SignedWebhook = { body: string; signature: string; webhookId: string };

/** LemonSqueezy's timestamp format: microseconds, Z. */
export function lsTime(date: Date, micros = 0): string {
  return `${date.toISOString().slice(0, 19)}.${String(date.getUTCMilliseconds() * 1000 + micros).padStart(6, "0")}Z`;
}

export function signWebhook(body: string | Buffer, secret = TEST_WEBHOOK_SECRET): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export class FakeLemonSqueezy {
  readonly requests: RecordedRequest[] = [];
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly checkouts: Array<{ id: string; url: string; body: any }> = [];
  private script: ScriptedAnswer[] = [];
  private hanging = new Set<ServerResponse>();
  private server?: Server;
  private nextId = 9000;
  /** The fake's clock: every change moves updated_at forward by a second. */
  private clock = new Date("2026-11-22T10:00:00Z").getTime();
  portalUrlsIssued = 0;
  url = "";

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop() {
    for (const res of this.hanging) res.destroy();
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeIdleConnections();
    await closed;
  }

  reset() {
    this.requests.length = 0;
    this.subscriptions.clear();
    this.checkouts.length = 0;
    this.script = [];
    this.portalUrlsIssued = 0;
  }

  /** The next API requests get these answers, in order; after that, the normal ones. */
  answerNext(...answers: ScriptedAnswer[]) {
    this.script.push(...answers);
  }

  /** API requests to a path prefix, e.g. "/v1/checkouts". */
  requestsTo(pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix));
  }

  private tick(): string {
    this.clock += 1000;
    return lsTime(new Date(this.clock));
  }

  // ---- the store's state ------------------------------------------------------

  /** A subscription as a completed checkout creates it (status active unless told). */
  createSubscription(options: Partial<Omit<FakeSubscription, "id" | "createdAt">> & { id?: string } = {}): FakeSubscription {
    const id = options.id ?? String(++this.nextId);
    const at = options.updatedAt ?? this.tick();
    const subscription: FakeSubscription = {
      id,
      storeId: options.storeId ?? TEST_STORE_ID,
      customerId: options.customerId ?? String(++this.nextId),
      orderId: options.orderId ?? String(++this.nextId),
      variantId: options.variantId ?? TEST_TEAM_VARIANT_ID,
      status: options.status ?? "active",
      quantity: options.quantity ?? 5,
      renewsAt: options.renewsAt ?? "2026-12-22T10:00:00.000000Z",
      endsAt: options.endsAt ?? null,
      trialEndsAt: options.trialEndsAt ?? null,
      createdAt: at,
      updatedAt: at,
      userEmail: options.userEmail ?? "buyer@example.com",
      userName: options.userName ?? "Buyer",
      customData: options.customData ?? null,
    };
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  /** Changes a subscription the way LemonSqueezy would (updated_at moves on). */
  updateSubscription(id: string, patch: Partial<Omit<FakeSubscription, "id">>): FakeSubscription {
    const current = this.subscriptions.get(id);
    if (!current) throw new Error(`no fake subscription ${id}`);
    const next = { ...current, ...patch, updatedAt: patch.updatedAt ?? this.tick() };
    this.subscriptions.set(id, next);
    return next;
  }

  subscriptionResource(subscription: FakeSubscription) {
    return {
      type: "subscriptions",
      id: subscription.id,
      attributes: {
        store_id: Number(subscription.storeId),
        customer_id: Number(subscription.customerId),
        order_id: Number(subscription.orderId),
        order_item_id: Number(subscription.orderId) + 1,
        product_id: 600,
        variant_id: Number(subscription.variantId),
        product_name: "Gatehouse",
        variant_name: "Team (per seat)",
        user_name: subscription.userName,
        user_email: subscription.userEmail,
        status: subscription.status,
        status_formatted: subscription.status.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase()),
        card_brand: "visa",
        card_last_four: "4242",
        pause: subscription.status === "paused" ? { mode: "void", resumes_at: null } : null,
        cancelled: subscription.status === "cancelled",
        trial_ends_at: subscription.trialEndsAt,
        billing_anchor: 22,
        first_subscription_item: {
          id: Number(subscription.id) + 100_000,
          subscription_id: Number(subscription.id),
          price_id: 800,
          quantity: subscription.quantity,
          is_usage_based: false,
          created_at: subscription.createdAt,
          updated_at: subscription.updatedAt,
        },
        urls: {
          update_payment_method: `https://gatehouse-test.lemonsqueezy.com/subscription/${subscription.id}/payment-details?expires=1&signature=x`,
          customer_portal: this.portalUrl(subscription.id),
          customer_portal_update_subscription: `https://gatehouse-test.lemonsqueezy.com/billing/${subscription.id}/update?expires=1&signature=x`,
        },
        renews_at: subscription.renewsAt,
        ends_at: subscription.endsAt,
        created_at: subscription.createdAt,
        updated_at: subscription.updatedAt,
        test_mode: true,
      },
      relationships: {},
      links: { self: `${LEMONSQUEEZY_API}/v1/subscriptions/${subscription.id}` },
    };
  }

  // Signed, short-lived: every read gives a new one.
  private portalUrl(subscriptionId: string): string {
    this.portalUrlsIssued++;
    return `https://gatehouse-test.lemonsqueezy.com/billing?subscription=${subscriptionId}&expires=${this.clock + 86_400_000}&signature=${randomUUID().replaceAll("-", "")}&n=${this.portalUrlsIssued}`;
  }

  // ---- webhooks -------------------------------------------------------------

  private signed(eventName: string, data: unknown, options: { customData?: Record<string, unknown> | null; webhookId?: string | null; secret?: string }): SignedWebhook {
    const webhookId = options.webhookId === undefined ? randomUUID() : options.webhookId;
    const meta: Record<string, unknown> = { test_mode: true, event_name: eventName };
    if (webhookId !== null) meta.webhook_id = webhookId;
    if (options.customData) meta.custom_data = options.customData;
    const body = JSON.stringify({ meta, data });
    return { body, signature: signWebhook(body, options.secret), webhookId: webhookId ?? "" };
  }

  /** subscription_* events: the subscription's current state. */
  subscriptionWebhook(eventName: string, id: string, options: { customData?: Record<string, unknown> | null; webhookId?: string | null; secret?: string } = {}): SignedWebhook {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new Error(`no fake subscription ${id}`);
    return this.signed(eventName, this.subscriptionResource(subscription), { customData: options.customData === undefined ? subscription.customData : options.customData, ...options });
  }

  /** subscription_payment_* events: a subscription invoice, which names its subscription in its attributes. */
  invoiceWebhook(eventName: string, subscriptionId: string, options: { status?: string; total?: number; webhookId?: string | null } = {}): SignedWebhook {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no fake subscription ${subscriptionId}`);
    const at = this.tick();
    const invoice = {
      type: "subscription-invoices",
      id: String(++this.nextId),
      attributes: {
        store_id: Number(subscription.storeId),
        subscription_id: Number(subscription.id),
        customer_id: Number(subscription.customerId),
        user_name: subscription.userName,
        user_email: subscription.userEmail,
        billing_reason: "renewal",
        card_brand: "visa",
        card_last_four: "4242",
        currency: "EUR",
        status: options.status ?? "paid",
        total: options.total ?? 4500,
        refunded: false,
        created_at: at,
        updated_at: at,
        test_mode: true,
      },
    };
    return this.signed(eventName, invoice, { customData: subscription.customData, webhookId: options.webhookId });
  }

  /** order_* events. */
  orderWebhook(eventName: string, options: { orderId: string; storeId?: string; customData?: Record<string, unknown> | null; status?: string }): SignedWebhook {
    const at = this.tick();
    const order = {
      type: "orders",
      id: options.orderId,
      attributes: {
        store_id: Number(options.storeId ?? TEST_STORE_ID),
        customer_id: 1,
        identifier: randomUUID(),
        order_number: Number(options.orderId),
        user_name: "Buyer",
        user_email: "buyer@example.com",
        currency: "EUR",
        status: options.status ?? (eventName === "order_refunded" ? "refunded" : "paid"),
        total: 4500,
        first_order_item: { id: 1, order_id: Number(options.orderId), product_id: 600, variant_id: Number(TEST_TEAM_VARIANT_ID), quantity: 1 },
        created_at: at,
        updated_at: at,
        test_mode: true,
      },
    };
    return this.signed(eventName, order, { customData: options.customData ?? null });
  }

  // ---- the API --------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake-lemonsqueezy.invalid");
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    this.requests.push({ method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, body });

    if (req.headers.authorization !== `Bearer ${TEST_API_KEY}`) return this.send(res, 401, { errors: [{ status: "401", title: "Unauthenticated", detail: "Invalid API key." }] });
    const answer = this.script.shift();
    if (answer === "hang") {
      this.hanging.add(res);
      return;
    }
    if (answer) return this.send(res, answer.status, answer.body);

    if (req.method === "POST" && url.pathname === "/v1/checkouts") return this.createCheckout(res, body as any);
    const single = /^\/v1\/subscriptions\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && single) {
      const subscription = this.subscriptions.get(single[1]!);
      if (!subscription) return this.send(res, 404, { errors: [{ status: "404", title: "Not Found", detail: "The related resource does not exist." }] });
      return this.send(res, 200, { jsonapi: { version: "1.0" }, links: { self: `${LEMONSQUEEZY_API}${url.pathname}` }, data: this.subscriptionResource(subscription) });
    }
    if (req.method === "DELETE" && single) {
      // LemonSqueezy's cancel: the subscription runs to the end of its period, then expires.
      const subscription = this.subscriptions.get(single[1]!);
      if (!subscription) return this.send(res, 404, { errors: [{ status: "404", title: "Not Found", detail: "The related resource does not exist." }] });
      subscription.status = "cancelled";
      subscription.endsAt = subscription.renewsAt ?? lsTime(new Date(this.clock));
      subscription.renewsAt = null;
      subscription.updatedAt = lsTime(new Date(this.clock));
      return this.send(res, 200, { jsonapi: { version: "1.0" }, links: { self: `${LEMONSQUEEZY_API}${url.pathname}` }, data: this.subscriptionResource(subscription) });
    }
    if (req.method === "GET" && url.pathname === "/v1/subscriptions") return this.listSubscriptions(res, url.searchParams);
    this.send(res, 404, { errors: [{ status: "404", title: "Not Found" }] });
  }

  private createCheckout(res: ServerResponse, body: any) {
    const attributes = body?.data?.attributes ?? {};
    const storeId = body?.data?.relationships?.store?.data?.id;
    const variantId = body?.data?.relationships?.variant?.data?.id;
    if (storeId !== TEST_STORE_ID) return this.send(res, 422, { errors: [{ status: "422", title: "Unprocessable Entity", detail: "The store does not exist." }] });
    const id = randomUUID();
    const url = `https://gatehouse-test.lemonsqueezy.com/checkout/custom/${id}?signature=${randomUUID().replaceAll("-", "")}`;
    this.checkouts.push({ id, url, body });
    this.send(res, 201, {
      jsonapi: { version: "1.0" },
      data: {
        type: "checkouts",
        id,
        attributes: { store_id: Number(storeId), variant_id: Number(variantId), ...attributes, url, created_at: lsTime(new Date(this.clock)), updated_at: lsTime(new Date(this.clock)), test_mode: true },
      },
    });
  }

  private listSubscriptions(res: ServerResponse, query: URLSearchParams) {
    const storeId = query.get("filter[store_id]");
    const size = Number(query.get("page[size]") ?? 10);
    const number = Number(query.get("page[number]") ?? 1);
    const all = [...this.subscriptions.values()].filter((s) => !storeId || s.storeId === storeId).sort((a, b) => Number(a.id) - Number(b.id));
    const lastPage = Math.max(1, Math.ceil(all.length / size));
    const page = all.slice((number - 1) * size, number * size);
    this.send(res, 200, {
      meta: { page: { currentPage: number, from: (number - 1) * size + 1, lastPage, perPage: size, to: (number - 1) * size + page.length, total: all.length } },
      jsonapi: { version: "1.0" },
      links: { first: `${LEMONSQUEEZY_API}/v1/subscriptions?page[number]=1`, last: `${LEMONSQUEEZY_API}/v1/subscriptions?page[number]=${lastPage}` },
      data: page.map((s) => this.subscriptionResource(s)),
    });
  }

  private send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "Content-Type": "application/vnd.api+json" });
    res.end(JSON.stringify(body));
  }
}

/**
 * Sends this process's requests for LemonSqueezy's API to the fake (the SDK
 * calls the global fetch). Returns a function that undoes it.
 */
export function interceptLemonSqueezy(fakeUrl: string): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const target = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (target.startsWith(LEMONSQUEEZY_API)) return original(fakeUrl + target.slice(LEMONSQUEEZY_API.length), init);
    return original(input, init);
  };
  return () => {
    globalThis.fetch = original;
  };
}

/** startServer() options and settings that point a spawned server's SDK at the fake. */
export function lemonSqueezyServerOptions(fakeUrl: string): { env: Record<string, string>; nodeArgs: string[] } {
  return { env: { LEMONSQUEEZY_FAKE_URL: fakeUrl }, nodeArgs: ["--import", path.resolve("test/fakes/lemonsqueezy-intercept.mjs")] };
}
