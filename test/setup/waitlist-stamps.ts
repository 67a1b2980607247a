// Waitlist form stamps for load tests, which join faster than they could view
// the form once per join (a stamp admits one join). Signed with the key the
// servers read from the database, in the format app/.server/waitlist/form-stamp.ts
// issues; a change there shows up here as joins dropped as bots.
import { createHmac, randomBytes } from "node:crypto";
import pg from "pg";
import { waitlistFormStamp } from "./http-client";

/**
 * Reads the form-signing key of the server at `baseUrl` from its database and
 * returns a maker of fresh stamps, each `ageMs` old.
 */
export async function waitlistStampMinter(baseUrl: string, databaseUrl: string, ageMs = 60_000): Promise<() => string> {
  // One page view first: a server on a truncated database makes (and caches) its key then.
  await waitlistFormStamp(baseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let key: string;
  try {
    const { rows } = await client.query<{ value: string }>("select value from instance_secret where name = 'form-signing-key'");
    if (!rows[0]) throw new Error(`no form-signing key in ${databaseUrl}: have the migrations run?`);
    key = rows[0].value;
  } finally {
    await client.end();
  }
  return () => {
    const issuedAt = Date.now() - ageMs;
    const nonce = randomBytes(12).toString("base64url");
    return `${issuedAt}.${nonce}.${createHmac("sha256", key).update(`waitlist:${issuedAt}:${nonce}`).digest("base64url")}`;
  };
}
