// "3 minutes ago", with the exact time (UTC) on hover and in the <time>
// element's datetime. The server and the first browser render may disagree by
// a few seconds; the browser's value wins after hydration, without a warning.
import { useEffect, useState } from "react";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function relativeTimeText(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return seconds > 0 ? "in a few seconds" : "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "minute") return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(seconds, "second");
}

/** The exact time in a form that reads the same everywhere: "2026-12-01 07:42 UTC". */
export function exactTimeText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function RelativeTime({ iso, fallback = "never" }: { iso: string | null | undefined; fallback?: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  if (!iso) return <>{fallback}</>;
  const date = new Date(iso);
  const exact = exactTimeText(date);
  return (
    <time dateTime={date.toISOString()} title={exact} suppressHydrationWarning>
      {relativeTimeText(date, now)}
    </time>
  );
}
