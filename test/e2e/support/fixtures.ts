// The `test` every spec imports. Both projects (JavaScript on and off) run the
// same specs, so helpers here must work either way: only synchronous evaluations
// (a page with JavaScript off runs no timers or promises of its own), no waiting
// for hydration.
import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Locator, type Page, type Response } from "@playwright/test";

export { expect };

/** Something the browser reported that a healthy page never causes. */
export type PageProblem = { kind: "console" | "pageerror" | "csp" | "http"; text: string; url?: string };

export type PageProblems = {
  /** Everything reported so far in this test. */
  readonly list: PageProblem[];
  /**
   * Declares that `url` (absolute, or a pattern for addresses that carry a
   * query or a `.data` suffix) is meant to answer `status`, so its load error
   * is not a problem.
   */
  allowStatus(url: string | RegExp, status: number): void;
  /** Watches another page (a second browser context, say) the same way as `page`. */
  watch(page: Page): Promise<void>;
};

export type DeviceOptions = { userAgent?: string; clientIp?: string };

type Fixtures = {
  pageProblems: PageProblems;
  /** The client IP this test's browser presents (X-Forwarded-For, which the e2e server trusts from loopback). */
  clientIp: string;
  /**
   * Opens a second browser, as if on another device: its own cookies, client IP
   * and (when given) User-Agent, JavaScript as in this project, watched for
   * problems like `page`. Closed when the test ends.
   */
  newDevice: (options?: DeviceOptions) => Promise<Page>;
};

/** A client IP of its own for a test or a device, so the server's per-IP limits count each one apart. */
export function randomClientIp(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${(c! % 254) + 1}`;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern.
  clientIp: async ({}, provide) => provide(randomClientIp()),
  extraHTTPHeaders: async ({ clientIp }, provide) => provide({ "X-Forwarded-For": clientIp }),

  // (The second parameter is not called `use`: the React hooks lint rule would take it for a hook.)
  newDevice: async ({ browser, pageProblems, baseURL, javaScriptEnabled }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async (options = {}) => {
      const context = await browser.newContext({
        baseURL,
        javaScriptEnabled,
        userAgent: options.userAgent,
        extraHTTPHeaders: { "X-Forwarded-For": options.clientIp ?? randomClientIp() },
      });
      contexts.push(context);
      const page = await context.newPage();
      await pageProblems.watch(page);
      return page;
    });
    for (const context of contexts) await context.close();
  },

  // Watches every page for console errors, uncaught exceptions, CSP violations
  // and failed subresources, and fails the test if any appear.
  pageProblems: [
    async ({ page }, use) => {
      const list: PageProblem[] = [];
      const allowedUrls = new Map<string, number>();
      const allowedPatterns: Array<[RegExp, number]> = [];
      const isAllowed = (url: string, status: number) =>
        allowedUrls.get(url) === status || allowedPatterns.some(([pattern, allowed]) => allowed === status && pattern.test(url));

      const watch = async (watched: Page) => {
        watched.on("console", (message) => {
          const text = message.text();
          const url = message.location().url;
          const cspReport = /Content Security Policy/i.test(text);
          if (message.type() !== "error" && !cspReport) return;
          const status = /responded with a status of (\d{3})/.exec(text)?.[1];
          if (status && isAllowed(url, Number(status))) return;
          list.push({ kind: cspReport ? "csp" : "console", text, url });
        });
        watched.on("pageerror", (error) => list.push({ kind: "pageerror", text: error.message }));
        watched.on("response", (response) => {
          if (response.status() < 400 || isAllowed(response.url(), response.status())) return;
          list.push({ kind: "http", text: `${response.status()} ${response.request().method()}`, url: response.url() });
        });
        // The event the browser fires for each violation, with the directive that
        // was broken; it only reaches us when the page runs scripts.
        await watched.exposeBinding("__reportCspViolation", (_source, violation: { directive: string; blocked: string; url: string }) => {
          list.push({ kind: "csp", text: `${violation.directive} blocked ${violation.blocked || "inline"}`, url: violation.url });
        });
        await watched.addInitScript(() => {
          document.addEventListener("securitypolicyviolation", (event) => {
            const report = (window as unknown as { __reportCspViolation: (v: object) => void }).__reportCspViolation;
            report({ directive: event.effectiveDirective, blocked: event.blockedURI, url: event.documentURI });
          });
        });
      };
      await watch(page);

      await use({
        list,
        allowStatus: (url, status) => {
          if (typeof url === "string") allowedUrls.set(new URL(url).href, status);
          else allowedPatterns.push([url, status]);
        },
        watch,
      });

      expect(list, "the browser reported problems while the test ran").toEqual([]);
    },
    { auto: true },
  ],
});

function baseOrigin(): string {
  const baseURL = test.info().project.use.baseURL;
  if (!baseURL) throw new Error("baseURL is not configured");
  return baseURL;
}

/** Opens `path` and checks the HTTP status of the document (200 unless told). */
export async function openPage(page: Page, problems: PageProblems, path: string, status = 200): Promise<Response> {
  if (status >= 400) problems.allowStatus(new URL(path, baseOrigin()).href, status);
  const response = await page.goto(path);
  expect(response, `no response for ${path}`).not.toBeNull();
  expect(response!.status(), `status of ${path}`).toBe(status);
  return response!;
}

/**
 * Runs axe over the whole page; on failure the message names each rule and element.
 * With JavaScript off, axe cannot run in the page (it needs timers, which the
 * browser then stops), so the page's current DOM — the markup a visitor without
 * JavaScript is looking at — is scanned in a JavaScript-enabled page instead,
 * with a policy that keeps the site's own scripts from running there.
 */
export async function expectNoAxeViolations(page: Page, options: { soft?: boolean } = {}): Promise<void> {
  const { violations } = test.info().project.use.javaScriptEnabled === false ? await analyzeScriptlessCopy(page) : await new AxeBuilder({ page }).analyze();
  const summary = violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => `${node.target.join(" ")} — ${node.failureSummary ?? ""}`),
  }));
  // Soft: the test goes on (and still fails at the end), so one finding does not hide the checks after it.
  (options.soft ? expect.soft : expect)(summary, `axe violations on ${page.url()}: ${violations.map((v) => v.id).join(", ")}`).toEqual([]);
}

async function analyzeScriptlessCopy(page: Page) {
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser behind this page");
  // Both are synchronous reads, which work with JavaScript off.
  const html = await page.content();
  const colorScheme = await page.evaluate(() => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  const address = new URL(page.url());
  address.hash = "";
  const context = await browser.newContext({ javaScriptEnabled: true, viewport: page.viewportSize(), colorScheme });
  try {
    const copy = await context.newPage();
    // Only the document is replaced; stylesheets and images still come from the server.
    await copy.route(
      (url) => url.href === address.href,
      (route) =>
        route.fulfill({
          status: 200,
          contentType: "text/html; charset=utf-8",
          headers: { "Content-Security-Policy": "default-src 'self'; script-src 'none'; img-src 'self' data:" },
          body: html,
        }),
    );
    await copy.goto(address.href);
    return await new AxeBuilder({ page: copy }).analyze();
  } finally {
    await context.close();
  }
}

/**
 * Presses Tab until `target` has focus, as a keyboard user would, and fails if
 * it is not reached within `maxPresses` (so an unreachable control is a failure,
 * not a hang).
 */
export async function tabTo(page: Page, target: Locator, maxPresses = 30): Promise<number> {
  for (let presses = 1; presses <= maxPresses; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return presses;
  }
  throw new Error(`${target} was not reached by ${maxPresses} presses of Tab`);
}
