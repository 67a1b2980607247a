import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { actionChoices, AUDIT_ACTIONS } from "./audit-actions";

// Every file that records audit events, and every "namespace.verb" literal in it.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

// "table.column" references in queries look like actions; a literal whose second
// half is a column name of any table is one of those.
const COLUMNS = new Set([...readFileSync(path.resolve("db/schema.ts"), "utf8").matchAll(/^\s+([a-z_]+)\??:/gm)].map((m) => m[1]!));

describe("AUDIT_ACTIONS", () => {
  it("lists every action the code records, so the filter offers each one", () => {
    const recorded = new Set<string>();
    for (const file of sourceFiles(path.resolve("app"))) {
      const source = readFileSync(file, "utf8");
      if (!source.includes("recordAuditEvent(") || file.endsWith(path.join("orgs", "audit.ts"))) continue;
      for (const match of source.matchAll(/"([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)"/g)) {
        if (!COLUMNS.has(match[1]!.split(".")[1]!)) recorded.add(match[1]!);
      }
    }
    expect(recorded.size).toBeGreaterThan(10);
    const missing = [...recorded].filter((action) => !(AUDIT_ACTIONS as readonly string[]).includes(action));
    expect(missing, "add these to app/.server/orgs/audit-actions.ts").toEqual([]);
  });

  it("offers an action pushed through the API when the address asks for it", () => {
    expect(actionChoices(undefined)).toEqual([...AUDIT_ACTIONS]);
    expect(actionChoices("member.invited")).toEqual([...AUDIT_ACTIONS]);
    expect(actionChoices("deploy.finished")).toContain("deploy.finished");
  });
});
