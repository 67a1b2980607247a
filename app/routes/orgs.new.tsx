import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm, text } from "~/.server/forms";
import { createOrg, slugProblem } from "~/.server/orgs/orgs";
import { Field, FormMessage, SubmitButton } from "~/components/form";

const NewOrgSchema = z.object({
  name: text("Name", { max: 100 }),
  slug: z
    .string({ error: "Choose an address." })
    .trim()
    .toLowerCase()
    .superRefine((value, ctx) => {
      const problem = slugProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireUser(request);
  const form = await readForm(request, NewOrgSchema);
  if (!form.ok) return formFailure(form);
  const result = await createOrg(getDb(), { name: form.data.name, slug: form.data.slug, owner: { userId: user.id, label: user.email }, ip: context.clientIp });
  if (!result.ok && result.reason === "solo-limit") {
    return formFailure({ formError: "On the free Solo plan you can own one organization. Upgrade it to Team on its Billing page to create more.", values: form.values }, 403);
  }
  if (!result.ok) return formFailure({ fieldErrors: { slug: "That address is taken. Choose another." }, values: form.values }, 409);
  throw redirect(`/orgs/${result.slug}`);
}

export const meta: MetaFunction = () => [{ title: "Create an organization" }];

export default function NewOrg() {
  const failure = useActionData<typeof action>();
  return (
    <section className="panel stack" aria-labelledby="new-org-title">
      <h1 id="new-org-title">Create an organization</h1>
      {failure?.formError ? <FormMessage tone="error">{failure.formError}</FormMessage> : null}
      <Form method="post" className="stack" noValidate>
        <Field label="Name" name="name" required defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
        <Field label="Address" name="slug" required hint="Lowercase letters, digits and hyphens: /orgs/your-address" defaultValue={failure?.values.slug} error={failure?.fieldErrors.slug} />
        <SubmitButton>Create</SubmitButton>
      </Form>
    </section>
  );
}
