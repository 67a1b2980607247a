// Tests that open PGlite start from a migrated seed, as the server does, instead of
// paying for initdb each time. `npm test` builds first, so build/'s seed is used;
// run alone, the seed is made once under .cache/ (built aside, then renamed into
// place, so parallel workers never see half a seed).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { migrations } from "../../db/migrations";

export function pgliteSeedDir(): string {
  const built = path.resolve("build/pglite-seed");
  if (existsSync(path.join(built, "PG_VERSION"))) return built;
  // Named after the migrations it holds, so a new migration means a new seed.
  const version = createHash("sha256").update(Object.keys(migrations).join(",")).digest("hex").slice(0, 12);
  const cached = path.resolve(`.cache/test/pglite-seed-${version}`);
  if (!existsSync(path.join(cached, "PG_VERSION"))) {
    mkdirSync(path.dirname(cached), { recursive: true });
    const aside = `${cached}.${process.pid}`;
    execFileSync(path.resolve("node_modules/.bin/tsx"), ["db/build-pglite-seed.ts", aside], { stdio: "inherit" });
    try {
      renameSync(aside, cached);
    } catch {
      rmSync(aside, { recursive: true, force: true }); // another worker won the race
    }
  }
  return cached;
}
