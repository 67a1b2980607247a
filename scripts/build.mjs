// `npm run build`: the Remix app (Vite), the HTTP server and CLIs (esbuild), and
// the pre-initialised PGlite data directory. With --if-stale (used by
// `npm start`) it does nothing when build/ is newer than every source file.
// Every npm script that builds, starts or runs the app goes through here first,
// so the Node version check comes first of all.
import "./require-node.mjs";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const stamp = path.join(root, "build", ".stamp");
const SOURCES = ["app", "db", "emails", "public", "server.ts", "worker.ts", "admin.ts", "vite.config.ts", "package.json", "package-lock.json", "scripts/build.mjs"];

function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

if (process.argv.includes("--if-stale") && existsSync(stamp)) {
  const sources = Math.max(...SOURCES.map((entry) => newestMtime(path.join(root, entry))));
  if (sources <= statSync(stamp).mtimeMs) process.exit(0);
  console.log("Sources changed since the last build; rebuilding.");
}

function run(command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build step failed: ${command} ${args.join(" ")}`);
    process.exit(result.status ?? 1);
  }
  return Date.now() - started;
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);

run(bin("remix"), ["vite:build", "--logLevel", "warn"]);
run(bin("esbuild"), [
  "server.ts",
  "worker.ts",
  "admin.ts",
  "db/migrate.ts",
  "db/build-pglite-seed.ts",
  "--bundle",
  "--platform=node",
  "--format=esm",
  "--target=node22",
  "--packages=external",
  "--log-level=warning",
  "--outdir=build",
  "--entry-names=[name]",
]);
run(process.execPath, [path.join(root, "build", "build-pglite-seed.js"), path.join(root, "build", "pglite-seed")]);
writeFileSync(stamp, new Date().toISOString());
console.log("Build complete: build/server.js, build/client, build/server, build/pglite-seed/");
