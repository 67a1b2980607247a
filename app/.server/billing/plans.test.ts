import { describe, expect, it } from "vitest";
import { TEST_BILLING_ENV } from "../../../test/fakes/lemonsqueezy";
import { parseEnv } from "../env";
import { orgStanding, planFeatures } from "./plans";
import { billingMode } from "./settings";

const now = new Date("2026-11-22T12:00:00Z");
const access = (billingStatus: string | null, billingEndsAt: Date | null = null) => orgStanding({ billingStatus, billingEndsAt }, now);

describe("orgStanding", () => {
  it("gives full access to orgs that never subscribed, on trial, and active", () => {
    for (const status of [null, "on_trial", "active"]) expect(access(status)).toEqual({ access: "full", notice: null });
  });

  it("keeps full access while past_due, with a warning", () => {
    expect(access("past_due")).toMatchObject({ access: "full", notice: { tone: "warning" } });
  });

  it("keeps a cancelled subscription fully working until ends_at, then read-only", () => {
    expect(access("cancelled", new Date("2026-12-01T00:00:00Z"))).toMatchObject({ access: "full", notice: { tone: "warning", message: expect.stringContaining("2026-12-01") } });
    expect(access("cancelled", new Date("2026-11-22T11:59:59Z")).access).toBe("read-only");
    expect(access("cancelled", null).access).toBe("read-only");
  });

  it("makes paused, unpaid and expired orgs read-only, saying that nothing is deleted", () => {
    for (const status of ["paused", "unpaid", "expired"]) {
      const standing = access(status);
      expect(standing.access).toBe("read-only");
      expect(standing.notice?.message).toContain("Nothing has been deleted");
    }
  });
});

describe("planFeatures", () => {
  it("gives API keys to Team and Enterprise, not to Solo", () => {
    expect(planFeatures("solo").apiKeys).toBe(false);
    expect(planFeatures("team").apiKeys).toBe(true);
    expect(planFeatures("enterprise").apiKeys).toBe(true);
  });
});

describe("billing settings", () => {
  const hosted = { GATEHOUSE_MODE: "hosted", OPERATOR_NAME: "Acme", OPERATOR_EMAIL: "privacy@acme.example" };

  it("are refused in self-hosted mode, one line per variable, secrets not echoed", () => {
    const result = parseEnv(TEST_BILLING_ENV);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.split(":")[0]).sort()).toEqual(["LEMONSQUEEZY_API_KEY", "LEMONSQUEEZY_STORE_ID", "LEMONSQUEEZY_TEAM_VARIANT_IDS", "LEMONSQUEEZY_WEBHOOK_SECRET"]);
    for (const problem of result.problems) expect(problem).toContain("not allowed when GATEHOUSE_MODE=self-hosted");
    expect(result.problems.join("\n")).not.toContain(TEST_BILLING_ENV.LEMONSQUEEZY_API_KEY);
    expect(result.problems.join("\n")).not.toContain(TEST_BILLING_ENV.LEMONSQUEEZY_WEBHOOK_SECRET);
  });

  it("turn billing off in self-hosted mode and leave it unconfigured in hosted mode without them", () => {
    const selfHosted = parseEnv({});
    const bare = parseEnv(hosted);
    expect(selfHosted.ok && billingMode(selfHosted.env)).toEqual({ kind: "off" });
    expect(bare.ok && billingMode(bare.env)).toEqual({ kind: "unconfigured" });
  });

  it("are all required in hosted mode once one is set", () => {
    const result = parseEnv({ ...hosted, LEMONSQUEEZY_API_KEY: TEST_BILLING_ENV.LEMONSQUEEZY_API_KEY });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.split(":")[0]).sort()).toEqual(["LEMONSQUEEZY_STORE_ID", "LEMONSQUEEZY_TEAM_VARIANT_IDS", "LEMONSQUEEZY_WEBHOOK_SECRET"]);
    expect(result.problems[0]).toContain("is required when billing is on (LEMONSQUEEZY_API_KEY is set)");
  });

  it("turn billing on in hosted mode, with the variant list parsed", () => {
    const result = parseEnv({ ...hosted, ...TEST_BILLING_ENV, LEMONSQUEEZY_TEAM_VARIANT_IDS: " 7001, 7002 ,7001" });
    expect(result.ok && billingMode(result.env)).toEqual({
      kind: "on",
      settings: { apiKey: TEST_BILLING_ENV.LEMONSQUEEZY_API_KEY, storeId: "4242", webhookSecret: TEST_BILLING_ENV.LEMONSQUEEZY_WEBHOOK_SECRET, teamVariantIds: ["7001", "7002"] },
    });
  });

  it("name bad ids and a too-short secret clearly", () => {
    const result = parseEnv({ ...hosted, ...TEST_BILLING_ENV, LEMONSQUEEZY_STORE_ID: "store-1", LEMONSQUEEZY_TEAM_VARIANT_IDS: "7001,abc", LEMONSQUEEZY_WEBHOOK_SECRET: "123" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain('LEMONSQUEEZY_STORE_ID: must be a LemonSqueezy id (digits only) (got "store-1")');
    expect(result.problems).toContain('LEMONSQUEEZY_TEAM_VARIANT_IDS: "abc" is not a LemonSqueezy variant id (digits only) (got "7001,abc")');
    expect(result.problems).toContain("LEMONSQUEEZY_WEBHOOK_SECRET: must be at least 6 characters (LemonSqueezy allows 6 to 40)");
  });
});
