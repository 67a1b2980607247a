import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { queuedEmails } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { getEnv } from "../env";
import { exportWaitlist, inviteEntries, listWaitlist, PAGE_SIZE, parseWaitlistQuery, type WaitlistQuery } from "./admin";

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
  it("defaults to every entry, newest first, page 1", () => {
    expect(query()).toEqual({ search: "", filter: "all", sort: "created_at", direction: "desc", page: 1 });
  });

  it("reads allow-listed values", () => {
    expect(query({ q: "  ada ", filter: "confirmed", sort: "email", dir: "asc", page: "3" })).toEqual({
      search: "ada",
      filter: "confirmed",
      sort: "email",
      direction: "asc",
      page: 3,
    });
  });

  it("ignores sort, direction and filter values that are not on the allow-lists", () => {
    const parsed = query({ sort: "email;drop table waitlist_entry", dir: "asc; delete from user", filter: "1=1 or true" });
    expect(parsed).toMatchObject({ sort: "created_at", direction: "desc", filter: "all" });
    for (const sort of ["EMAIL", "password_hash", "id", "email desc", "(select 1)", ""]) {
      expect(query({ sort }).sort, sort).toBe("created_at");
    }
  });

  it("falls back to page 1 for anything but a sane whole number", () => {
    for (const page of ["0", "-1", "1.5", "abc", "1e9", "100000", "Infinity", ""]) {
      expect(query({ page }).page, page).toBe(1);
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

  it("paginates with a total and page count", async () => {
    const count = PAGE_SIZE * 2 + 7;
    await addEntries(Array.from({ length: count }, (_, i) => ({ email: `user${String(i).padStart(3, "0")}@example.com` })));

    const pages = await Promise.all([1, 2, 3, 4].map((page) => listWaitlist(db, query({ sort: "email", dir: "asc", page: String(page) }))));
    expect(pages.map((p) => [p.total, p.pages, p.rows.length])).toEqual([
      [count, 3, PAGE_SIZE],
      [count, 3, PAGE_SIZE],
      [count, 3, 7],
      [count, 3, 0],
    ]);
    const all = pages.flatMap((p) => p.rows.map((r) => r.email));
    expect(all).toEqual(Array.from({ length: count }, (_, i) => `user${String(i).padStart(3, "0")}@example.com`));

    const searched = await listWaitlist(db, query({ q: "user00" }));
    expect([searched.total, searched.pages, searched.rows.length]).toEqual([10, 1, 10]);
  });

  it("counts an empty list as one page", async () => {
    expect(await listWaitlist(db, query())).toEqual({ rows: [], total: 0, pages: 1 });
  });

  it("exports every matching row, oldest first, beyond one page", async () => {
    await addEntries(Array.from({ length: PAGE_SIZE + 5 }, (_, i) => ({ email: `user${i}@example.com`, confirmed_at: i % 2 ? now : null })));
    const all = await exportWaitlist(db, query());
    expect(all).toHaveLength(PAGE_SIZE + 5);
    expect(all[0]!.email).toBe("user0@example.com");
    expect(await exportWaitlist(db, query({ filter: "confirmed" }))).toHaveLength(Math.floor((PAGE_SIZE + 5) / 2));
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
