// The app shell: a header with the product's name (or the operator's logo), the
// org switcher and the account menu, then the page, then the footer. The menus
// are <details> elements: they open and close without JavaScript; with it they
// also close on navigation, on Escape and on a click elsewhere.
import { Form, Link, useLocation, useParams } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { Avatar } from "./avatar";
import { buttonClass } from "./button";

export type ShellUser = { name: string | null; email: string; isOperator: boolean; emailVerified: boolean; deletionPending: boolean } | null;
export type ShellOrg = { slug: string; name: string; role: string; plan: string };

export function SiteLayout({ productName, logoUrl, user, orgs, children, notices }: { productName: string; logoUrl?: string | null; user: ShellUser; orgs: ShellOrg[]; children: ReactNode; notices?: ReactNode }) {
  const fullAccount = user !== null && user.emailVerified && !user.deletionPending;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header__inner">
          <Link to={fullAccount ? "/home" : "/"} className="brand">
            {logoUrl ? <img className="brand__logo" src={logoUrl} alt="" /> : <span className="brand__mark" aria-hidden="true" data-initial={[...productName][0]} />}
            <span className="brand__name">{productName}</span>
          </Link>
          {fullAccount ? <OrgSwitcher orgs={orgs} /> : null}
          <span className="app-header__spacer" />
          {user ? (
            <AccountMenu user={user} fullAccount={fullAccount} />
          ) : (
            <nav aria-label="Account" className="header-links">
              <Link to="/login" className={buttonClass("ghost", "small")}>
                Log in
              </Link>
              <Link to="/signup" className={buttonClass("primary", "small")}>
                Sign up
              </Link>
            </nav>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1} className="app-main">
        {notices ? <div className="app-notices">{notices}</div> : null}
        <div className="app-content">{children}</div>
      </main>
      <footer className="app-footer">
        <div className="app-footer__inner">
          <span>{productName}</span>
          <nav aria-label="Footer">
            <Link to="/privacy">Privacy</Link>
          </nav>
        </div>
      </footer>
    </>
  );
}

/** Closes a <details> menu on navigation, Escape, or a click outside it. */
function useMenuClosing() {
  const ref = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [location.pathname, location.search]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !ref.current?.open) return;
      ref.current.open = false;
      ref.current.querySelector("summary")?.focus();
    };
    const onClick = (event: MouseEvent) => {
      if (ref.current?.open && !ref.current.contains(event.target as Node)) ref.current.open = false;
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onClick);
    };
  }, []);
  return ref;
}

function OrgSwitcher({ orgs }: { orgs: ShellOrg[] }) {
  const ref = useMenuClosing();
  const { slug } = useParams();
  const current = orgs.find((org) => org.slug === slug);
  return (
    <details className="menu menu--start org-switcher" ref={ref}>
      <summary>
        <span className="visually-hidden">Organization: </span>
        <span className="org-switcher__name">{current ? current.name : "Organizations"}</span>
        <span className="menu__caret" aria-hidden="true" />
      </summary>
      <div className="menu__panel">
        <nav aria-label="Your organizations" className="stack-sm">
          {orgs.length > 0 ? <p className="menu__heading">Your organizations</p> : null}
          <div>
            {orgs.map((org) => (
              <Link key={org.slug} to={`/orgs/${org.slug}`} aria-current={org.slug === slug ? "page" : undefined}>
                <span className="org-switcher__name">{org.name}</span>
                <span className="muted small">{org.role}</span>
              </Link>
            ))}
          </div>
          <div className="menu__separator" />
          <div>
            <Link to="/orgs">All organizations</Link>
            <Link to="/orgs/new">Create an organization</Link>
          </div>
        </nav>
      </div>
    </details>
  );
}

function AccountMenu({ user, fullAccount }: { user: NonNullable<ShellUser>; fullAccount: boolean }) {
  const ref = useMenuClosing();
  return (
    <details className="menu menu--end account-menu" ref={ref}>
      <summary>
        <Avatar name={user.name} email={user.email} />
        <span className="visually-hidden">Account menu for {user.name ?? user.email}</span>
        <span className="menu__caret" aria-hidden="true" />
      </summary>
      <div className="menu__panel">
        <div className="menu__identity">
          {user.name ? <strong>{user.name}</strong> : null}
          <span>{user.email}</span>
        </div>
        <div className="menu__separator" />
        <nav aria-label="Account">
          {user.deletionPending ? (
            <Link to="/settings/delete-account">Cancel deletion</Link>
          ) : !user.emailVerified ? (
            <Link to="/verify-email">Verify your email</Link>
          ) : (
            <>
              <Link to="/home">Home</Link>
              <Link to="/settings">Settings</Link>
            </>
          )}
          {user.isOperator && fullAccount ? <Link to="/admin">Admin</Link> : null}
        </nav>
        <div className="menu__separator" />
        <Form method="post" action="/logout">
          <button type="submit">Sign out</button>
        </Form>
      </div>
    </details>
  );
}
