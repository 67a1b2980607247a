// The choices an app registration offers, for the /admin/apps page (no zod
// here: zod in the browser bundle tries eval, which our CSP refuses).
export const APP_TYPES = ["web", "native", "service"] as const;
export const APP_GRANTS = ["authorization_code", "refresh_token", "device_code", "client_credentials"] as const;
export const APP_SCOPES = ["openid", "email", "profile", "orgs", "offline_access"] as const;
export type AppGrant = (typeof APP_GRANTS)[number];
