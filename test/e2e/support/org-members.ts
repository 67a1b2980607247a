// Adds an existing account to an org straight in the e2e database, for specs
// about what a member sees (the invitation journey has its own spec).
import pg from "pg";
import { e2eDatabaseUrl } from "./instance";

export async function addMemberDirectly(slug: string, email: string, role: "owner" | "admin" | "member"): Promise<void> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `insert into membership (org_id, user_id, role) select org.id, "user".id, $3 from org, "user" where org.slug = $1 and "user".email = $2`,
      [slug, email, role],
    );
    if (rowCount !== 1) throw new Error(`could not add ${email} to /orgs/${slug}`);
  } finally {
    await client.end();
  }
}
