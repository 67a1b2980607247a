// Section navigation: a sidebar on wide screens that folds into a menu on a
// phone (a <details>, so it works without JavaScript), and tabs. NavLink marks
// the current page with aria-current="page".
import { Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";

export type NavItem = { to: string; label: string; end?: boolean };

function isCurrent(item: NavItem, pathname: string): boolean {
  const path = item.to.split("?")[0]!;
  return item.end ? pathname === path : pathname === path || pathname.startsWith(`${path}/`);
}

function Links({ items }: { items: NavItem[] }) {
  return (
    <>
      {items.map((item) => (
        <NavLink key={item.to} to={item.to} end={item.end} prefetch="intent">
          {item.label}
        </NavLink>
      ))}
    </>
  );
}

export function SidebarNav({ label, items, menuLabel }: { label: string; items: NavItem[]; menuLabel?: ReactNode }) {
  const { pathname } = useLocation();
  const current = items.find((item) => isCurrent(item, pathname));
  const details = useRef<HTMLDetailsElement>(null);
  // After following a link from the folded menu, fold it again.
  useEffect(() => {
    if (details.current) details.current.open = false;
  }, [pathname]);
  return (
    <>
      <nav aria-label={label} className="sidenav sidenav-desktop">
        <Links items={items} />
      </nav>
      <details className="sidenav-mobile" ref={details}>
        <summary>
          {menuLabel ?? label}
          {current ? <span className="sidenav-mobile__current">{current.label}</span> : null}
        </summary>
        <nav aria-label={label} className="sidenav">
          <Links items={items} />
        </nav>
      </details>
    </>
  );
}

/**
 * Tabs. `current` names the selected tab's `to` when tabs differ only in their
 * query (?status=failed), which NavLink does not compare.
 */
export function Tabs({ label, items, current }: { label: string; items: NavItem[]; current?: string }) {
  return (
    <nav aria-label={label} className="tabs">
      {current === undefined ? (
        <Links items={items} />
      ) : (
        items.map((item) => (
          <Link key={item.to} to={item.to} aria-current={item.to === current ? "page" : undefined}>
            {item.label}
          </Link>
        ))
      )}
    </nav>
  );
}

/** A section (Settings, an org, Admin): its title and sidebar beside the page. */
export function SectionLayout({ title, navLabel, items, children }: { title: ReactNode; navLabel: string; items: NavItem[]; children: ReactNode }) {
  return (
    <div className="section-layout">
      <div>
        <p className="section-layout__title">{title}</p>
        <SidebarNav label={navLabel} items={items} menuLabel={title} />
      </div>
      <div className="section-layout__body">{children}</div>
    </div>
  );
}
