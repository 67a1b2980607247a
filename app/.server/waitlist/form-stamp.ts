// The waitlist form carries the time it was rendered, signed with a key kept in
// the database (so every replica agrees). A submission faster than a person
// could type is a bot; a missing or forged stamp is too. Both are dropped quietly.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "../db";

const MAX_AGE_MS = 24 * 60 * 60 * 1000;

let cachedKey: Promise<string> | undefined;

function signingKey(db: Database): Promise<string> {
  // The migration creates the key; should the row ever be missing (a partial
  // restore), a fresh one is made rather than failing every page with a form.
  cachedKey ??= db
    .insertInto("instance_secret")
    .values({ name: "form-signing-key", value: randomBytes(32).toString("hex") })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute()
    .then(() => db.selectFrom("instance_secret").select("value").where("name", "=", "form-signing-key").executeTakeFirstOrThrow())
    .then((row) => row.value)
    .catch((error: unknown) => {
      cachedKey = undefined; // a database outage must not be remembered
      throw error;
    });
  return cachedKey;
}

const sign = (key: string, issuedAt: number) => createHmac("sha256", key).update(`waitlist:${issuedAt}`).digest("base64url");

export async function issueFormStamp(db: Database, now = new Date()): Promise<string> {
  const issuedAt = now.getTime();
  return `${issuedAt}.${sign(await signingKey(db), issuedAt)}`;
}

export type StampVerdict = "ok" | "too-fast" | "invalid";

export async function checkFormStamp(db: Database, stamp: string | undefined, minFillMs: number, now = new Date()): Promise<StampVerdict> {
  const [issued, signature] = (stamp ?? "").split(".");
  const issuedAt = Number(issued);
  if (!Number.isSafeInteger(issuedAt) || !signature) return "invalid";
  const expected = Buffer.from(sign(await signingKey(db), issuedAt));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
  const age = now.getTime() - issuedAt;
  if (age < 0 || age > MAX_AGE_MS) return "invalid";
  return age < minFillMs ? "too-fast" : "ok";
}
