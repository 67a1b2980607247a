// A PostgreSQL cluster of the test's own, in a temp directory on a free port,
// that the test may really stop and start (pg_ctl) under traffic without
// touching the shared test server. The server under test migrates it at start.
import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../../setup/server-process";

const run = promisify(execFile);

/** CI exports PG_BIN_DIR; otherwise the newest /usr/lib/postgresql/<version>/bin. */
async function serverBinaries(): Promise<string> {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const versions = await readdir("/usr/lib/postgresql").catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error("no PostgreSQL server binaries: set PG_BIN_DIR or install postgresql");
  return `/usr/lib/postgresql/${newest}/bin`;
}

// PostgreSQL refuses to run as root: as root, every command runs as the postgres user.
const asRoot = process.getuid?.() === 0;

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile("/etc/passwd", "utf8");
  const entry = passwd.split("\n").find((line) => line.startsWith("postgres:"));
  if (!entry) throw new Error("running as root, but there is no postgres user to run PostgreSQL as");
  const [, , uid, gid] = entry.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export class ThrowawayPostgres {
  private running = false;

  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb in a fresh temp directory and start it, with a `gatehouse` database. */
  static async create(): Promise<ThrowawayPostgres> {
    const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-resilience-pg-"));
    const cluster = new ThrowawayPostgres(await serverBinaries(), dir, await freePort());
    try {
      if (asRoot) {
        const { uid, gid } = await postgresIds();
        await chown(dir, uid, gid);
      }
      await cluster.pg("initdb", ["-D", cluster.dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale"]);
      await cluster.start();
      const admin = new pg.Client({ connectionString: cluster.url("postgres") });
      await admin.connect();
      await admin.query("create database gatehouse");
      await admin.end();
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  private get dataDir() {
    return path.join(this.dir, "data");
  }

  url(database = "gatehouse"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    // fsync off only skips the disk flush, which matters for a machine crash, not a
    // PostgreSQL one. synchronous_commit stays on: with it off, an immediate stop
    // loses commits PostgreSQL already confirmed, which is what the tests look for.
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=50`;
    await this.pg("pg_ctl", ["-D", this.dataDir, "-l", path.join(this.dir, "log"), "-w", "-t", "30", "-o", options, "start"]);
    this.running = true;
  }

  /** "fast" disconnects every client and shuts down cleanly; "immediate" is a crash. */
  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await this.pg("pg_ctl", ["-D", this.dataDir, "-m", mode, "-w", "-t", "30", "stop"]);
    this.running = false;
  }

  /** Stops the cluster if it runs and deletes its directory; safe to call twice. */
  async destroy(): Promise<void> {
    if (this.running) await this.stop("immediate").catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The server log, for a failing test's message. */
  async log(): Promise<string> {
    return readFile(path.join(this.dir, "log"), "utf8").catch(() => "");
  }

  private async pg(command: string, args: string[]): Promise<void> {
    const binary = path.join(this.bin, command);
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
    // pg_ctl's postmaster inherits our stdio unless -l is given (it is): no pipes left open.
    await run(file, argv, { env: { ...process.env, LC_ALL: "C" }, timeout: 60_000 });
  }
}
