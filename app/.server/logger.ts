// Structured JSON logs. Secrets never reach them: cookies, authorization headers,
// passwords and tokens are redacted by key, and tokens that travel in a URL path
// (/reset-password/:token and friends) are cut out of logged URLs.
import pino, { type Logger } from "pino";
import { getEnv } from "./env";
import { singleton } from "./singleton";

export const REDACTED_KEYS = ["cookie", "authorization", "set-cookie", "password", "token", "secret", "apiKey"];

const REDACT_PATHS = [
  ...REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'headers["x-api-key"]',
];

// Paths whose last segment is a secret: keep the route, drop the secret.
const TOKEN_IN_PATH = /^(\/(?:reset-password|waitlist\/confirm|invite|verify-email)\/)[^/?#]+/;
const TOKEN_IN_QUERY = /([?&](?:token|code|key|user_code)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, "$1[redacted]").replace(TOKEN_IN_QUERY, "$1[redacted]");
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "gatehouse" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export function getLogger(): Logger {
  return singleton("logger", () => createLogger(getEnv().LOG_LEVEL));
}
