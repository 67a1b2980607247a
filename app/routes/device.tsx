import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { readForm } from "~/.server/forms";
import { decideDeviceRequest, lookUpDeviceRequest, type DeviceLookup, type DeviceRequestView } from "~/.server/identity/device-approval";
import { describeScopes } from "~/.server/identity/scopes";
import { checkSessionForApps } from "~/.server/orgs/security-policy/check";
import { Field, FormMessage, SubmitButton } from "~/components/form";

const DeviceSchema = z.object({
  intent: z.enum(["lookup", "allow", "deny"], { error: "Unknown action." }),
  user_code: z.string({ error: "Enter the code your device shows." }).trim().min(1, "Enter the code your device shows.").max(20, "That is longer than a code."),
});

type Screen =
  | { stage: "enter"; code: string; error?: string }
  | { stage: "confirm"; request: DeviceRequestView & { scopeWords: string[] } }
  | { stage: "done"; decision: "allow" | "deny"; appName: string };

const REFUSALS: Record<Exclude<DeviceLookup, { ok: true }>["reason"], { status: number; message: string }> = {
  unknown: { status: 400, message: "That code is not right. Check it against the one your device shows (letters only, no vowels)." },
  expired: { status: 400, message: "That code has expired. Start the sign-in on your device again to get a new one." },
  used: { status: 400, message: "That code was already used. Start the sign-in on your device again to get a new one." },
  throttled: { status: 429, message: "Too many codes tried. Wait a few minutes, then try again." },
};

function refusal(lookup: Exclude<DeviceLookup, { ok: true }>, code: string) {
  const { status, message } = REFUSALS[lookup.reason];
  const headers = lookup.reason === "throttled" ? { "Retry-After": String(lookup.retryAfterSeconds) } : undefined;
  return data<Screen>({ stage: "enter", code, error: message }, { status, headers });
}

const confirm = (view: DeviceRequestView): Screen => ({ stage: "confirm", request: { ...view, scopeWords: describeScopes(view.scopes) } });

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Signed in first (password, 2FA, passkey); /login brings the person back with the code.
  const { user } = await requireUser(request);
  const code = (new URL(request.url).searchParams.get("user_code") ?? "").slice(0, 20);
  if (!code) return data<Screen>({ stage: "enter", code: "" });
  const lookup = await lookUpDeviceRequest(getDb(), user.id, code, context.clientIp);
  return lookup.ok ? data(confirm(lookup.view)) : refusal(lookup, code);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireUser(request);
  const { user } = session;
  const form = await readForm(request, DeviceSchema);
  if (!form.ok) return data<Screen>({ stage: "enter", code: form.values.user_code ?? "", error: form.formError ?? form.fieldErrors.user_code ?? form.fieldErrors.intent }, { status: 400 });
  const db = getDb();
  const { intent, user_code: code } = form.data;
  if (intent === "lookup") {
    const lookup = await lookUpDeviceRequest(db, user.id, code, context.clientIp);
    return lookup.ok ? data(confirm(lookup.view)) : refusal(lookup, code);
  }
  if (intent === "allow") {
    // A device gets no tokens through a session that does not meet the person's orgs' rules (two-factor, SSO).
    const verdict = await checkSessionForApps(db, session);
    if (!verdict.ok) return data<Screen>({ stage: "enter", code, error: verdict.message }, { status: 403 });
  }
  const decided = await decideDeviceRequest(db, user.id, code, context.clientIp, intent);
  return decided.ok ? data<Screen>({ stage: "done", decision: decided.decision, appName: decided.appName }) : refusal(decided, code);
}

// Looking the code up again after Allow or Deny would only spend the person's attempts.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) => (formMethod ? false : defaultShouldRevalidate);

export const meta: MetaFunction = () => [{ title: "Sign in a device" }];

const formatTime = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default function Device() {
  const loaded = useLoaderData<typeof loader>() as Screen;
  const acted = useActionData<typeof action>() as Screen | undefined;
  const screen = acted ?? loaded;
  return (
    <section className="panel stack" aria-labelledby="device-title">
      {screen.stage === "enter" ? <EnterCode code={screen.code} error={screen.error} /> : null}
      {screen.stage === "confirm" ? <ConfirmDevice request={screen.request} /> : null}
      {screen.stage === "done" ? <Done decision={screen.decision} appName={screen.appName} /> : null}
    </section>
  );
}

function EnterCode({ code, error }: { code: string; error?: string }) {
  return (
    <>
      <h1 id="device-title">Sign in a device</h1>
      <p>Enter the code your device (a command line tool, a TV, a terminal) shows you.</p>
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
      {/* Posted to /device itself: a code left in the address bar is not looked up again. */}
      <Form method="post" action="/device" className="stack" noValidate>
        <input type="hidden" name="intent" value="lookup" />
        <Field label="Code" name="user_code" defaultValue={code} autoComplete="off" hint="8 letters, like BCDF-GHJK. Upper or lower case both work." required />
        <SubmitButton>Continue</SubmitButton>
      </Form>
    </>
  );
}

function ConfirmDevice({ request }: { request: DeviceRequestView & { scopeWords: string[] } }) {
  return (
    <>
      <h1 id="device-title">Sign in {request.appName} on this device?</h1>
      <p>Only continue if you started this sign-in yourself, just now, on a device you are using. If someone sent you this code, deny.</p>
      <dl className="details">
        <dt>App</dt>
        <dd>{request.appName}</dd>
        <dt>Code</dt>
        <dd>{request.userCode}</dd>
        <dt>Device name</dt>
        <dd>{request.hostname ?? "not given"}</dd>
        <dt>Operating system</dt>
        <dd>{request.os ?? "not given"}</dd>
        <dt>App version</dt>
        <dd>{request.cliVersion ?? "not given"}</dd>
        <dt>Requested from IP address</dt>
        <dd>{request.requestIp ?? "unknown"}</dd>
        <dt>Requested at</dt>
        <dd>{formatTime(request.requestedAt)}</dd>
      </dl>
      <h2>It will be able to</h2>
      <ul>
        {request.scopeWords.map((words) => (
          <li key={words}>{words}</li>
        ))}
      </ul>
      <Form method="post" action="/device">
        <input type="hidden" name="user_code" value={request.userCode} />
        <SubmitButton name="intent" value="allow">
          Allow
        </SubmitButton>{" "}
        <SubmitButton name="intent" value="deny" variant="secondary">
          Deny
        </SubmitButton>
      </Form>
    </>
  );
}

function Done({ decision, appName }: { decision: "allow" | "deny"; appName: string }) {
  return decision === "allow" ? (
    <>
      <h1 id="device-title">{appName} is signed in</h1>
      <FormMessage tone="success">You can go back to your device now. To sign it out later, use Settings → Apps and devices.</FormMessage>
    </>
  ) : (
    <>
      <h1 id="device-title">Sign-in denied</h1>
      <FormMessage tone="info">The device was not signed in. If you did not start this, nothing more is needed.</FormMessage>
    </>
  );
}
