import { Form } from "@remix-run/react";

/**
 * A one-button form inside a table row ("Remove", "Revoke", "Retry"). The hidden
 * fields say what it acts on; `context` is read by screen readers after the
 * visible label, so ten "Remove" buttons stay distinguishable.
 */
export function InlineAction({ fields, label, context, action }: { fields: Record<string, string>; label: string; context?: string; action?: string }) {
  return (
    <Form method="post" action={action}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className="link-button">
        {label}
        {context ? <span className="visually-hidden"> {context}</span> : null}
      </button>
    </Form>
  );
}
