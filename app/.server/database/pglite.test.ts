import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pgliteSeedDir } from "../../../test/setup/pglite-seed";
import { openPGlite } from "./pglite";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-lock-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("the embedded database's lock", () => {
  it("refuses a data directory a live process on this host holds", async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, "gatehouse.lock"), `${hostname()} ${process.ppid}`);
    await expect(openPGlite(dir, pgliteSeedDir())).rejects.toThrow(/in use by process/);
  });

  it("refuses one another container touched seconds ago, and takes over a stale one", async () => {
    const dir = freshDir();
    const lock = path.join(dir, "gatehouse.lock");
    writeFileSync(lock, "other-container 1");
    await expect(openPGlite(dir, pgliteSeedDir())).rejects.toThrow(/on other-container/);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    const pglite = await openPGlite(dir, pgliteSeedDir());
    expect((await pglite.query<{ n: number }>("select 1 as n")).rows).toEqual([{ n: 1 }]);
    await pglite.close();
  });

  it("takes over the lock of a process that died", async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, "gatehouse.lock"), `${hostname()} 2147483646`);
    const pglite = await openPGlite(dir, pgliteSeedDir());
    await pglite.close();
  });
});
