// What an operator may register as an app, checked the same way for the
// /admin/apps form and `npm run admin:app`.
import { z } from "zod";

import { APP_GRANTS, APP_SCOPES, APP_TYPES, type AppGrant } from "./oauth-app-options";

export { APP_GRANTS, APP_SCOPES, APP_TYPES, type AppGrant };

/** The protocol's names for our short grant names. */
export const GRANT_TYPE_URNS: Record<AppGrant, string> = {
  authorization_code: "authorization_code",
  refresh_token: "refresh_token",
  device_code: "urn:ietf:params:oauth:grant-type:device_code",
  client_credentials: "client_credentials",
};

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function redirectUriProblem(value: string, type: (typeof APP_TYPES)[number]): string | null {
  if (!URL.canParse(value)) return `"${value.slice(0, 80)}" is not an absolute URL.`;
  const url = new URL(value);
  if (url.hash) return `"${value.slice(0, 80)}" must not have a #fragment.`;
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") return LOOPBACK_HOSTS.has(url.hostname) ? null : `"${value.slice(0, 80)}" must use https (http only on localhost or 127.0.0.1).`;
  // Native apps may use a private-use scheme (RFC 8252 §7.1): reverse DNS with a dot.
  if (type === "native" && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return null;
  return `"${value.slice(0, 80)}" must be an https URL${type === "native" ? ", a loopback http URL or a reverse-DNS scheme (com.example.app:/callback)" : ""}.`;
}

export const AppInputSchema = z
  .object({
    name: z.string().trim().min(1, "Give the app a name.").max(80, "The name must be at most 80 characters."),
    type: z.enum(APP_TYPES, { error: "Choose web, native or service." }),
    redirectUris: z.array(z.string().trim().min(1).max(500)).max(20, "At most 20 redirect URIs.").default([]),
    grants: z.array(z.enum(APP_GRANTS, { error: "Unknown grant." })).default([]),
    scopes: z.array(z.enum(APP_SCOPES, { error: "Unknown scope." })).default([...APP_SCOPES]),
    resources: z.array(z.string().trim().min(1).max(500)).max(20).default([]),
    trusted: z.boolean().default(false),
  })
  .superRefine((app, ctx) => {
    const grants = new Set(app.grants);
    if (grants.size === 0) ctx.addIssue({ code: "custom", path: ["grants"], message: "Allow at least one grant." });
    for (const uri of app.redirectUris) {
      const problem = redirectUriProblem(uri, app.type);
      if (problem) ctx.addIssue({ code: "custom", path: ["redirectUris"], message: problem });
    }
    if (grants.has("authorization_code") && app.redirectUris.length === 0) {
      ctx.addIssue({ code: "custom", path: ["redirectUris"], message: "Sign-in with a browser (authorization code) needs at least one redirect URI." });
    }
    if (app.type === "service" && [...grants].some((grant) => grant !== "client_credentials")) {
      ctx.addIssue({ code: "custom", path: ["grants"], message: "A service signs in as itself: client credentials only." });
    }
    // A native app cannot keep a secret, so it cannot prove to be itself.
    if (app.type === "native" && grants.has("client_credentials")) {
      ctx.addIssue({ code: "custom", path: ["grants"], message: "A native app (public client) cannot use client credentials." });
    }
    if (grants.has("refresh_token") && !grants.has("authorization_code") && !grants.has("device_code")) {
      ctx.addIssue({ code: "custom", path: ["grants"], message: "Refresh tokens come from a sign-in: add authorization code or device code." });
    }
    for (const resource of app.resources) {
      if (!URL.canParse(resource) || !/^https?:$/.test(new URL(resource).protocol) || new URL(resource).hash) {
        ctx.addIssue({ code: "custom", path: ["resources"], message: `"${resource.slice(0, 80)}" is not an http(s) URL (the API's identifier, e.g. https://api.example.com).` });
      }
    }
  });

export type AppInput = z.input<typeof AppInputSchema>;
export type ValidAppInput = z.output<typeof AppInputSchema>;
