import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { analyticsSettings } from "./.server/analytics";
import { billingMode } from "./.server/billing/settings";
import { getSession } from "./.server/auth";
import { isDatabaseUnavailable } from "./.server/database/errors";
import { getDb } from "./.server/db";
import { getEnv } from "./.server/env";
import { bannerNotices as cachedBannerNotices } from "./.server/notices/banner";
import { listUserOrgs } from "./.server/orgs/orgs";
import { ErrorPage, errorTitle } from "./components/error-page";
import { NoticeBanner } from "./components/notice-banner";
import { SectionFrame } from "./components/section-frame";
import { SiteLayout } from "./components/site-layout";
import stylesheet from "./styles/app.css?url";
import { useInstance } from "./utils/instance-context";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  // After the main sheet: the operator's accent colour replaces the default one.
  { rel: "stylesheet", href: "/brand.css" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "icon", href: "/favicon.ico", sizes: "16x16" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request);
  const notices = await bannerNotices(session?.user.id ?? null);
  const analytics = analyticsSettings(getEnv());
  const umami = analytics ? { scriptUrl: analytics.scriptUrl, websiteId: analytics.websiteId } : null;
  // Whether the operator console has a webhook log (billing exists only when hosted).
  const billing = billingMode(getEnv()).kind !== "off";
  if (!session) return { user: null, orgs: [], notices, umami, billing };
  const { name, email, isOperator, emailVerified, deletionPending } = session.user;
  // For the header's org switcher.
  const orgs = emailVerified && !deletionPending ? await listUserOrgs(getDb(), session.user.id) : [];
  return { user: { name, email, isOperator, emailVerified, deletionPending }, orgs, notices, umami, billing };
}

// Visitors see the notices too (without a Dismiss button); people who dismissed
// one no longer do. A banner is not worth failing a page for: while the database
// is unreachable, pages that can do without it still answer, just without notices.
async function bannerNotices(userId: string | null) {
  try {
    return await cachedBannerNotices(getDb(), userId);
  } catch (error) {
    if (isDatabaseUnavailable(error)) return [];
    throw error;
  }
}

// Pages set their own titles; this one is for the error page, whose route
// never ran (404) or failed.
export const meta: MetaFunction = ({ error }) => {
  if (!error) return [];
  return [{ title: errorTitle(isRouteErrorResponse(error) ? error.status : 500) }];
};

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const { productName, logoUrl } = useInstance();
  // Absent on an error page whose root loader did not run: show the signed-out header.
  const root = useRouteLoaderData<typeof loader>("root");
  const user = root?.user ?? null;
  const { pathname } = useLocation();
  return (
    <html lang="en" data-product-name={productName} data-logo-url={logoUrl ?? undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
        {root?.umami ? <script defer src={root.umami.scriptUrl} data-website-id={root.umami.websiteId} nonce={nonce} /> : null}
      </head>
      <body>
        <SiteLayout
          productName={productName}
          logoUrl={logoUrl}
          user={user}
          orgs={root?.orgs ?? []}
          notices={root?.notices.length ? <NoticeBanner notices={root.notices} canDismiss={user !== null} /> : null}
        >
          <SectionFrame pathname={pathname} user={user} billing={root?.billing ?? false}>
            {children}
          </SectionFrame>
        </SiteLayout>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    return <ErrorPage status={error.status} />;
  }
  // Anything else is our fault. In production Remix has already replaced the
  // error with a generic one; we never render its message or stack either way.
  return <ErrorPage status={500} />;
}
