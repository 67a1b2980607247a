import type { LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, Link, Outlet, useLoaderData, useParams, useRouteError } from "@remix-run/react";
import { billingMode } from "~/.server/billing/settings";
import { getEnv } from "~/.server/env";
import { getDb } from "~/.server/db";
import { requireOrgRole } from "~/.server/orgs/access";
import { policyBannerFor } from "~/.server/orgs/security-policy/compliance";
import { Alert } from "~/components/alert";
import { ErrorPage } from "~/components/error-page";
import { SectionLayout } from "~/components/nav";
import { orgNavItems } from "~/components/org-nav";
import { roleAtLeast } from "~/utils/roles";

// The frame of every /orgs/:slug page: the billing notice while the
// subscription needs attention (payment failed, cancelled, read-only), and the
// reason in words when a change was refused because of the plan or the
// subscription's state.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, standing, session } = await requireOrgRole(request, params.slug, "member", { allowReadOnly: true });
  const billingPage = billingMode(getEnv()).kind !== "off" && roleAtLeast(role, "admin");
  // A rule in its grace period that this member's session will not meet: say so, with the date.
  const policyBanner = await policyBannerFor(getDb(), session, org.id, org.name);
  return { slug: org.slug, name: org.name, isAdmin: roleAtLeast(role, "admin"), notice: standing.notice, billingLink: billingPage ? `/orgs/${org.slug}/billing` : null, policyBanner };
}

export default function OrgFrame() {
  const { slug, name, isAdmin, notice, billingLink, policyBanner } = useLoaderData<typeof loader>();
  return (
    <SectionLayout title={name} navLabel={`${name} sections`} items={orgNavItems(slug, { isAdmin, billing: billingLink !== null })}>
      <div className="stack">
        {notice ? (
          // Shown on every page while it holds, so not a live region: it would be announced on each one.
          <Alert tone={notice.tone === "error" ? "danger" : "warning"} live={false} label="Billing notice">
            <p>
              {notice.message}
              {billingLink ? (
                <>
                  {" "}
                  <Link to={billingLink}>Go to Billing</Link>
                </>
              ) : null}
            </p>
          </Alert>
        ) : null}
        {policyBanner ? (
          <Alert tone="warning" live={false} label="Security policy notice">
            <p>
              {policyBanner.message}
              {policyBanner.rule === "two-factor" ? (
                <>
                  {" "}
                  <Link to="/settings/security">Open your security settings</Link>
                </>
              ) : null}
            </p>
          </Alert>
        ) : null}
        <Outlet />
      </div>
    </SectionLayout>
  );
}

function entitlementMessage(data: unknown): string | null {
  return refusalMessage(data, "entitlement");
}

/** The message of a 403 body marked with `flag` (entitlement: the plan refuses; roleRequired: the member's role does). */
function refusalMessage(data: unknown, flag: "entitlement" | "roleRequired" | "policyRequired"): string | null {
  const body = typeof data === "string" ? safeJson(data) : data;
  return body && typeof body === "object" && (body as Record<string, unknown>)[flag] === true ? String((body as { message?: unknown }).message ?? "") : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { slug } = useParams();
  const forbidden = isRouteErrorResponse(error) && error.status === 403;
  // A 403 here is a role the page needs, or a change the plan does not allow.
  const roleMessage = forbidden ? refusalMessage(error.data, "roleRequired") : null;
  const planMessage = forbidden ? entitlementMessage(error.data) : null;
  const policyMessage = forbidden ? refusalMessage(error.data, "policyRequired") : null;
  const refusal = policyMessage
    ? { title: "This organization requires a stronger sign-in", message: policyMessage }
    : roleMessage
    ? { title: "Not open to your role", message: roleMessage }
    : planMessage
      ? { title: "That change is not available", message: planMessage }
      : null;
  if (!refusal) return <ErrorPage status={isRouteErrorResponse(error) ? error.status : 500} />;
  return (
    <section className="page page--narrow card" aria-labelledby="refused-title">
      <div className="card__body">
        <p className="eyebrow">Error 403</p>
        <h1 id="refused-title">{refusal.title}</h1>
        <p>{refusal.message}</p>
        <p>{policyMessage ? <Link to="/settings/security">Open your security settings</Link> : <Link to={`/orgs/${slug}`}>Back to the organization</Link>}</p>
      </div>
    </section>
  );
}
