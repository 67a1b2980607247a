import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { listUserOrgs } from "~/.server/orgs/orgs";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  return { orgs: await listUserOrgs(getDb(), user.id) };
}

export const meta: MetaFunction = () => [{ title: "Your organizations" }];

export default function Orgs() {
  const { orgs } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>Your organizations</h1>
      {orgs.length === 0 ? <p>You are not in any organization yet.</p> : null}
      <ul>
        {orgs.map((org) => (
          <li key={org.slug}>
            <Link to={`/orgs/${org.slug}`}>{org.name}</Link> <span className="badge">{org.role}</span>
          </li>
        ))}
      </ul>
      <p>
        <Link to="/orgs/new" className="button primary">
          Create an organization
        </Link>
      </p>
    </div>
  );
}
