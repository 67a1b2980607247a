import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { requireUser } from "~/.server/auth";

// The file itself is served by settings.export[.json].tsx.
const DOWNLOAD_PATH = "/settings/export.json";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export const meta: MetaFunction = () => [{ title: "Download your data" }];

export default function ExportData() {
  return (
    <div className="stack">
      <h1>Download your data</h1>
      <p>
        One JSON file with everything this portal stores about you: your profile, your sessions (when and from where, never the
        keys), your organization memberships, the invitations you sent and received, your waitlist entry, the actions you took
        in organizations&apos; audit histories, and the emails we sent you (subject and status, not their content).
      </p>
      <p>It holds nothing about other people beyond what you already see in the portal. You can download it 5 times an hour.</p>
      <p>
        {/* A plain link, not <Link>: the browser saves the attachment and stays on this page. */}
        <a className="button primary" href={DOWNLOAD_PATH}>
          Download my data (JSON)
        </a>
      </p>
      <p>
        <Link to="/settings">Back to settings</Link>
      </p>
    </div>
  );
}
