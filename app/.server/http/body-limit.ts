// Request bodies are read here, in full, before anything parses them, and refused
// with 413 once they pass the limit. Buffering is fine at this size (forms and
// JSON, 100 KiB by default) and gives webhooks the exact raw bytes they sign.
import type { NextFunction, Request, Response } from "express";

declare module "express-serve-static-core" {
  interface Request {
    rawBody?: Buffer;
  }
}

const BODYLESS_METHODS = new Set(["GET", "HEAD", "OPTIONS", "DELETE"]);

export function bodyLimit(limitBytes: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (BODYLESS_METHODS.has(req.method)) return next();

    const tooLarge = () => {
      if (res.headersSent) return;
      // Close the connection: we will not read the rest of what the client sends.
      res.status(413).set("Connection", "close").json({ error: `Request body is larger than ${limitBytes} bytes.` });
      req.unpipe();
      req.resume();
    };

    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > limitBytes) return tooLarge();

    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > limitBytes) {
        refused = true;
        chunks.length = 0;
        return tooLarge();
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      req.rawBody = Buffer.concat(chunks);
      next();
    });
    req.on("error", (error) => {
      if (!refused) next(error);
    });
  };
}
