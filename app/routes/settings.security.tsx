import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CredentialSchema, TotpCodeSchema } from "~/.server/accounts/mfa/code-schemas";
import { addPasskey } from "~/.server/accounts/mfa/enrol-passkey";
import { getMfaSummary, removePasskey, removeTotp, turnOffMfa } from "~/.server/accounts/mfa/factors";
import { listPasskeys, renamePasskey } from "~/.server/accounts/mfa/passkeys";
import { notifyTwoFactorChange } from "~/.server/accounts/mfa/notify";
import { replaceRecoveryCodes } from "~/.server/accounts/mfa/recovery-codes";
import { relyingParty } from "~/.server/accounts/mfa/relying-party";
import { isRecentlyAuthenticated, requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { cancelTotpEnrolment, confirmTotpEnrolment, readTotpEnrolment, startTotpEnrolment } from "~/.server/accounts/mfa/totp-factor";
import { requireUser } from "~/.server/auth";
import { orgsRequiringTwoFactor } from "~/.server/orgs/security-policy/check";
import { markSessionSecondFactor } from "~/.server/session";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm, text } from "~/.server/forms";
import { Alert } from "~/components/alert";
import { ConfirmAction } from "~/components/confirm-action";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { Checkbox } from "~/components/select-field";
import { ActionsHeader, Table } from "~/components/table";
import { AddPasskeyForm } from "~/components/passkey-button";

const passkeyName = text("Name", { max: 60 });
const PasskeyId = z.uuid("Unknown passkey.");

// One schema per form: each accepts exactly its own fields.
const Schemas = {
  "totp-start": z.object({ intent: z.literal("totp-start") }),
  "totp-confirm": z.object({ intent: z.literal("totp-confirm"), code: TotpCodeSchema }),
  "totp-cancel": z.object({ intent: z.literal("totp-cancel") }),
  "totp-remove": z.object({ intent: z.literal("totp-remove"), confirm: confirmedField }),
  "codes-regenerate": z.object({ intent: z.literal("codes-regenerate") }),
  "passkey-add": z.object({ intent: z.literal("passkey-add"), name: passkeyName, credential: CredentialSchema }),
  "passkey-rename": z.object({ intent: z.literal("passkey-rename"), passkeyId: PasskeyId, name: passkeyName }),
  "passkey-remove": z.object({ intent: z.literal("passkey-remove"), passkeyId: PasskeyId, confirm: confirmedField }),
  "turn-off": z.object({ intent: z.literal("turn-off"), confirm: z.literal("on", { error: "Tick the box to confirm." }) }),
};
type Intent = keyof typeof Schemas;

// Adding or removing a way in, and new recovery codes, need a proof from the last ten minutes.
const STEP_UP: ReadonlySet<Intent> = new Set(["totp-start", "totp-remove", "codes-regenerate", "passkey-add", "passkey-remove", "turn-off"]);

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireUser(request);
  const db = getDb();
  const [summary, enrolment, passkeys] = await Promise.all([
    getMfaSummary(db, session.user.id),
    readTotpEnrolment(db, session.user, getEnv().PRODUCT_NAME),
    listPasskeys(db, session.user.id),
  ]);
  const requiredBy = summary.enabled ? [] : await orgsRequiringTwoFactor(db, session.user.id, true);
  return {
    requiredBy,
    summary: { enabled: summary.enabled, totpEnabledAt: summary.totp?.enabledAt.toISOString() ?? null, recoveryCodesLeft: summary.recoveryCodesLeft },
    enrolment,
    passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.created_at.toISOString(), lastUsedAt: p.last_used_at?.toISOString() ?? null, synced: p.backed_up })),
    recentlyAuthenticated: isRecentlyAuthenticated(session),
  };
}

type Done = "totp-started" | "totp-on" | "totp-cancelled" | "totp-removed" | "codes-regenerated" | "passkey-added" | "passkey-renamed" | "passkey-removed" | "turned-off";
const ok = (done: Done, recoveryCodes: string[] | null = null) => ({ ok: true as const, done, recoveryCodes });

export async function action({ request }: ActionFunctionArgs) {
  const intent = new URL(request.url).searchParams.get("intent") as Intent | null;
  if (!intent || !(intent in Schemas)) {
    await requireUser(request);
    return formFailure({ formError: "Unknown action." });
  }
  const session = STEP_UP.has(intent) ? await requireRecentAuth(request) : await requireUser(request);
  const userId = session.user.id;
  const db = getDb();
  const form = await readForm(request, Schemas[intent]);
  if (!form.ok) return formFailure(form);

  switch (form.data.intent) {
    case "totp-start": {
      const started = await startTotpEnrolment(db, session.user, getEnv().PRODUCT_NAME);
      if (!started.ok) return formFailure({ formError: "An authenticator app is already set up. Remove it first to set up another." }, 409);
      return ok("totp-started");
    }
    case "totp-confirm": {
      const confirmed = await confirmTotpEnrolment(db, userId, form.data.code);
      if (!confirmed.ok && confirmed.reason === "no-enrolment") return formFailure({ formError: "Start the set-up again: it was cancelled or already finished." }, 409);
      if (!confirmed.ok) return formFailure({ fieldErrors: { code: "That code is not right. Check that your phone's clock is correct and use the newest code." } }, 400);
      // This session just proved the new factor: the orgs that require two-factor open to it.
      await markSessionSecondFactor(db, session, "password+totp");
      return ok("totp-on", confirmed.recoveryCodes);
    }
    case "totp-cancel":
      await cancelTotpEnrolment(db, userId);
      return ok("totp-cancelled");
    case "totp-remove":
      if (await wouldRemoveLastFactorWhileRequired(db, userId, "totp")) return lastFactorRefusal(await orgsRequiringTwoFactor(db, userId));
      if (!(await removeTotp(db, userId)).ok) return formFailure({ formError: "There is no authenticator app to remove." }, 404);
      return ok("totp-removed");
    case "codes-regenerate": {
      const summary = await getMfaSummary(db, userId);
      if (!summary.enabled) return formFailure({ formError: "Turn on two-factor authentication first." }, 409);
      const codes = await db.transaction().execute(async (tx) => {
        const fresh = await replaceRecoveryCodes(tx, userId);
        await notifyTwoFactorChange(tx, userId, "recovery-codes-regenerated", null);
        return fresh;
      });
      return ok("codes-regenerated", codes);
    }
    case "passkey-add": {
      const added = await addPasskey(db, relyingParty(), { userId, name: form.data.name, credential: form.data.credential });
      if (!added.ok) {
        const message =
          added.reason === "already-registered" ? "That passkey is already registered." : added.reason === "expired" ? "The passkey request expired. Try again." : "That passkey could not be verified. Try again.";
        return formFailure({ fieldErrors: { credential: message }, values: { name: form.data.name } }, added.reason === "already-registered" ? 409 : 400);
      }
      await markSessionSecondFactor(db, session, "password+passkey");
      return ok("passkey-added", added.recoveryCodes);
    }
    case "passkey-rename":
      if (!(await renamePasskey(db, userId, form.data.passkeyId, form.data.name))) return formFailure({ formError: "That passkey does not exist." }, 404);
      return ok("passkey-renamed");
    case "passkey-remove":
      if (await wouldRemoveLastFactorWhileRequired(db, userId, "passkey")) return lastFactorRefusal(await orgsRequiringTwoFactor(db, userId));
      if (!(await removePasskey(db, userId, form.data.passkeyId)).ok) return formFailure({ formError: "That passkey does not exist or was already removed." }, 404);
      return ok("passkey-removed");
    case "turn-off": {
      const requiring = await orgsRequiringTwoFactor(db, userId);
      if (requiring.length > 0) return lastFactorRefusal(requiring);
      if (!(await turnOffMfa(db, userId)).ok) return formFailure({ formError: "Two-factor authentication is already off." }, 409);
      return ok("turned-off");
    }
  }
}

// An org that requires two-factor keeps its members from ending up without a factor.
async function wouldRemoveLastFactorWhileRequired(db: ReturnType<typeof getDb>, userId: string, removing: "totp" | "passkey"): Promise<boolean> {
  const summary = await getMfaSummary(db, userId);
  const left = (summary.totp ? 1 : 0) + summary.passkeys - 1;
  if (left > 0 || (removing === "totp" && !summary.totp)) return false;
  return (await orgsRequiringTwoFactor(db, userId)).length > 0;
}

const lastFactorRefusal = (orgs: string[]) =>
  formFailure({ formError: `${orgs.join(", ")} ${orgs.length === 1 ? "requires" : "require"} two-factor authentication: keep at least one authenticator app or passkey while you are a member.` }, 409);

export const meta: MetaFunction = () => [{ title: "Security" }];

const DONE_MESSAGES: Record<Done, string> = {
  "totp-started": "Scan the QR code with your authenticator app, then enter the code it shows.",
  "totp-on": "Your authenticator app is set up.",
  "totp-cancelled": "The set-up was cancelled.",
  "totp-removed": "Your authenticator app was removed.",
  "codes-regenerated": "New recovery codes were made. The old ones no longer work.",
  "passkey-added": "Your passkey was added.",
  "passkey-renamed": "The passkey was renamed.",
  "passkey-removed": "The passkey was removed.",
  "turned-off": "Two-factor authentication is off. Your password alone now signs you in.",
};

const formatTime = (iso: string | null) => (iso ? `${iso.replace("T", " ").slice(0, 16)} UTC` : "never");

function RecoveryCodes({ codes }: { codes: string[] }) {
  const file = `Recovery codes\n\nEach code works once, when you cannot use your authenticator app or passkey.\n\n${codes.join("\n")}\n`;
  return (
    <Card title="Your recovery codes">
      <Alert tone="info">Save these now: they are shown only once. Each code signs you in once if you lose your authenticator app or passkey.</Alert>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`} download="recovery-codes.txt">
          Download as a text file
        </a>
      </p>
    </Card>
  );
}

export default function Security() {
  const { summary, enrolment, passkeys, recentlyAuthenticated, requiredBy } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const sent = searchParams.get("intent");
  const failure = result && !result.ok ? result : undefined;
  const errorsFor = (intent: string) => (failure && sent === intent ? failure : undefined);

  return (
    <Page title="Security" description="Two-factor authentication, recovery codes and passkeys: what it takes, besides your password, to sign in as you.">
      {requiredBy.length > 0 ? (
        <Alert tone="info">
          {requiredBy.join(", ")} {requiredBy.length === 1 ? "requires" : "require"} two-factor authentication. Add an authenticator app or a passkey below; the organization opens to you once you have.
        </Alert>
      ) : null}
      {result?.ok ? <Alert tone="success">{DONE_MESSAGES[result.done]}</Alert> : null}
      {failure?.formError || failure?.fieldErrors.confirm ? <Alert tone="danger">{failure.formError ?? failure.fieldErrors.confirm}</Alert> : null}
      {result?.ok && result.recoveryCodes ? <RecoveryCodes codes={result.recoveryCodes} /> : null}
      {!recentlyAuthenticated ? (
        <Alert tone="info">Changes here ask you to confirm it is you first (your password, a code or a passkey), as your last sign-in was more than ten minutes ago.</Alert>
      ) : null}

      <Card
        title="Two-factor authentication"
        description={
          summary.enabled
            ? "On. Signing in with your password also asks for your authenticator app or a passkey."
            : "Off. Add an authenticator app or a passkey so that a stolen password is not enough to get into your account."
        }
      >
        {summary.enabled ? (
          <Form method="post" action="?intent=turn-off" className="form" noValidate>
            <input type="hidden" name="intent" value="turn-off" />
            <Checkbox label="Remove my authenticator app, passkeys and recovery codes" name="confirm" error={errorsFor("turn-off")?.fieldErrors.confirm} />
            <div className="form-actions">
              <Button variant="danger">Turn off two-factor authentication</Button>
            </div>
          </Form>
        ) : null}
      </Card>

      <Card title="Authenticator app">
        {summary.totpEnabledAt ? (
          <>
            <p>Set up on {formatTime(summary.totpEnabledAt)}.</p>
            <ConfirmAction
              id="totp-remove"
              action="?intent=totp-remove"
              fields={{ intent: "totp-remove" }}
              label="Remove authenticator app"
              triggerVariant="secondary"
              size="normal"
              title="Remove your authenticator app?"
              description="Its codes stop working at once. Your passkeys and recovery codes still count as a second step, if you have them."
              confirmLabel="Remove authenticator app"
            />
          </>
        ) : enrolment ? (
          <>
            <p>Scan this QR code with your authenticator app (1Password, Google Authenticator, Authy, …), or type the key into it. Then enter the 6-digit code it shows.</p>
            {/* Drawn on our server from the otpauth URI (uqr): the secret never leaves for a QR service. */}
            <div className="qr-code" role="img" aria-label="QR code of your authenticator key" dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }} />
            <p>
              Key: <code data-testid="totp-key">{enrolment.formattedKey}</code>
            </p>
            <Form method="post" action="?intent=totp-confirm" className="form" noValidate>
              <input type="hidden" name="intent" value="totp-confirm" />
              <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" required error={errorsFor("totp-confirm")?.fieldErrors.code} />
              <div className="form-actions">
                <Button>Turn on</Button>
              </div>
            </Form>
            <Form method="post" action="?intent=totp-cancel">
              <input type="hidden" name="intent" value="totp-cancel" />
              <Button variant="ghost">Cancel set-up</Button>
            </Form>
          </>
        ) : (
          <Form method="post" action="?intent=totp-start">
            <input type="hidden" name="intent" value="totp-start" />
            <Button>Set up an authenticator app</Button>
          </Form>
        )}
      </Card>

      <Card title="Recovery codes">
        {summary.enabled ? (
          <>
            <p>
              {summary.recoveryCodesLeft} of 10 recovery codes left.{summary.recoveryCodesLeft <= 3 ? " Make new ones before you run out." : ""}
            </p>
            <Form method="post" action="?intent=codes-regenerate">
              <input type="hidden" name="intent" value="codes-regenerate" />
              <Button variant="secondary">Make new recovery codes</Button>
            </Form>
          </>
        ) : (
          <p>You get ten recovery codes when you turn on two-factor authentication.</p>
        )}
      </Card>

      <Card title="Passkeys" description="A passkey signs you in with your fingerprint, face or device PIN, without a password, and counts as your second factor.">
        {passkeys.length > 0 ? (
          <Table caption="Your passkeys" stack>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {passkeys.map((p) => (
                <tr key={p.id}>
                  <td data-label="Name">
                    <Form method="post" action="?intent=passkey-rename" className="inline-field">
                      <input type="hidden" name="intent" value="passkey-rename" />
                      <input type="hidden" name="passkeyId" value={p.id} />
                      <label className="visually-hidden" htmlFor={`passkey-name-${p.id}`}>
                        Name of passkey {p.name}
                      </label>
                      <input id={`passkey-name-${p.id}`} name="name" defaultValue={p.name} className="field__input" />
                      <button type="submit" className="link-button">
                        Rename<span className="visually-hidden"> passkey {p.name}</span>
                      </button>
                    </Form>
                  </td>
                  <td data-label="Added">{formatTime(p.createdAt)}</td>
                  <td data-label="Last used">{formatTime(p.lastUsedAt)}</td>
                  <td className="table__actions">
                    <ConfirmAction
                      id={`passkey-remove-${p.id}`}
                      action="?intent=passkey-remove"
                      fields={{ intent: "passkey-remove", passkeyId: p.id }}
                      label="Remove"
                      context={`passkey ${p.name}`}
                      title={`Remove the passkey “${p.name}”?`}
                      description="It can no longer sign you in or confirm a sign-in. The copy on your device stays until you delete it there."
                      confirmLabel="Remove passkey"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <p className="muted">No passkeys yet.</p>
        )}
        <AddPasskeyForm action="?intent=passkey-add" defaultName="" error={errorsFor("passkey-add")?.fieldErrors.credential} nameError={errorsFor("passkey-add")?.fieldErrors.name} />
      </Card>
    </Page>
  );
}
