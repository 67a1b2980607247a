import type { HeadersFunction } from "@remix-run/node";

// Remix keeps only Set-Cookie from a loader's or action's headers unless the
// route says otherwise. Routes that can answer 429 need Retry-After to reach
// the client, so they pass their own headers through.
export const passThroughHeaders: HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const headers = new Headers(loaderHeaders);
  actionHeaders.forEach((value, name) => headers.set(name, value));
  return headers;
};
