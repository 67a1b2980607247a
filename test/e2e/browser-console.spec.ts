// The CSP allows no inline script without the response's nonce. A script that
// misses it fails only in the browser, as a console message: walk the site the
// way a visitor does and require silence. (Every other test checks this too,
// through the pageProblems fixture; this one makes it the point.)
import { E2E_ORIGIN, E2E_SETTINGS } from "./support/instance";
import { expect, openPage, test } from "./support/fixtures";
import { PAGES } from "./support/pages";

test("browsing the site reports no console errors and no CSP violations", async ({ page, pageProblems, javaScriptEnabled }) => {
  const documentLoads: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "document") documentLoads.push(new URL(request.url()).pathname);
  });

  for (const target of PAGES) {
    await openPage(page, pageProblems, target.path, target.status);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(target.heading);
  }

  // From the not-found page, follow links as a visitor would.
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/`);
  await page.getByRole("contentinfo").getByRole("link", { name: "Privacy" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Privacy at ${E2E_SETTINGS.PRODUCT_NAME}`);
  await page.getByRole("banner").getByRole("link", { name: E2E_SETTINGS.PRODUCT_NAME }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/`);

  const visited = PAGES.map((target) => target.path);
  if (javaScriptEnabled) {
    // Hydration ran under the CSP: the links navigated in the page, not by reloading it.
    expect(documentLoads).toEqual(visited);
  } else {
    expect(documentLoads).toEqual([...visited, "/", "/privacy", "/"]);
  }
  expect(pageProblems.list).toEqual([]);
});
