// Where to send the user after login (?redirectTo=...). Anything that could
// leave our origin — "//evil.test", "/\evil.test", "https://...", an encoded
// or dot-segment variant of those — falls back, so the login page cannot be
// used as an open redirect.

// A made-up origin: all that matters is whether parsing keeps it.
const BASE = "http://gatehouse.invalid";

// Backslashes count as slashes in browsers; controls and spaces are stripped
// or trimmed by URL parsers, which turns "/\t/evil.test" into "//evil.test".
const UNSAFE_CHARACTERS = /[\\\s\p{Cc}\p{Cf}]/u;

function looksSafe(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !UNSAFE_CHARACTERS.test(path);
}

export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !looksSafe(to)) return fallback;

  // Something downstream (a proxy, a framework) may decode the path once or
  // twice more, so its decoded forms must be safe too. Only the path is
  // decoded: a query may legitimately hold "%5C" or "%25".
  let path = to.split(/[?#]/, 1)[0] ?? "";
  for (let round = 0; round < 3; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return fallback;
    }
    if (decoded === path) break;
    if (!looksSafe(decoded)) return fallback;
    path = decoded;
  }

  let url: URL;
  try {
    url = new URL(to, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  // The parser resolves dot segments: "/.//evil.test" keeps our origin but
  // its path becomes "//evil.test", which a browser would read as a host.
  const result = url.pathname + url.search + url.hash;
  return looksSafe(result) ? result : fallback;
}
