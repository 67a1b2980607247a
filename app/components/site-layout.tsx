import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

export function SiteLayout({ productName, children }: { productName: string; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          {productName}
        </Link>
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
