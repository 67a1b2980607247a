import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formTokenField, newFormToken, oncePerRender } from "~/.server/form-guards/one-time-form";
import { formFailure, readForm, text } from "~/.server/forms";
import { createOrg, slugProblem } from "~/.server/orgs/orgs";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { FormToken } from "~/components/form";
import { Page } from "~/components/page";

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
  formToken: formTokenField,
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return { formToken: newFormToken() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireUser(request);
  const form = await readForm(request, NewOrgSchema);
  if (!form.ok) return formFailure(form);
  const run = await oncePerRender(
    getDb(),
    { token: form.data.formToken, userId: user.id, purpose: "org" },
    () => createOrg(getDb(), { name: form.data.name, slug: form.data.slug, owner: { userId: user.id, label: user.email }, ip: context.clientIp }),
    (outcome) => (outcome.ok ? outcome.slug : null),
  );
  // The same form sent twice: the first made the org; go to it.
  if (run.repeated) throw redirect(run.result ? `/orgs/${run.result}` : "/orgs");
  const result = run.value;
  if (!result.ok && result.reason === "solo-limit") {
    return formFailure({ formError: "On the free Solo plan you can own one organization. Upgrade it to Team on its Billing page to create more.", values: form.values }, 403);
  }
  if (!result.ok) return formFailure({ fieldErrors: { slug: "That address is taken. Choose another." }, values: form.values }, 409);
  throw redirect(`/orgs/${result.slug}`);
}

export const meta: MetaFunction = () => [{ title: "Create an organization" }];

export default function NewOrg() {
  const { formToken } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const problem = failure?.formError ?? failure?.fieldErrors.formToken;
  return (
    <Page width="narrow" title="Create an organization" description="An organization holds your team, its API keys, its audit history and its billing.">
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <Card>
        <Form method="post" className="form" noValidate>
          <FormToken value={formToken} />
          <Field label="Name" name="name" required autoComplete="organization" defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
          <Field label="Address" name="slug" required hint="Lowercase letters, digits and hyphens: /orgs/your-address" defaultValue={failure?.values.slug} error={failure?.fieldErrors.slug} spellCheck={false} />
          <div className="form-actions">
            <Button pendingLabel="Creating…">Create organization</Button>
          </div>
        </Form>
      </Card>
    </Page>
  );
}
