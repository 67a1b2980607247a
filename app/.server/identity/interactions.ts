// Finishing what oidc-provider asked our pages to do (/interaction/:uid):
// sign-in is whoever is signed in to Gatehouse; consent records a Grant with
// exactly the scopes the app asked for and may have.
import type { InteractionLookup } from "./http";
import { getOidcProvider } from "./provider";

export type OidcInteraction = Extract<InteractionLookup, { ok: true }>["interaction"];

/** Seconds the interaction has left, for saving its result. */
const remaining = (interaction: OidcInteraction) => Math.max(1, interaction.exp - Math.floor(Date.now() / 1000));

export type ConsentRequest = { clientId: string; scopes: string[]; resources: string[] };

export function consentRequest(interaction: OidcInteraction): ConsentRequest {
  const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  const requested = String(interaction.params.scope ?? "").split(" ").filter(Boolean);
  return {
    clientId: String(interaction.params.client_id),
    scopes: details.missingOIDCScope ?? requested,
    resources: Object.keys(details.missingResourceScopes ?? {}),
  };
}

/** The login prompt, answered with the Gatehouse account; returns where the browser goes next. */
export async function finishLogin(interaction: OidcInteraction, userId: string): Promise<string> {
  interaction.result = { login: { accountId: userId, remember: true } };
  await interaction.save(remaining(interaction));
  return interaction.returnTo;
}

export async function allowConsent(interaction: OidcInteraction, userId: string): Promise<string> {
  const provider = getOidcProvider();
  const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  const clientId = String(interaction.params.client_id);
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing && existing.accountId === userId ? existing : new provider.Grant({ accountId: userId, clientId });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(" "));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
  const grantId = await grant.save();
  interaction.result = { ...interaction.lastSubmission, consent: { grantId } };
  await interaction.save(remaining(interaction));
  return interaction.returnTo;
}

export async function denyConsent(interaction: OidcInteraction): Promise<string> {
  interaction.result = { error: "access_denied", error_description: "The person declined to let this app sign in." };
  await interaction.save(remaining(interaction));
  return interaction.returnTo;
}
