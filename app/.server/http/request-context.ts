// Per-request facts the HTTP layer establishes before Remix runs, handed to
// loaders and actions as Remix's load context.
import { AsyncLocalStorage } from "node:async_hooks";
import { singleton } from "../singleton";

export type RequestContext = {
  requestId: string;
  /** Resolved by the trusted-proxy rule; never read from a header directly. */
  clientIp: string;
  /** The CSP nonce for this response's inline scripts. */
  cspNonce: string;
  /** The request's URL on PUBLIC_URL, dot segments resolved: what CSRF decides on and Remix routes on. */
  url: URL;
  /** Set when a loader or action failed because the database is unreachable. */
  databaseUnavailable?: boolean;
};

declare module "@remix-run/node" {
  interface AppLoadContext {
    requestId: string;
    clientIp: string;
    cspNonce: string;
  }
}

/** The context of the request being handled, for code (like handleError) that is not handed it. */
export const requestStore = singleton("request-store", () => new AsyncLocalStorage<RequestContext>());

const perRequest = new WeakMap<object, Map<string, unknown>>();

/**
 * `compute()` once per request and key: the loaders of one page run in
 * parallel and would otherwise each do the same lookup. Keyed by the request's
 * context (the Request object itself when there is none, as in unit tests).
 */
export function oncePerRequest<T>(request: Request, key: string, compute: () => T): T {
  const owner = requestStore.getStore() ?? request;
  let values = perRequest.get(owner);
  if (!values) perRequest.set(owner, (values = new Map()));
  if (!values.has(key)) values.set(key, compute());
  return values.get(key) as T;
}
