// Structured JSON logs. Secrets never reach them: cookies, authorization headers,
// passwords and tokens are redacted by key, and every URL is redacted (below).
import pino, { type Logger } from "pino";
import { getEnv } from "./env";
import { singleton } from "./singleton";

export const REDACTED_KEYS = ["cookie", "authorization", "set-cookie", "password", "token", "secret", "apiKey"];

const REDACT_PATHS = [
  ...REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'headers["x-api-key"]',
];

// Secrets travel in URLs (links in emails, redirects after login), so every URL
// that reaches a log goes through redactUrl(), whatever field it is in:
// - a path segment after a route that takes a token (/invite/:token...), and
//   any segment that looks like one (long, random, not a UUID) is cut;
// - every query value is cut unless its parameter is known to be harmless;
// - a parameter that holds another URL (redirectTo...) is redacted the same
//   way, as deep as it nests, and kept readable.
const TOKEN_ROUTES = new Set(["reset-password", "invite", "verify-email", "confirm", "device", "magic", "token"]);
const HARMLESS_PARAMS = new Set(["intent", "status", "notice", "published", "format", "index", "_data", "page", "sort", "dir", "order", "filter", "view", "tab"]);
const URL_PARAMS = new Set(["redirectto", "redirect", "redirect_to", "redirect_uri", "returnto", "return_to", "next", "continue", "callbackurl"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REDACTED = "[redacted]";

// Our own secrets announce themselves (API keys, webhook secrets), whatever
// characters their random part happens to hold.
const SECRET_PREFIXES = /^(gk_|whsec_)/i;

function looksLikeSecret(segment: string): boolean {
  if (UUID.test(segment)) return false; // row ids are not secrets
  if (SECRET_PREFIXES.test(segment)) return true;
  return segment.length >= 20 && /^[\w.~+=-]+$/.test(segment) && /\d/.test(segment) && /[a-z]/i.test(segment);
}

function redactPath(path: string): string {
  const segments = path.split("/");
  return segments
    .map((segment, i) => {
      let decoded = segment;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        // a malformed escape: judge it as it is
      }
      const after = i > 0 ? decodeURIComponentSafe(segments[i - 1]!).toLowerCase() : "";
      if (segment && (TOKEN_ROUTES.has(after) || looksLikeSecret(decoded))) return REDACTED;
      return segment;
    })
    .join("/");
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function redactUrl(url: string, depth = 0): string {
  if (depth > 3) return REDACTED;
  // Absolute and protocol-relative URLs keep their origin; paths stay paths.
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//");
  let parsed: URL;
  try {
    parsed = new URL(url, "http://relative.invalid");
  } catch {
    return REDACTED;
  }
  // Values are shown decoded (a log is read, not followed), with only what
  // would blur the query's own structure escaped.
  const readable = (value: string) => value.replace(/[&#%=\s]/g, (c) => encodeURIComponent(c));
  const query = [...parsed.searchParams]
    .map(([name, value]) => {
      const key = name.toLowerCase();
      const shown = HARMLESS_PARAMS.has(key) ? readable(value) : URL_PARAMS.has(key) ? readable(redactUrl(value, depth + 1)) : REDACTED;
      return `${readable(name)}=${shown}`;
    })
    .join("&");
  const origin = absolute ? (url.startsWith("//") ? `//${parsed.host}` : parsed.origin) : "";
  return `${origin}${redactPath(parsed.pathname)}${query ? `?${query}` : ""}`;
}

/** Log fields that hold a URL or a path, wherever a log call puts them. */
const URL_FIELDS = ["url", "path", "referer", "referrer", "location", "redirectTo"];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "gatehouse" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => {
          for (const field of URL_FIELDS) if (typeof object[field] === "string") object[field] = redactUrl(object[field]);
          return object;
        },
      },
    },
    destination,
  );
}

export function getLogger(): Logger {
  return singleton("logger", () => createLogger(getEnv().LOG_LEVEL));
}
