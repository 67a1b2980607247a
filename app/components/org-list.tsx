// The organizations a person belongs to, each with its address, plan and their
// role: the same list on /home and /orgs.
import { Link } from "@remix-run/react";
import { PlanBadge, RoleBadge } from "./badge";

export type OrgListItem = { slug: string; name: string; plan: string; role: string };

export function OrgList({ orgs }: { orgs: OrgListItem[] }) {
  return (
    <ul className="link-list">
      {orgs.map((org) => (
        <li key={org.slug}>
          <span className="link-list__main">
            <Link to={`/orgs/${org.slug}`}>{org.name}</Link>
            <span className="link-list__meta">/orgs/{org.slug}</span>
          </span>
          <span className="cluster">
            <PlanBadge plan={org.plan} />
            <RoleBadge role={org.role} />
          </span>
        </li>
      ))}
    </ul>
  );
}
