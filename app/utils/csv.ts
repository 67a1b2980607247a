// CSV that spreadsheets open safely: every cell quoted, quotes doubled, and a
// cell that starts with = + - @ (or a tab/CR, which some apps strip first) is
// prefixed with ' so it is never run as a formula (OWASP "CSV injection").
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
