import * as oidc from "openid-client";
// A browser for OpenID Connect journeys against a spawned server: it keeps
// every cookie (ours and the provider's), follows redirects by hand so a test
// can stop at the consent page or at the app's redirect URI, and posts forms
// the way our pages do (same-origin).
export class OidcBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  setCookie(pair: string) {
    const [name, ...value] = pair.split("=");
    this.cookies.set(name!.trim(), value.join("="));
  }

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private remember(response: Response) {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = pair!.split("=");
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join("="));
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("cookie", this.cookieHeader());
    const response = await fetch(new URL(url, this.baseUrl), { ...init, headers, redirect: "manual" });
    this.remember(response);
    return response;
  }

  post(url: string, fields: Record<string, string>) {
    return this.request(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin" },
      body: new URLSearchParams(fields),
    });
  }

  /**
   * After a form that leaves for an identity provider: GET /sso/continue and
   * read where its page moves on to (its meta refresh).
   */
  async continueToIdp(start: Response): Promise<string> {
    if (start.status !== 303 || start.headers.get("location") !== "/sso/continue") throw new Error(`expected a 303 to /sso/continue, got ${start.status} ${start.headers.get("location")}`);
    const page = await this.request("/sso/continue");
    const html = await page.text();
    const next = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(html)?.[1];
    if (page.status !== 200 || !next) throw new Error(`/sso/continue answered ${page.status}: ${html.slice(0, 300)}`);
    return next.replaceAll("&amp;", "&");
  }

  /**
   * Follows redirects from `url` until one leaves for `stopAt` (the app's
   * redirect URI: returned, not fetched) or a page answers (returned with its
   * final URL).
   */
  async follow(url: string, stopAt: string): Promise<{ kind: "redirect"; location: URL } | { kind: "page"; url: URL; status: number; html: string }> {
    let current = new URL(url, this.baseUrl);
    for (let hop = 0; hop < 15; hop++) {
      const response = await this.request(current.href);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        const next = new URL(location, current);
        if (next.href.startsWith(stopAt)) return { kind: "redirect", location: next };
        current = next;
        continue;
      }
      return { kind: "page", url: current, status: response.status, html: await response.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

export type StartedSignIn = { url: URL; verifier: string; state: string; nonce: string };

/**
 * The app's first step of the authorization code flow with PKCE, as openid-client
 * builds it: the URL to send the browser to, and what the app keeps to check the
 * answer. Asks for consent (a refresh token needs it, even for a trusted app).
 */
export async function startSignIn(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<StartedSignIn> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile orgs offline_access",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    prompt: "consent",
    ...extra,
  });
  return { url, verifier, state, nonce };
}
