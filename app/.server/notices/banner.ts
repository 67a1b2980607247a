// The notices in the banner of every page. They change a few times a year, yet
// the root loader asked the database for them on every request (the one query
// of an otherwise static page). Each process now keeps the current list for a
// few seconds; publishing in this process clears it, other replicas pick a new
// notice up within BANNER_CACHE_MS. Dismissals are per person and read fresh.
import type { Database } from "../db";

const MAX_BANNERS = 3;
export const BANNER_CACHE_MS = 5_000;

export type ActiveNotice = { id: string; title: string; body: string; link: string | null };
type CurrentNotice = ActiveNotice & { published_at: Date; show_until: Date };

/** Notices still showing at `now` or later, newest first. */
function loadCurrentNotices(db: Database, now: Date): Promise<CurrentNotice[]> {
  return db
    .selectFrom("notice")
    .select(["id", "title", "body", "link", "published_at", "show_until"])
    .where("show_until", ">", now)
    .orderBy("published_at", "desc")
    .limit(50)
    .execute();
}

/** Those showing at `now`, minus the ones this person dismissed, at most MAX_BANNERS. */
async function bannersFor(db: Database, notices: CurrentNotice[], userId: string | null, now: Date): Promise<ActiveNotice[]> {
  let showing = notices.filter((n) => n.published_at <= now && n.show_until > now);
  if (userId !== null && showing.length > 0) {
    const dismissed = await db
      .selectFrom("notice_dismissal")
      .select("notice_id")
      .where("user_id", "=", userId)
      .where("notice_id", "in", showing.map((n) => n.id))
      .execute();
    const hidden = new Set(dismissed.map((d) => d.notice_id));
    showing = showing.filter((n) => !hidden.has(n.id));
  }
  return showing.slice(0, MAX_BANNERS).map(({ id, title, body, link }) => ({ id, title, body, link }));
}

let cached: { until: number; notices: Promise<CurrentNotice[]> } | undefined;

/**
 * The notices a page shows: published, still showing, and not dismissed by this
 * user. The list of notices is kept for BANNER_CACHE_MS; dismissals are read each time.
 */
export async function bannerNotices(db: Database, userId: string | null, now = new Date()): Promise<ActiveNotice[]> {
  if (!cached || cached.until <= now.getTime()) {
    const notices = loadCurrentNotices(db, now);
    const entry = { until: now.getTime() + BANNER_CACHE_MS, notices };
    cached = entry;
    // A failed load (the database away) must not be served for the next 5 seconds.
    notices.catch(() => {
      if (cached === entry) cached = undefined;
    });
  }
  return bannersFor(db, await cached.notices, userId, now);
}

export function forgetCachedBanners(): void {
  cached = undefined;
}
