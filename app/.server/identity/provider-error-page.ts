// What a person sees when an app sends them here with a broken request (a
// redirect URI that is not registered, an unknown app): the provider cannot
// send them back, so it says what went wrong, in plain words, on our page.
import type { KoaContextWithOIDC, ErrorOut } from "oidc-provider";

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export function renderProviderError(ctx: KoaContextWithOIDC, out: ErrorOut, productName: string): void {
  const description = typeof out.error_description === "string" ? out.error_description : "The request could not be processed.";
  ctx.type = "html";
  ctx.body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in request refused · ${escapeHtml(productName)}</title></head>
<body>
<main>
<h1>This sign-in request was refused</h1>
<p>The app that sent you here made a request ${escapeHtml(productName)} cannot accept: ${escapeHtml(description)} (<code>${escapeHtml(String(out.error))}</code>).</p>
<p>Go back to the app and try again; if it keeps happening, tell the app's developers.</p>
<p><a href="/">${escapeHtml(productName)} home</a></p>
</main>
</body>
</html>`;
}
