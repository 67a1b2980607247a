// One validation of an endpoint's fields for the pages and the CLI alike.
import { allowedEventTypes } from "./endpoints";
import { validateEndpointUrl, type Resolver } from "./endpoint-url";

export const MAX_DESCRIPTION_LENGTH = 200;

export type EndpointInput = { url: string; description: string; eventTypes: string[] };

export async function parseEndpointInput(
  input: EndpointInput,
  context: { orgId: string | null; hosted: boolean; resolver?: Resolver },
): Promise<{ ok: true; value: EndpointInput } | { ok: false; errors: Partial<Record<keyof EndpointInput, string>> }> {
  const errors: Partial<Record<keyof EndpointInput, string>> = {};
  const url = await validateEndpointUrl(input.url, context.hosted, context.resolver);
  if (!url.ok) errors.url = url.message;
  const description = input.description.trim();
  if (description.length > MAX_DESCRIPTION_LENGTH) errors.description = `At most ${MAX_DESCRIPTION_LENGTH} characters.`;
  const allowed = allowedEventTypes({ orgId: context.orgId });
  const unknown = input.eventTypes.filter((t) => !allowed.includes(t));
  if (input.eventTypes.length === 0) errors.eventTypes = "Choose at least one event.";
  else if (unknown.length > 0) errors.eventTypes = `${context.orgId ? "An organization's endpoint" : "This endpoint"} cannot receive: ${unknown.join(", ")}. It can receive: ${allowed.join(", ")}.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { url: url.ok ? url.url.href : input.url, description, eventTypes: [...new Set(input.eventTypes)] } };
}
