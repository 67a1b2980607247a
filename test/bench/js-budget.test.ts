import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LANDING_JS_BUDGET_KB, landingPageJs } from "./js-budget";

describe("the landing page's client JavaScript", () => {
  it.skipIf(!existsSync("build/client"))(`stays within ${LANDING_JS_BUDGET_KB} KB gzip`, () => {
    const measured = landingPageJs();
    expect(measured.files).toBeGreaterThan(2);
    expect(measured.gzipKb).toBeGreaterThan(10);
    expect(measured.gzipKb).toBeLessThanOrEqual(LANDING_JS_BUDGET_KB);
  });
});
