import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { requireUser } from "~/.server/auth";
import { buttonClass } from "~/components/button";
import { Card } from "~/components/card";
import { Page } from "~/components/page";

// The file itself is served by settings.export[.json].tsx.
const DOWNLOAD_PATH = "/settings/export.json";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export const meta: MetaFunction = () => [{ title: "Download your data" }];

export default function ExportData() {
  return (
    <Page title="Download your data" description="A copy of everything this portal stores about you, as one JSON file.">
      <Card
        title="What the file holds"
        footer={
          // A plain link, not <Link>: the browser saves the attachment and stays on this page.
          <a className={buttonClass("primary")} href={DOWNLOAD_PATH}>
            Download my data (JSON)
          </a>
        }
      >
        <p>
          Your profile, your sessions (when and from where, never the keys), your organization memberships, the invitations you sent and received, your waitlist entry, the actions
          you took in organizations&apos; audit histories, and the emails we sent you (subject and status, not their content).
        </p>
        <p className="muted">It holds nothing about other people beyond what you already see in the portal. You can download it 5 times an hour.</p>
      </Card>
      <Card title="Leaving?" tone="danger">
        <p>
          You can delete your account at any time. <Link to="/settings/delete-account">Delete your account</Link>
        </p>
      </Card>
    </Page>
  );
}
