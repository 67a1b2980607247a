import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { confirmWaitlistEntry } from "~/.server/waitlist/join";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Page } from "~/components/page";

const ConfirmSchema = z.object({});

// The link shows a button instead of confirming on GET, so mail scanners that
// open every link cannot confirm for the visitor.
export const headers: HeadersFunction = () => ({ "Referrer-Policy": "no-referrer" });

export async function loader(_args: LoaderFunctionArgs) {
  return null;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const form = await readForm(request, ConfirmSchema);
  if (!form.ok) return formFailure(form);
  const result = await confirmWaitlistEntry(getDb(), params.token ?? "");
  if (!result.ok) return formFailure({ formError: "This link has expired or was already used." }, 410);
  return { ok: true as const };
}

export const meta: MetaFunction = () => [{ title: "Confirm your place on the waitlist" }];

export default function ConfirmWaitlist() {
  const result = useActionData<typeof action>();
  return (
    <Page width="narrow" title="Confirm your place on the waitlist">
      {result?.ok ? (
        <Alert tone="success">You are confirmed. We will email you when your invitation is ready.</Alert>
      ) : (
        <>
          {result && !result.ok ? <Alert tone="danger">{result.formError}</Alert> : null}
          <Card>
            <Form method="post">
              <Button block>Confirm my place</Button>
            </Form>
          </Card>
        </>
      )}
    </Page>
  );
}
