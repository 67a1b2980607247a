// The one URL a request is handled under. Remix routes on `new URL(...)`,
// which resolves dot segments (percent-encoded ones too) and reads "\" as "/";
// Express hands its middlewares the raw path. Deciding anything on the raw path
// (the CSRF exemption for /api/v1/ and /webhooks/, login shedding) while
// routing on the resolved one let `/api/v1/../../settings` be exempt here and
// /settings there. So the target is resolved once, here, and every later step
// (Express's req.path included) sees the path routing sees.
export type RequestTarget = { ok: true; url: URL } | { ok: false; reason: string };

// "." or "..", spelt with any mix of "." and "%2e" in any case.
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

export function resolveRequestTarget(rawTarget: string, publicUrl: URL): RequestTarget {
  // Origin-form only ("/path?query"): browsers send nothing else to a server,
  // and an absolute-form target ("http://other.host/...") would bring its own host.
  if (!rawTarget.startsWith("/")) return { ok: false, reason: "the request target must be a path starting with /" };
  const queryStart = rawTarget.indexOf("?");
  const rawPath = queryStart === -1 ? rawTarget : rawTarget.slice(0, queryStart);
  // No browser sends a dot segment (it resolves them before sending), so one
  // here is a crafted request: refused outright rather than quietly resolved.
  if (rawPath.split(/[/\\]/).some((segment) => DOT_SEGMENT.test(segment))) {
    return { ok: false, reason: "the path has . or .. segments" };
  }
  // Appended to the origin rather than resolved against it: "//host/x" stays a
  // path here instead of becoming a URL on another host.
  try {
    return { ok: true, url: new URL(`${publicUrl.origin}${rawTarget}`) };
  } catch {
    return { ok: false, reason: "the request target is not a valid path" };
  }
}
