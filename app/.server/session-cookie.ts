// The one cookie: HttpOnly, SameSite=Lax, Path=/, and on https Secure with the
// __Host- prefix (which browsers only accept from a secure origin, without a
// Domain, for the whole site — so a sibling subdomain cannot plant or read it).
import { getEnv } from "./env";
import { SESSION_ABSOLUTE_MS } from "./session";

function cookieName(): string {
  return getEnv().PUBLIC_URL.protocol === "https:" ? "__Host-gatehouse_session" : "gatehouse_session";
}

function attributes(maxAgeSeconds: number): string {
  const secure = getEnv().PUBLIC_URL.protocol === "https:" ? "; Secure" : "";
  return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

// The server decides when a session ends (sliding expiry); the cookie only has
// to outlive it, so it gets the absolute cap and is not re-sent on every refresh.
export function sessionCookie(token: string): string {
  return `${cookieName()}=${token}; ${attributes(Math.floor(SESSION_ABSOLUTE_MS / 1000))}`;
}

export function clearedSessionCookie(): string {
  return `${cookieName()}=; ${attributes(0)}`;
}

export function readSessionToken(request: Request): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  const name = cookieName();
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=") || null;
  }
  return null;
}
