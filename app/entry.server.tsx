// Server rendering. Bots and no-JS clients get the whole document at once
// (onAllReady); browsers get the shell as soon as it is ready. Every inline
// script Remix writes carries this response's CSP nonce.
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { isDatabaseUnavailable } from "./.server/database/errors";
import { requestStore } from "./.server/http/request-context";
import { getInstanceSettings } from "./.server/instance";
import { getLogger } from "./.server/logger";
import { InstanceContext } from "./utils/instance-context";
import { NonceContext } from "./utils/nonce";

export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <InstanceContext.Provider value={{ productName: getInstanceSettings().productName, logoUrl: getInstanceSettings().logoUrl }}>
        <NonceContext.Provider value={nonce}>
          <RemixServer context={remixContext} url={request.url} nonce={nonce} />
        </NonceContext.Provider>
      </InstanceContext.Provider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors after the shell are logged here; before it, handleError logs them.
          if (shellRendered) getLogger().error({ err: error }, "render error");
        },
      },
    );
    setTimeout(abort, streamTimeout + 1_000);
  });
}

export const handleError: HandleErrorFunction = (error, { request }) => {
  // Aborted requests and 4xx answers (no such route, no action) are not faults.
  if (request.signal.aborted || isRouteErrorResponse(error)) return;
  const context = requestStore.getStore();
  if (context && isDatabaseUnavailable(error)) context.databaseUnavailable = true;
  getLogger().error({ requestId: context?.requestId, err: error }, "loader or action failed");
};
