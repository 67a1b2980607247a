// OIDC sign-in through a connection: authorization code with PKCE, state and
// nonce, all kept server-side (attempts.ts). openid-client checks the answer
// (state, the ID token's issuer, audience, nonce, expiry and signature); this
// file turns its verdict into an SsoProfile and the checks "Test connection"
// shows, and every refusal into a reason a person can read.
import * as oidc from "openid-client";
import type { Database } from "../../db";
import { getLogger } from "../../logger";
import { startSsoAttempt, type SsoAttempt } from "../attempts";
import type { SsoConnection } from "../connections";
import type { SsoCheck, SsoProfile } from "../profile";
import { ssoUrls } from "../urls";
import { oidcConfiguration } from "./client";

export const DEFAULT_OIDC_SCOPES = "openid email profile";

export type StartOptions = { purpose: "sign-in" | "test"; returnTo?: string | null; testerUserId?: string | null; loginHint?: string | null };

export type Started = { ok: true; url: URL; binding: string } | { ok: false; message: string };

export async function startOidcSignIn(db: Database, connection: SsoConnection, options: StartOptions, now = new Date()): Promise<Started> {
  let config: oidc.Configuration;
  try {
    config = await oidcConfiguration(connection);
  } catch (error) {
    getLogger().warn({ connectionId: connection.id, err: (error as Error).message }, "sso: the IdP's discovery document could not be read");
    return { ok: false, message: "The identity provider could not be reached. Try again in a minute; if it keeps failing, an admin should check the connection's issuer URL." };
  }
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: ssoUrls(connection.id).oidcRedirectUri,
    scope: connection.oidc_scopes || DEFAULT_OIDC_SCOPES,
    response_type: "code",
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  });
  const binding = await startSsoAttempt(db, { connectionId: connection.id, purpose: options.purpose, state, nonce, codeVerifier, returnTo: options.returnTo, testerUserId: options.testerUserId, continueUrl: url.href }, now);
  return { ok: true, url, binding };
}

export type Finished =
  | { ok: true; profile: SsoProfile; checks: SsoCheck[] }
  | { ok: false; reason: string; message: string; checks: SsoCheck[]; claims: Record<string, unknown> };

const MFA_METHODS = new Set(["mfa", "otp", "hwk", "sms", "sc", "fpt", "face", "iris"]);

/** Exchanges the code the IdP sent back and checks everything that came with it. */
export async function finishOidcSignIn(connection: SsoConnection, search: URLSearchParams, attempt: SsoAttempt): Promise<Finished> {
  const idpError = search.get("error");
  if (idpError) {
    const description = search.get("error_description")?.slice(0, 300);
    return refusal("idp-error", `The identity provider refused the sign-in (${idpError.slice(0, 60)}${description ? `: ${description}` : ""}).`, "Identity provider's answer");
  }
  let config: oidc.Configuration;
  try {
    config = await oidcConfiguration(connection);
  } catch {
    return refusal("idp-unreachable", "The identity provider could not be reached to finish the sign-in. Try again in a minute.", "Identity provider reachable");
  }
  // openid-client sends this URL (without its query) as the redirect_uri: it
  // must be the public one the IdP knows, whatever proxy this request came through.
  const callback = new URL(ssoUrls(connection.id).oidcRedirectUri);
  for (const [key, value] of search) callback.searchParams.append(key, value);

  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.code_verifier ?? undefined,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce ?? undefined,
      idTokenExpected: true,
    });
  } catch (error) {
    return describeFailure(error);
  }
  const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
  let email = typeof claims.email === "string" ? claims.email : null;
  let emailVerified = claims.email_verified === true || claims.email_verified === "true";
  let name = typeof claims.name === "string" ? claims.name : null;
  const everything: Record<string, unknown> = { ...claims };
  if (!email && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
    // Some IdPs (Entra ID with few scopes) leave the address to UserInfo.
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
      Object.assign(everything, { userinfo: info });
      email = typeof info.email === "string" ? info.email : null;
      emailVerified = info.email_verified === true;
      name ??= typeof info.name === "string" ? info.name : null;
    } catch {
      // No address then: refused below with a clear reason.
    }
  }
  const checks: SsoCheck[] = [
    { name: "State", passed: true, detail: "The answer belongs to the sign-in this browser started." },
    { name: "PKCE", passed: true, detail: "The code was redeemed with this sign-in's verifier." },
    { name: "Signature", passed: true, detail: "The ID token is signed with one of the identity provider's keys." },
    { name: "Issuer", passed: true, detail: String(claims.iss) },
    { name: "Audience", passed: true, detail: `Includes our client id ${connection.oidc_client_id}` },
    { name: "Nonce", passed: true, detail: "Matches the one this sign-in sent." },
    { name: "Not expired", passed: true },
  ];
  if (!email) {
    checks.push({ name: "Email address", passed: false, detail: "No email claim came back. Add the email scope, or map an email claim at the identity provider." });
    return { ok: false, reason: "no-email", message: "The identity provider did not send an email address, so we cannot tell which account this is.", checks, claims: everything };
  }
  checks.push({ name: "Email address", passed: true, detail: email });
  const amr = Array.isArray(claims.amr) ? claims.amr.map(String) : [];
  return {
    ok: true,
    checks,
    profile: {
      subject: String(claims.sub),
      email: email.trim().toLowerCase(),
      emailVerifiedByIdp: emailVerified,
      name,
      mfaAsserted: amr.some((method) => MFA_METHODS.has(method)),
      claims: everything,
    },
  };
}

const CLAIM_CHECKS: Record<string, { check: string; message: string }> = {
  nonce: { check: "Nonce", message: "The ID token was not made for this sign-in (its nonce does not match)." },
  aud: { check: "Audience", message: "The ID token was issued to another application (its audience is not our client id)." },
  azp: { check: "Audience", message: "The ID token was issued to another application (its authorized party is not our client id)." },
  iss: { check: "Issuer", message: "The ID token comes from another issuer than the one this connection trusts." },
  exp: { check: "Not expired", message: "The ID token has expired. Check that the clocks of both servers are right." },
  iat: { check: "Not expired", message: "The ID token was issued too long ago. Check that the clocks of both servers are right." },
  nbf: { check: "Not expired", message: "The ID token is not valid yet. Check that the clocks of both servers are right." },
};

function describeFailure(error: unknown): Finished {
  const err = error as { code?: string; message?: string; cause?: { claim?: string; cause?: { claim?: string } }; error?: string; error_description?: string };
  const claim = err.cause?.claim ?? err.cause?.cause?.claim;
  if (claim && CLAIM_CHECKS[claim]) {
    const known = CLAIM_CHECKS[claim];
    return refusal(`bad-${claim}`, known.message, known.check, err.message);
  }
  if (error instanceof oidc.AuthorizationResponseError) return refusal("idp-error", `The identity provider refused the sign-in (${err.error}).`, "Identity provider's answer");
  if (error instanceof oidc.ResponseBodyError) {
    return refusal("token-error", `The identity provider would not exchange the code (${err.error}${err.error_description ? `: ${err.error_description.slice(0, 200)}` : ""}). Check the client id and secret.`, "Code exchange");
  }
  if (/state/i.test(err.message ?? "")) return refusal("bad-state", "This answer does not belong to a sign-in this browser started.", "State", err.message);
  if (/signature/i.test(err.message ?? "")) return refusal("bad-signature", "The ID token's signature is not from the identity provider's keys.", "Signature", err.message);
  getLogger().warn({ code: err.code, err: err.message }, "sso: OIDC sign-in failed");
  return refusal("invalid-response", "The identity provider's answer could not be checked, so it was not accepted.", "Identity provider's answer", err.message);
}

function refusal(reason: string, message: string, check: string, detail?: string): Finished {
  return { ok: false, reason, message, checks: [{ name: check, passed: false, detail: detail ?? message }], claims: {} };
}
