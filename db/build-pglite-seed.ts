// Build step: initialise a PGlite data directory once, apply every migration, and
// close it cleanly, leaving build/pglite-seed/. The server's first start on the
// embedded database copies this instead of paying for initdb (docs/decisions/0003).
import { rm } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { migrateToLatest } from "../app/.server/database/migrate";
import { PGliteDialect } from "../app/.server/database/pglite-dialect";
import { PGLITE_EXTENSIONS } from "../app/.server/database/pglite";

const output = process.argv[2] ?? "build/pglite-seed";
await rm(output, { recursive: true, force: true });
const db = new Kysely<any>({ dialect: new PGliteDialect(() => PGlite.create({ dataDir: output, extensions: PGLITE_EXTENSIONS })) });
const { error } = await migrateToLatest(db);
await db.destroy();
if (error) throw error;
console.log(`wrote ${output}/`);
