// The JavaScript a browser downloads for the landing page, read from the
// production build (no server needed): Remix's browser manifest names the
// entry module, the root and landing route modules and everything they
// import (the page's modulepreload links); each file is counted once, gzipped
// as a server would send it. The manifest file itself is not downloaded: with
// lazy route discovery the page carries its few routes inline.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const LANDING_JS_BUDGET_KB = 90;

type RouteEntry = { module: string; imports?: string[] };
type RemixManifest = { entry: RouteEntry; routes: Record<string, RouteEntry>; url?: string };

export function landingPageJs(clientDir = path.resolve("build/client")): { files: number; rawKb: number; gzipKb: number } {
  const assets = path.join(clientDir, "assets");
  const manifestFile = readdirSync(assets).find((name) => /^manifest-[\w-]+\.js$/.test(name));
  if (!manifestFile) throw new Error(`no Remix manifest in ${assets}: run \`npm run build\` first`);
  const source = readFileSync(path.join(assets, manifestFile), "utf8");
  const manifest = JSON.parse(source.slice(source.indexOf("=") + 1).replace(/;\s*$/, "")) as RemixManifest;
  const modules = new Set<string>();
  for (const part of [manifest.entry, manifest.routes.root, manifest.routes["routes/_index"]]) {
    if (!part) throw new Error("the manifest has no entry, root or routes/_index");
    modules.add(part.module);
    for (const imported of part.imports ?? []) modules.add(imported);
  }
  let raw = 0;
  let gzipped = 0;
  for (const url of modules) {
    const bytes = readFileSync(path.join(clientDir, url));
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: modules.size, rawKb: Math.round(raw / 102.4) / 10, gzipKb: Math.round(gzipped / 102.4) / 10 };
}
