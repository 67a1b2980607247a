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
