import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { getSession } from "./.server/auth";
import { ErrorPage, errorTitle } from "./components/error-page";
import { SiteLayout } from "./components/site-layout";
import stylesheet from "./styles/app.css?url";
import { useInstance } from "./utils/instance-context";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "icon", href: "/favicon.ico", sizes: "16x16" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request);
  if (!session) return { user: null };
  const { name, email, isOperator, emailVerified } = session.user;
  return { user: { name, email, isOperator, emailVerified } };
}

// Pages set their own titles; this one is for the error page, whose route
// never ran (404) or failed.
export const meta: MetaFunction = ({ error }) => {
  if (!error) return [];
  return [{ title: errorTitle(isRouteErrorResponse(error) ? error.status : 500) }];
};

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const { productName } = useInstance();
  // Absent on an error page whose root loader did not run: show the signed-out header.
  const user = useRouteLoaderData<typeof loader>("root")?.user ?? null;
  return (
    <html lang="en" data-product-name={productName}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
      </head>
      <body>
        <SiteLayout productName={productName} user={user}>
          {children}
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
