import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";

type HeaderUser = { name: string | null; email: string; isOperator: boolean; emailVerified: boolean; deletionPending: boolean } | null;

export function SiteLayout({ productName, user, children }: { productName: string; user: HeaderUser; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          {productName}
        </Link>
        <nav aria-label="Account" className="site-nav">
          {user ? (
            <>
              {user.deletionPending ? (
                <Link to="/settings/delete-account">Cancel deletion</Link>
              ) : user.emailVerified ? (
                <>
                  <Link to="/orgs">Organizations</Link>
                  <Link to="/settings">Settings</Link>
                </>
              ) : (
                <Link to="/verify-email">Verify your email</Link>
              )}
              {user.isOperator ? <Link to="/admin">Admin</Link> : null}
              <Form method="post" action="/logout">
                <button type="submit" className="link-button">
                  Log out
                </button>
              </Form>
            </>
          ) : (
            <>
              <Link to="/login">Log in</Link>
              <Link to="/signup">Sign up</Link>
            </>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <nav aria-label="Footer">
          <Link to="/privacy">Privacy</Link>
        </nav>
      </footer>
    </>
  );
}
