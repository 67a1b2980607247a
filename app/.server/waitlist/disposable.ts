// Throwaway-address domains (the disposable-email-domains list, ~120k entries,
// shipped with the app so it works offline). Loaded only when the check is on.
import { createRequire } from "node:module";

let domains: Set<string> | undefined;

export function isDisposableDomain(email: string): boolean {
  domains ??= new Set(createRequire(import.meta.url)("disposable-email-domains") as string[]);
  const domain = email.slice(email.lastIndexOf("@") + 1);
  // Subdomains of a listed domain count too (x.mailinator.com).
  const labels = domain.split(".");
  return labels.some((_, i) => domains!.has(labels.slice(i).join(".")));
}
