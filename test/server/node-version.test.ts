// `npm start` (and every other npm script that runs the app) refuses Node
// older than 22 with one line, instead of installing with warnings and then
// half-working on an end-of-life runtime.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const BUILD_SCRIPT = "scripts/build.mjs";

/** Runs `script` under a Node that reports `version`. */
function runAs(version: string, script: string, args: string[] = []) {
  // process.versions.node is what the check reads; overriding it is the one way
  // to be Node 20 on a machine that only has Node 22.
  const pretend = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:${JSON.stringify(version)}})`;
  return spawnSync(process.execPath, ["--import", pretend, script, ...args], { encoding: "utf8", timeout: 60_000 });
}

describe("the Node version check", () => {
  it("is the first thing npm start, the worker and the admin CLI run", () => {
    const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string>; engines: { node: string } }).scripts;
    for (const name of ["start", "worker", "admin:grant", "admin:invite"]) expect(scripts[name], name).toMatch(/^node scripts\/build\.mjs\b/);
    expect(readFileSync(BUILD_SCRIPT, "utf8")).toMatch(/^import "\.\/require-node\.mjs";$/m);
  });

  it("refuses Node 20 with one clear line and exit code 1, before building anything", () => {
    // The build script the way `npm start` runs it; refused before it can build.
    const result = runAs("20.19.5", BUILD_SCRIPT, ["--if-stale"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual(["Gatehouse needs Node.js 22 or newer, and this is Node.js 20.19.5. Install Node.js 22 LTS, then run the command again."]);
  });

  it("refuses any older major, and lets 22 and newer through", () => {
    // The check alone: the whole build script would rebuild build/ under other tests' feet.
    for (const old of ["18.20.4", "21.7.3"]) expect(runAs(old, "scripts/require-node.mjs").status, old).toBe(1);
    for (const supported of ["22.0.0", "24.1.0"]) {
      const result = runAs(supported, "scripts/require-node.mjs");
      expect([result.status, result.stdout, result.stderr], supported).toEqual([0, "", ""]);
    }
  });
});
