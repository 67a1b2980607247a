// A short label for a session's User-Agent ("Firefox on Windows"), so people
// can recognise their own sessions in /settings/sessions. It is a hint for
// humans, never a security signal: any client can send any User-Agent.

// First match wins. Order matters because browsers borrow each other's
// tokens: Edge and Opera also say "Chrome", Chrome also says "Safari",
// Samsung Internet says "Chrome" too.
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bChrome\/|\bCriOS\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];

// iPhone and iPad before macOS (they say "like Mac OS X"); Android and
// ChromeOS before Linux (they say "Linux" too). Since iPadOS 13, Safari on an
// iPad sends a Mac User-Agent and is labelled macOS: there is no telling them apart.
const SYSTEMS: Array<[RegExp, string]> = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bWindows\b/, "Windows"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMacintosh\b|\bMac OS X\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

// Command-line clients name themselves first; the name is the whole label.
const TOOLS: Array<[RegExp, string]> = [
  [/^curl\//i, "curl"],
  [/^Wget\//i, "Wget"],
];

const firstMatch = (rules: Array<[RegExp, string]>, userAgent: string) => rules.find(([pattern]) => pattern.test(userAgent))?.[1];

export function describeDevice(userAgent: string | null | undefined): string {
  // Real User-Agents are a few hundred characters; the cap bounds regex work
  // on a hostile header.
  const ua = (userAgent ?? "").trim().slice(0, 1024);
  if (ua === "") return "Unknown device";

  const tool = firstMatch(TOOLS, ua);
  if (tool) return tool;
  const browser = firstMatch(BROWSERS, ua);
  const system = firstMatch(SYSTEMS, ua);
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown device";
}
