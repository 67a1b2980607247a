import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { inviteEntries, listWaitlist, parseWaitlistQuery } from "~/.server/waitlist/admin";
import { Alert } from "~/components/alert";
import { StatusBadge } from "~/components/badge";
import { Button, buttonClass } from "~/components/button";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { SelectField } from "~/components/select-field";
import { Page } from "~/components/page";
import { Table } from "~/components/table";
import { FILTERS, SORTABLE } from "~/utils/waitlist-query";

const InviteSchema = z.object({ entryId: z.array(z.uuid("Unknown entry.")).min(1, "Select at least one entry.").max(200) });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const query = parseWaitlistQuery(new URL(request.url).searchParams);
  const { rows, total, totalIsAtLeast, nextCursor } = await listWaitlist(getDb(), query);
  return {
    query,
    total,
    totalIsAtLeast,
    nextCursor,
    rows: rows.map((r) => ({
      ...r,
      created_at: r.created_at.toISOString(),
      confirmed_at: r.confirmed_at?.toISOString() ?? null,
      invited_at: r.invited_at?.toISOString() ?? null,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOperator(request);
  const form = await readForm(request, InviteSchema);
  if (!form.ok) return formFailure({ ...form, formError: form.formError ?? Object.values(form.fieldErrors)[0] });
  const result = await inviteEntries(getDb(), form.data.entryId);
  return { ok: true as const, ...result };
}

export const meta: MetaFunction = () => [{ title: "Waitlist" }];

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

export default function AdminWaitlist() {
  const { rows, query, total, totalIsAtLeast, nextCursor } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const linkTo = (changes: Partial<Record<"q" | "filter" | "sort" | "dir" | "after", string>>) => {
    const params = new URLSearchParams({ q: query.search, filter: query.filter, sort: query.sort, dir: query.direction, ...changes });
    return `/admin/waitlist?${params}`;
  };
  // Past the cap the count stopped: "More than 1000 entries".
  const counted = `${totalIsAtLeast ? `More than ${total}` : total} ${total === 1 && !totalIsAtLeast ? "entry" : "entries"}`;
  const exportParams = new URLSearchParams({ q: query.search, filter: query.filter });

  return (
    <Page
      width="wide"
      title="Waitlist"
      description="The people waiting for an invitation. Invite them in bulk; each gets a sign-up link by email."
      actions={
        <a className={buttonClass("secondary")} href={`/admin/waitlist.csv?${exportParams}`}>
          Export these as CSV
        </a>
      }
    >
      <Form method="get" className="filters" role="search">
        <Field id="waitlist-search" label="Search email, name or company" name="q" type="search" defaultValue={query.search} />
        <SelectField id="waitlist-filter" label="Show" name="filter" defaultValue={query.filter}>
          {FILTERS.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </SelectField>
        <SelectField id="waitlist-sort" label="Sort by" name="sort" defaultValue={query.sort}>
          {SORTABLE.map((s) => (
            <option key={s} value={s}>
              {s.replace("_at", "").replace("_", " ")}
            </option>
          ))}
        </SelectField>
        <SelectField id="waitlist-dir" label="Order" name="dir" defaultValue={query.direction}>
          <option value="desc">newest / Z first</option>
          <option value="asc">oldest / A first</option>
        </SelectField>
        <Button variant="secondary">Apply</Button>
      </Form>
      {result?.ok ? <Alert tone="success">{`Invited ${result.invited}${result.skipped ? `; ${result.skipped} already invited` : ""}.`}</Alert> : null}
      {result && !result.ok ? <Alert tone="danger">{result.formError}</Alert> : null}
      {rows.length === 0 ? (
        <EmptyState title="No entries match">{query.search ? `Nothing matches “${query.search}”.` : "People who join the waitlist on the landing page appear here."}</EmptyState>
      ) : (
        <Form method="post" className="stack">
          <Table caption={`Waitlist entries (${counted})`}>
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Select</span>
                </th>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Company</th>
                <th scope="col">Joined</th>
                <th scope="col">Confirmed</th>
                <th scope="col">Invited</th>
                <th scope="col">IP / browser</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    <input type="checkbox" name="entryId" value={row.id} aria-label={`Select ${row.email}`} disabled={row.invited_at !== null} />
                  </td>
                  <td>
                    <strong>{row.email}</strong>
                  </td>
                  <td>{row.name ?? ""}</td>
                  <td>{row.company ?? ""}</td>
                  <td className="table__nowrap">{day(row.created_at)}</td>
                  <td className="table__nowrap">{row.confirmed_at ? day(row.confirmed_at) : <StatusBadge status="pending">Not yet</StatusBadge>}</td>
                  <td className="table__nowrap">{row.invited_at ? <StatusBadge status="invited">{day(row.invited_at)}</StatusBadge> : ""}</td>
                  <td>
                    {row.ip ?? ""}
                    <div className="muted small">{(row.user_agent ?? "").slice(0, 80)}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <div className="table-footer">
            <span>{counted}</span>
            <Button pendingLabel="Inviting…">Invite selected</Button>
          </div>
        </Form>
      )}
      {nextCursor || query.after ? (
        <nav aria-label="Pages" className="table-footer">
          {query.after ? (
            <Link to={linkTo({})} className={buttonClass("secondary", "small")}>
              First page
            </Link>
          ) : (
            <span />
          )}
          {nextCursor ? (
            <Link to={linkTo({ after: nextCursor })} className={buttonClass("secondary", "small")}>
              Next page
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </Page>
  );
}
