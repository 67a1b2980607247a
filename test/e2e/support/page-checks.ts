// Checks every page gets, whoever is looking at it (see support/pages.ts).
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";
import { E2E_SETTINGS } from "./instance";

/** The skip link is the first Tab stop, visible when focused, and moves focus (and the next Tab) into the main content. */
export async function expectSkipLinkToMainContent(page: Page, path: string): Promise<void> {
  await page.keyboard.press("Tab");
  const skipLink = page.getByRole("link", { name: "Skip to content" });
  await expect(skipLink).toBeFocused();
  // Hidden off-screen until focused; a keyboard user must be able to see it.
  await expect(skipLink).toBeInViewport();

  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
  await expect(page).toHaveURL(new RegExp(`${escapeRegExp(path)}#main$`));
  // The next Tab continues from the main content, not from the top of the page.
  await page.keyboard.press("Tab");
  await expect(page.locator("main :focus, footer :focus")).toHaveCount(1);
}

/**
 * An operator may rename the product; no page may fall back to our name. The
 * header's other links are the account's (Log in, Sign up, or the org switcher
 * and the account menu); the home link carries the name.
 */
export async function expectProductNameInHeader(page: Page): Promise<void> {
  await expect(page.getByRole("banner").locator("a.brand")).toHaveText(E2E_SETTINGS.PRODUCT_NAME);
}

/** `text` as a regular expression that matches exactly it. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
