import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { inviteEntries, listWaitlist, parseWaitlistQuery } from "~/.server/waitlist/admin";
import { FormMessage, SubmitButton } from "~/components/form";
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
  const exportParams = new URLSearchParams({ q: query.search, filter: query.filter });

  return (
    <div className="stack wide">
      <h1>Waitlist</h1>
      <Form method="get" className="toolbar" role="search">
        <label htmlFor="waitlist-search">Search email, name or company</label>
        <input id="waitlist-search" name="q" type="search" defaultValue={query.search} />
        <label htmlFor="waitlist-filter">Show</label>
        <select id="waitlist-filter" name="filter" defaultValue={query.filter}>
          {FILTERS.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <label htmlFor="waitlist-sort">Sort by</label>
        <select id="waitlist-sort" name="sort" defaultValue={query.sort}>
          {SORTABLE.map((s) => (
            <option key={s} value={s}>
              {s.replace("_at", "").replace("_", " ")}
            </option>
          ))}
        </select>
        <label htmlFor="waitlist-dir">Order</label>
        <select id="waitlist-dir" name="dir" defaultValue={query.direction}>
          <option value="desc">newest / Z first</option>
          <option value="asc">oldest / A first</option>
        </select>
        <SubmitButton variant="secondary">Apply</SubmitButton>
      </Form>
      <p>
        {totalIsAtLeast ? `More than ${total}` : total} {total === 1 && !totalIsAtLeast ? "entry" : "entries"} · <a href={`/admin/waitlist.csv?${exportParams}`}>Export these as CSV</a>
      </p>
      {result?.ok ? <FormMessage tone="success">{`Invited ${result.invited}${result.skipped ? `; ${result.skipped} already invited` : ""}.`}</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError}</FormMessage> : null}
      <Form method="post" className="stack">
        <table>
          <caption className="visually-hidden">Waitlist entries</caption>
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
                <td>{row.email}</td>
                <td>{row.name ?? ""}</td>
                <td>{row.company ?? ""}</td>
                <td>{day(row.created_at)}</td>
                <td>{day(row.confirmed_at)}</td>
                <td>{day(row.invited_at)}</td>
                <td>
                  {row.ip ?? ""}
                  <br />
                  <small>{(row.user_agent ?? "").slice(0, 80)}</small>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length > 0 ? <SubmitButton>Invite selected</SubmitButton> : <p>No entries match.</p>}
      </Form>
      {nextCursor || query.after ? (
        <nav aria-label="Pages" className="toolbar">
          {query.after ? <Link to={linkTo({})}>First page</Link> : null}
          {nextCursor ? <Link to={linkTo({ after: nextCursor })}>Next page</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}
