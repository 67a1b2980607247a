// Tests that open PGlite start from a migrated seed, as the server does, instead of
// paying for initdb each time. `npm test` builds first, so build/'s seed is used;
// run alone, the seed is made once under .cache/.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export function pgliteSeedDir(): string {
  const built = path.resolve("build/pglite-seed");
  if (existsSync(path.join(built, "PG_VERSION"))) return built;
  const cached = path.resolve(".cache/test/pglite-seed");
  if (!existsSync(path.join(cached, "PG_VERSION"))) {
    execFileSync(path.resolve("node_modules/.bin/tsx"), ["db/build-pglite-seed.ts", cached], { stdio: "inherit" });
  }
  return cached;
}
