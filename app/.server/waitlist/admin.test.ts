import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { queuedEmails } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { getEnv } from "../env";
import { COUNT_CAP, inviteEntries, listWaitlist, PAGE_SIZE, parseWaitlistQuery, waitlistBatches, type WaitlistQuery } from "./admin";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);

type Entry = { email: string; name?: string | null; company?: string | null; created_at?: Date; confirmed_at?: Date | null; invited_at?: Date | null };

async function addEntries(entries: Entry[]): Promise<string[]> {
  const rows = await db
    .insertInto("waitlist_entry")
    .values(entries.map((e, i) => ({ name: null, company: null, created_at: minutesAgo(entries.length - i), ...e })))
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

const query = (params: Record<string, string> = {}): WaitlistQuery => parseWaitlistQuery(new URLSearchParams(params));
const emailsOf = async (q: WaitlistQuery) => (await listWaitlist(db, q)).rows.map((r) => r.email);

describe("parseWaitlistQuery", () => {
  it("defaults to every entry, newest first, first page", () => {
    expect(query()).toEqual({ search: "", filter: "all", sort: "created_at", direction: "desc", after: null });
  });

  it("reads allow-listed values", () => {
    const after = "0b0e6a38-3f4c-4a51-9d5e-5a2b8f0f3c11";
    expect(query({ q: "  ada ", filter: "confirmed", sort: "email", dir: "asc", after })).toEqual({
      search: "ada",
      filter: "confirmed",
      sort: "email",
      direction: "asc",
      after,
    });
  });

  it("ignores sort, direction and filter values that are not on the allow-lists", () => {
    const parsed = query({ sort: "email;drop table waitlist_entry", dir: "asc; delete from user", filter: "1=1 or true" });
    expect(parsed).toMatchObject({ sort: "created_at", direction: "desc", filter: "all" });
    for (const sort of ["EMAIL", "password_hash", "id", "email desc", "(select 1)", ""]) {
      expect(query({ sort }).sort, sort).toBe("created_at");
    }
  });

  it("falls back to the first page for a cursor that is not an entry id", () => {
    for (const after of ["0", "-1", "abc", "' or 1=1 --", ""]) {
      expect(query({ after }).after, after).toBeNull();
    }
  });

  it("limits the search text to 200 characters", () => {
    expect(query({ q: "x".repeat(500) }).search).toHaveLength(200);
  });

  it("lets a query built from hostile values run safely", async () => {
    await addEntries([{ email: "ada@example.com" }]);
    expect(await emailsOf(query({ sort: "email;drop table waitlist_entry", dir: "sideways" }))).toEqual(["ada@example.com"]);
    expect(await db.selectFrom("waitlist_entry").select("id").execute()).toHaveLength(1);
  });
});

describe("listWaitlist", () => {
  it("searches email, name and company, ignoring case", async () => {
    await addEntries([
      { email: "ada@analytical.example", name: "Ada Lovelace", company: "Engines Ltd" },
      { email: "charles@example.com", name: "Charles Babbage", company: "Analytical Engines" },
      { email: "grace@navy.example", name: "Grace Hopper", company: "US Navy" },
    ]);
    expect(await emailsOf(query({ q: "ANALYTICAL", sort: "email", dir: "asc" }))).toEqual(["ada@analytical.example", "charles@example.com"]);
    expect(await emailsOf(query({ q: "hopper" }))).toEqual(["grace@navy.example"]);
    expect(await emailsOf(query({ q: "lovelace" }))).toEqual(["ada@analytical.example"]);
    expect(await emailsOf(query({ q: "us navy" }))).toEqual(["grace@navy.example"]);
    expect(await emailsOf(query({ q: "nobody" }))).toEqual([]);
  });

  it("treats % and _ and \\ in the search text literally", async () => {
    await addEntries([
      { email: "percent@example.com", company: "100% Organic" },
      { email: "under@example.com", name: "snake_case" },
      { email: "slash@example.com", name: "back\\slash" },
      { email: "plain@example.com", name: "Plain Person", company: "Nothing Special" },
    ]);
    expect(await emailsOf(query({ q: "%" }))).toEqual(["percent@example.com"]);
    expect(await emailsOf(query({ q: "_" }))).toEqual(["under@example.com"]);
    expect(await emailsOf(query({ q: "e_c" }))).toEqual(["under@example.com"]);
    expect(await emailsOf(query({ q: "\\" }))).toEqual(["slash@example.com"]);
    expect(await emailsOf(query({ q: "0% o" }))).toEqual(["percent@example.com"]);
  });

  it("filters by confirmed and invited", async () => {
    await addEntries([
      { email: "new@example.com" },
      { email: "confirmed@example.com", confirmed_at: minutesAgo(1) },
      { email: "invited@example.com", confirmed_at: minutesAgo(2), invited_at: minutesAgo(1) },
    ]);
    const sorted = async (filter: string) => (await emailsOf(query({ filter }))).sort();
    expect(await sorted("all")).toEqual(["confirmed@example.com", "invited@example.com", "new@example.com"]);
    expect(await sorted("unconfirmed")).toEqual(["new@example.com"]);
    expect(await sorted("confirmed")).toEqual(["confirmed@example.com", "invited@example.com"]);
    expect(await sorted("invited")).toEqual(["invited@example.com"]);
    expect(await sorted("not-invited")).toEqual(["confirmed@example.com", "new@example.com"]);
  });

  it("sorts by an allow-listed column in either direction", async () => {
    await addEntries([
      { email: "b@example.com", name: "Zed" },
      { email: "c@example.com", name: null },
      { email: "a@example.com", name: "Amy" },
    ]);
    expect(await emailsOf(query())).toEqual(["a@example.com", "c@example.com", "b@example.com"]);
    expect(await emailsOf(query({ dir: "asc" }))).toEqual(["b@example.com", "c@example.com", "a@example.com"]);
    expect(await emailsOf(query({ sort: "email", dir: "asc" }))).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    expect(await emailsOf(query({ sort: "email", dir: "desc" }))).toEqual(["c@example.com", "b@example.com", "a@example.com"]);
    // Entries without a name come first going up, last going down.
    expect(await emailsOf(query({ sort: "name", dir: "asc" }))).toEqual(["c@example.com", "a@example.com", "b@example.com"]);
    expect(await emailsOf(query({ sort: "name", dir: "desc" }))).toEqual(["b@example.com", "a@example.com", "c@example.com"]);
  });

  it("pages with a cursor through every sort, both ways, nulls included, without gaps or repeats", async () => {
    const count = PAGE_SIZE * 2 + 7;
    // Names, companies and dates with nulls and ties, so every part of the keyset is crossed.
    await addEntries(
      Array.from({ length: count }, (_, i) => ({
        email: `user${String(i).padStart(3, "0")}@example.com`,
        name: i % 3 === 0 ? null : `Name ${i % 7}`,
        company: i % 2 === 0 ? null : `Company ${i % 5}`,
        confirmed_at: i % 4 === 0 ? null : minutesAgo(i % 9),
        invited_at: i % 5 === 0 ? minutesAgo(1) : null,
      })),
    );
    // With no search, and with one every entry matches: few enough matches to be
    // read through the trigram index and sorted, rather than found by walking the sort's index.
    for (const [sort, dir, q] of ["created_at", "email", "name", "company", "confirmed_at", "invited_at"].flatMap((sort) =>
      ["asc", "desc"].flatMap((dir) => ["", "example.com"].map((q) => [sort, dir, q] as const)),
    )) {
      const seen: string[] = [];
      const sizes: number[] = [];
      let after: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listWaitlist>> = await listWaitlist(db, query({ sort, dir, q, ...(after ? { after } : {}) }));
        sizes.push(page.rows.length);
        seen.push(...page.rows.map((r) => r.email));
        expect([page.total, page.totalIsAtLeast]).toEqual([count, false]);
        after = page.nextCursor;
      } while (after && sizes.length < 10);
      expect(sizes, `${sort} ${dir} ${q}`).toEqual([PAGE_SIZE, PAGE_SIZE, 7]);
      expect(new Set(seen).size, `${sort} ${dir} ${q}`).toBe(count);
      // Same order as one query of everything: nulls first going up, last going down; ties by id.
      const everything = await db
        .selectFrom("waitlist_entry")
        .select("email")
        .orderBy(sort as "email", (ob) => (dir === "asc" ? ob.asc().nullsFirst() : ob.desc().nullsLast()))
        .orderBy("id", dir as "asc")
        .execute();
      expect(seen, `${sort} ${dir} ${q}`).toEqual(everything.map((r) => r.email));
    }
    const searched = await listWaitlist(db, query({ q: "user00" }));
    expect([searched.total, searched.rows.length, searched.nextCursor]).toEqual([10, 10, null]);
  });

  it("caps the count instead of counting a big list to the end", async () => {
    await db
      .insertInto("waitlist_entry")
      .values(Array.from({ length: COUNT_CAP + 3 }, (_, i) => ({ email: `many${i}@example.com` })))
      .execute();
    const page = await listWaitlist(db, query());
    expect([page.total, page.totalIsAtLeast, page.rows.length]).toEqual([COUNT_CAP, true, PAGE_SIZE]);
  });

  it("shows an empty page past a cursor whose entry is gone (the page links back to the first)", async () => {
    const [gone] = await addEntries([{ email: "gone@example.com" }, { email: "kept@example.com" }]);
    await db.deleteFrom("waitlist_entry").where("id", "=", gone!).execute();
    expect((await listWaitlist(db, query({ after: gone! }))).rows).toEqual([]);
  });

  it("counts an empty list as empty", async () => {
    expect(await listWaitlist(db, query())).toEqual({ rows: [], total: 0, totalIsAtLeast: false, nextCursor: null });
  });

  it("exports every matching row, oldest first, in batches", async () => {
    await addEntries(Array.from({ length: PAGE_SIZE + 5 }, (_, i) => ({ email: `user${i}@example.com`, confirmed_at: i % 2 ? now : null })));
    const exported = async (params: Record<string, string>, size: number) => {
      const rows: string[] = [];
      for await (const batch of waitlistBatches(db, query(params), size)) rows.push(...batch.map((r) => r.email));
      return rows;
    };
    const all = await exported({}, 7);
    expect(all).toEqual(Array.from({ length: PAGE_SIZE + 5 }, (_, i) => `user${i}@example.com`));
    expect(await exported({ filter: "confirmed" }, 4)).toHaveLength(Math.floor((PAGE_SIZE + 5) / 2));
  });
});

describe("inviteEntries", () => {
  it("marks the entries invited and emails each a signup link", async () => {
    const [ada, bob] = await addEntries([{ email: "ada@example.com" }, { email: "bob@example.com" }, { email: "carol@example.com" }]);

    expect(await inviteEntries(db, [ada!, bob!], now)).toEqual({ invited: 2, skipped: 0 });

    const rows = await db.selectFrom("waitlist_entry").select(["email", "invited_at"]).orderBy("email").execute();
    expect(rows).toEqual([
      { email: "ada@example.com", invited_at: now },
      { email: "bob@example.com", invited_at: now },
      { email: "carol@example.com", invited_at: null },
    ]);
    const emails = await queuedEmails(db);
    expect(emails.map((e) => [e.template, e.to_address]).sort()).toEqual([
      ["signup-invitation", "ada@example.com"],
      ["signup-invitation", "bob@example.com"],
    ]);
    for (const email of emails) expect(email.text_body).toContain(`${getEnv().PUBLIC_URL.origin}/signup?invitation=`);
    const invitations = await db.selectFrom("signup_invitation").select(["email", "source"]).orderBy("email").execute();
    expect(invitations).toEqual([
      { email: "ada@example.com", source: "waitlist" },
      { email: "bob@example.com", source: "waitlist" },
    ]);
  });

  it("skips entries that were already invited, so inviting twice sends nothing more", async () => {
    const [ada, bob] = await addEntries([{ email: "ada@example.com" }, { email: "bob@example.com" }]);
    expect(await inviteEntries(db, [ada!], now)).toEqual({ invited: 1, skipped: 0 });

    const later = new Date(now.getTime() + 60_000);
    expect(await inviteEntries(db, [ada!, bob!], later)).toEqual({ invited: 1, skipped: 1 });
    expect(await inviteEntries(db, [ada!, bob!], later)).toEqual({ invited: 0, skipped: 2 });

    const rows = await db.selectFrom("waitlist_entry").select(["email", "invited_at"]).orderBy("email").execute();
    expect(rows).toEqual([
      { email: "ada@example.com", invited_at: now },
      { email: "bob@example.com", invited_at: later },
    ]);
    expect((await queuedEmails(db)).map((e) => e.to_address).sort()).toEqual(["ada@example.com", "bob@example.com"]);
    expect(await db.selectFrom("signup_invitation").select("id").execute()).toHaveLength(2);
  });

  it("sends one invitation when two operators invite the same entry at once", async () => {
    const [ada] = await addEntries([{ email: "ada@example.com" }]);
    const results = await Promise.all([inviteEntries(db, [ada!], now), inviteEntries(db, [ada!], now)]);
    expect(results.map((r) => r.invited).sort()).toEqual([0, 1]);
    expect(await queuedEmails(db)).toHaveLength(1);
  });

  it("counts an unknown entry as skipped", async () => {
    expect(await inviteEntries(db, ["00000000-0000-4000-8000-000000000000"], now)).toEqual({ invited: 0, skipped: 1 });
    expect(await queuedEmails(db)).toHaveLength(0);
  });
});
