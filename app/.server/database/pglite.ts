// Opening the embedded database. A brand-new PGlite data directory costs an
// initdb (4–6 s, ~900 MB peak here), so the build ships a migrated, cleanly shut
// down data directory (build/pglite-seed/) and the first start copies it into
// DATA_DIR: from then on every start is a plain reopen (see docs/decisions/0003).
import { existsSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { constants, copyFile, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

// Extensions the migrations create (pg_trgm: the admin searches' trigram
// indexes). PGlite loads an extension's code only when asked at open, so every
// open of a data directory — server, seed build, tests — passes these.
export const PGLITE_EXTENSIONS = { pg_trgm };

export function isInitialisedDataDir(dataDir: string): boolean {
  return existsSync(path.join(dataDir, "PG_VERSION"));
}

export async function openPGlite(dataDir: string, seedDir?: string): Promise<PGlite> {
  await mkdir(dataDir, { recursive: true });
  lockDataDir(dataDir);
  if (!isInitialisedDataDir(dataDir) && seedDir && isInitialisedDataDir(seedDir)) {
    await copyTree(seedDir, dataDir);
  }
  return PGlite.create({ dataDir, extensions: PGLITE_EXTENSIONS });
}

// fs.cp copies one file at a time (~800 ms for the seed's ~1,000 files here);
// copying them concurrently takes ~100 ms. FICLONE makes it a reflink where the
// file system supports one.
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map((entry) => {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      return entry.isDirectory() ? copyTree(source, target) : copyFile(source, target, constants.COPYFILE_FICLONE);
    }),
  );
}

// PGlite has no locking of its own, and two processes writing one data
// directory corrupt it (say, `npm run admin:grant` while the server runs, or a
// second container on the same volume). The holder writes "<host> <pid>" to a
// lock file and touches it every few seconds. On the same host a live pid
// holds the lock; from another host (another container: every server there is
// pid 1) a lock touched in the last 15 s does. A stale lock is taken over.
const HEARTBEAT_MS = 5_000;

/** Another live process holds the data directory: its message is the whole story, for a person at a terminal. */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
}

const STALE_MS = 15_000;

function lockDataDir(dataDir: string): void {
  const lockFile = path.join(dataDir, "gatehouse.lock");
  const me = `${hostname()} ${process.pid}`;
  if (existsSync(lockFile)) {
    const [host, pidText] = readFileSync(lockFile, "utf8").trim().split(" ");
    const pid = Number(pidText);
    const held =
      host === hostname()
        ? Number.isInteger(pid) && pid !== process.pid && isAlive(pid)
        : Date.now() - statSync(lockFile).mtimeMs < STALE_MS;
    if (held) {
      throw new DataDirInUseError(`The embedded database in ${dataDir} is in use by process ${pid} on ${host} (the server?). Stop it first, or set DATABASE_URL.`);
    }
  }
  writeFileSync(lockFile, me);
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockFile, now, now);
    } catch {
      // the directory went away; nothing to protect
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  process.once("exit", () => {
    try {
      if (readFileSync(lockFile, "utf8") === me) unlinkSync(lockFile);
    } catch {
      // already gone
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
