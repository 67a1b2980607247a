import { describe, expect, it } from "vitest";
import { describeDevice, parseDevice } from "./device";

// Real User-Agent strings, as sent by current releases.
const AGENTS: Array<[string, string]> = [
  ["Firefox on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"],
  ["Chrome on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"],
  [
    "Safari on iPhone",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  ],
  [
    "Edge on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  ],
  ["Chrome on Android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"],
  [
    "Opera on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
  ],
  ["Safari on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"],
  [
    "Chrome on iPhone",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  ],
  [
    "Firefox on iPad",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15",
  ],
  [
    "Samsung Internet on Android",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  ],
  [
    "Edge on Android",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
  ],
  ["Firefox on Linux", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"],
  ["Chrome on ChromeOS", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"],
  ["curl", "curl/8.5.0"],
  ["Wget", "Wget/1.21.4"],
];

describe("describeDevice", () => {
  it.each(AGENTS)("labels %s", (label, userAgent) => {
    expect(describeDevice(userAgent)).toBe(label);
  });

  it("says Unknown device when there is nothing to go on", () => {
    expect(describeDevice(undefined)).toBe("Unknown device");
    expect(describeDevice(null)).toBe("Unknown device");
    expect(describeDevice("   ")).toBe("Unknown device");
    expect(describeDevice("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")).toBe("Unknown device");
  });

  it("names the system alone when the browser is unknown", () => {
    expect(describeDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")).toBe("Windows");
  });

  it("tells desktops, phones and tablets apart", () => {
    expect(parseDevice(AGENTS.find(([label]) => label === "Firefox on Windows")![1])).toEqual({ browser: "Firefox", os: "Windows", type: "desktop", label: "Firefox on Windows" });
    expect(parseDevice(AGENTS.find(([label]) => label === "Chrome on Android")![1])).toMatchObject({ type: "mobile" });
    expect(parseDevice(AGENTS.find(([label]) => label === "Safari on iPhone")![1])).toMatchObject({ os: "iPhone", type: "mobile" });
    expect(parseDevice(AGENTS.find(([label]) => label === "Firefox on iPad")![1])).toMatchObject({ os: "iPad", type: "tablet" });
    expect(parseDevice("curl/8.5.0")).toEqual({ browser: "curl", os: null, type: "unknown", label: "curl" });
  });

  it("answers quickly for a huge hostile header", () => {
    const started = performance.now();
    expect(describeDevice("Version/1" + " ".repeat(1_000_000))).toBe("Unknown device");
    expect(performance.now() - started).toBeLessThan(200);
  });
});
