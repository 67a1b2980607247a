/** Up to two initials from a name, else from the email's local part. */
export function initials(name: string | null, email: string): string {
  const words = (name ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length >= 2) return `${[...words[0]!][0]}${[...words[words.length - 1]!][0]}`.toUpperCase();
  if (words.length === 1) return [...words[0]!].slice(0, 2).join("").toUpperCase();
  return [...email.split("@")[0]!.replace(/[^\p{L}\p{N}]/gu, "")].slice(0, 2).join("").toUpperCase() || "?";
}

export function Avatar({ name, email, large = false }: { name: string | null; email: string; large?: boolean }) {
  return (
    <span className={`avatar${large ? " avatar--large" : ""}`} aria-hidden="true">
      {initials(name, email)}
    </span>
  );
}
