// What a session's User-Agent says about the device ("Firefox on Windows",
// desktop), so people can recognise their own sessions in /settings/sessions.
// A hint for humans, never a security signal: any client can send any
// User-Agent. Parsed with bowser (MIT, maintained; ua-parser-js 2.x is AGPL,
// see docs/decisions/0014-org-settings-and-readable-pages.md).
import Bowser from "bowser";

export type DeviceType = "desktop" | "mobile" | "tablet" | "tv" | "bot" | "unknown";

export type Device = { browser: string | null; os: string | null; type: DeviceType; label: string };

// Shorter names for the few bowser spells out in full.
const BROWSER_NAMES: Record<string, string> = { "Microsoft Edge": "Edge", "Samsung Internet for Android": "Samsung Internet", "Opera Touch": "Opera" };
const OS_NAMES: Record<string, string> = { "Chrome OS": "ChromeOS" };

// Command-line clients name themselves first; bowser does not know them.
const TOOLS: Array<[RegExp, string]> = [
  [/^curl\//i, "curl"],
  [/^Wget\//i, "Wget"],
];

const DEVICE_TYPES = new Set<DeviceType>(["desktop", "mobile", "tablet", "tv", "bot"]);

export function parseDevice(userAgent: string | null | undefined): Device {
  // Real User-Agents are a few hundred characters; the cap bounds the parser's
  // regex work on a hostile header.
  const ua = (userAgent ?? "").trim().slice(0, 512);
  if (ua === "") return { browser: null, os: null, type: "unknown", label: "Unknown device" };
  const tool = TOOLS.find(([pattern]) => pattern.test(ua))?.[1];
  if (tool) return { browser: tool, os: null, type: "unknown", label: tool };

  const parsed = Bowser.parse(ua);
  const type = DEVICE_TYPES.has(parsed.platform.type as DeviceType) ? (parsed.platform.type as DeviceType) : "unknown";
  if (type === "bot") return { browser: parsed.browser.name || null, os: null, type, label: "Unknown device" };
  // With no browser it knows, bowser names the UA's first token: "Mozilla" says nothing.
  const browser = parsed.browser.name && parsed.browser.name !== "Mozilla" ? (BROWSER_NAMES[parsed.browser.name] ?? parsed.browser.name) : null;
  // An iPhone or an iPad says more to its owner than "iOS".
  const model = parsed.os.name === "iOS" && (parsed.platform.model === "iPhone" || parsed.platform.model === "iPad") ? parsed.platform.model : null;
  const os = model ?? (parsed.os.name ? (OS_NAMES[parsed.os.name] ?? parsed.os.name) : null);
  const label = browser && os ? `${browser} on ${os}` : (browser ?? os ?? "Unknown device");
  return { browser, os, type, label };
}

/** The one-line label ("Chrome on Android"). */
export function describeDevice(userAgent: string | null | undefined): string {
  return parseDevice(userAgent).label;
}
