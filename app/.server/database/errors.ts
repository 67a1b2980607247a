// Which errors mean "the database is not there right now" (so the right answer
// is 503 and a retry), as opposed to a bug in a query.
// 57014 is a statement cancelled by DB_STATEMENT_TIMEOUT_MS: under load the
// database is too busy to answer in time, which a retry can fix; a 500 would
// call it a bug. (The failure is still logged as an error either way.)
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "57P01", "57P02", "57P03", "53300", "57014"]);
const UNAVAILABLE_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /connection (is )?closed/i, /Client has encountered a connection error/i];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof candidate.code === "string" && (UNAVAILABLE_CODES.has(candidate.code) || candidate.code.startsWith("08"))) return true;
    if (typeof candidate.message === "string" && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
    if (Array.isArray(candidate.errors) && candidate.errors.some(isDatabaseUnavailable)) return true;
    current = candidate.cause;
  }
  return false;
}
