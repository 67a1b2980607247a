// A small cookie-keeping HTTP client for journeys against a spawned server,
// posting forms the way a browser does (same-origin, no JavaScript).
export class HttpClient {
  private cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string, private readonly headers: Record<string, string> = {}) {}

  /** Takes over another client's cookies: the same browser talking to another replica. */
  copyCookiesFrom(other: HttpClient) {
    this.cookies = new Map(other.cookies);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private remember(response: Response) {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = pair!.split("=");
      if (/Max-Age=0/i.test(cookie)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join("="));
    }
  }

  async get(path: string): Promise<Response> {
    const response = await fetch(new URL(path, this.baseUrl), { headers: { ...this.headers, cookie: this.cookieHeader() }, redirect: "manual" });
    this.remember(response);
    return response;
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method: "POST",
      headers: { ...this.headers, cookie: this.cookieHeader(), "Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
    this.remember(response);
    return response;
  }
}

/** Polls until `find` returns something, or fails after `timeoutMs`. */
export async function eventually<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, what = "the expected result"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The signed "startedAt" stamp of the waitlist form on the landing page: a join
 * without it is dropped as a bot. A stamp admits one join, as one page view
 * does: take one per join.
 */
export async function waitlistFormStamp(baseUrl: string): Promise<string> {
  const html = await (await fetch(new URL("/", baseUrl))).text();
  const stamp = /name="startedAt" value="([^"]+)"/.exec(html)?.[1];
  if (!stamp) throw new Error(`no startedAt field on the landing page of ${baseUrl}:\n${html.slice(0, 1000)}`);
  return stamp;
}

/** `count` stamps (one page view each, `concurrency` at a time), for load that joins faster than it could fetch them. */
export async function waitlistFormStamps(baseUrl: string, count: number, concurrency = 8): Promise<string[]> {
  const stamps: string[] = new Array<string>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let slot = next++; slot < count; slot = next++) stamps[slot] = await waitlistFormStamp(baseUrl);
    }),
  );
  return stamps;
}

/**
 * GET and form POST to `server()` (read when called: servers start in beforeAll)
 * the way a browser without JavaScript does from our own pages, with an
 * optional Cookie header, following no redirects.
 */
export function pageRequests(server: () => { url: string }) {
  const cookieHeader = (cookie?: string): Record<string, string> => (cookie ? { Cookie: cookie } : {});
  return {
    get: (path: string, cookie?: string) => fetch(`${server().url}${path}`, { headers: cookieHeader(cookie), redirect: "manual" }),
    post: (path: string, fields: Record<string, string>, cookie?: string) =>
      fetch(`${server().url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", ...cookieHeader(cookie) },
        body: new URLSearchParams(fields),
        redirect: "manual",
      }),
  };
}
