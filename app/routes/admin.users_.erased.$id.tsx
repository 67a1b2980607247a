import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { findDeletionReach } from "~/.server/events/deletion-reach";
import { Alert } from "~/components/alert";
import { StatusBadge } from "~/components/badge";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { Table } from "~/components/table";

// "Deletion that reaches the apps": once an account is erased, all that is
// left of it here is its id and, per instance endpoint, whether user.deleted
// was delivered.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOperator(request);
  const id = params.id ?? "";
  if (!z.uuid().safeParse(id).success) throw new Response("Not Found", { status: 404 });
  // No user.deleted was recorded: no endpoint listened, or the account is not erased.
  const reach = await findDeletionReach(getDb(), id);
  if (!reach) throw new Response("Not Found", { status: 404 });
  return {
    id,
    erasedAt: reach.erasedAt.toISOString(),
    endpoints: reach.endpoints.map((e) => ({ ...e, deliveredAt: e.deliveredAt?.toISOString() ?? null })),
  };
}

export const meta: MetaFunction = () => [{ title: "Erased account — Users" }];

const STATUS_WORDS = { delivered: "Delivered", pending: "On its way", failed: "Not delivered (gave up)", "not-sent": "Queued" } as const;

export default function ErasedUser() {
  const { id, erasedAt, endpoints } = useLoaderData<typeof loader>();
  const allDelivered = endpoints.length > 0 && endpoints.every((e) => e.status === "delivered");
  return (
    <Page title="Erased account" eyebrow={<Link to="/admin/users">Users</Link>} description={<>Account <code>{id}</code> was erased <RelativeTime iso={erasedAt} />. Nothing else about it is kept.</>}>
      <div className="stack">
        {allDelivered ? <Alert tone="success">Every connected app has been told (user.deleted was delivered).</Alert> : null}
        <Card title="Connected apps told" description="Each of your event endpoints that listens for user.deleted, and whether it received it.">
          {endpoints.length === 0 ? (
            <p>No endpoint listens for user.deleted any more.</p>
          ) : (
            <Table caption="user.deleted deliveries" stack>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">user.deleted</th>
                  <th scope="col">Tries</th>
                  <th scope="col">Delivered</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((e) => (
                  <tr key={e.url}>
                    <td data-label="Endpoint">
                      <code>{e.url}</code>
                    </td>
                    <td data-label="user.deleted">
                      <StatusBadge status={e.status === "not-sent" ? "queued" : e.status}>{STATUS_WORDS[e.status]}</StatusBadge>
                    </td>
                    <td data-label="Tries">{e.attempts}</td>
                    <td data-label="Delivered">
                      <RelativeTime iso={e.deliveredAt} fallback="Not yet" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
        <p>
          <Link to="/admin/events">See every delivery on the Events page</Link>
        </p>
      </div>
    </Page>
  );
}
