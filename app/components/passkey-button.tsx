// Passkeys need JavaScript (the WebAuthn API), so these render nothing until
// the page has hydrated in a browser that has WebAuthn: without JavaScript the
// button is simply absent and the page's ordinary forms do the work.
// The flow: ask /passkeys/options for a challenge, let the browser sign it,
// post the signed answer (JSON in a hidden field) to the page's action.
import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration, WebAuthnAbortService } from "@simplewebauthn/browser";
import { useFetcher, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import { Alert } from "./alert";
import { buttonClass } from "./button";
import { Field } from "./field";

export type PasskeyPurpose = "sign-in" | "second-factor" | "reauthenticate" | "register";

/** Our own answer, worded for the person; shown as it is. */
class OptionsUnavailable extends Error {}

async function fetchOptions(purpose: PasskeyPurpose) {
  const response = await fetch("/passkeys/options", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({ purpose }),
  });
  const body = (await response.json().catch(() => null)) as { options?: unknown; error?: string } | null;
  if (!response.ok || !body?.options) throw new OptionsUnavailable(body?.error ?? "Passkeys are not available right now. Try again in a moment.");
  return body.options;
}

// The browser's own words for a cancelled prompt are not useful to a person.
function describeFailure(error: unknown): string {
  const name = (error as { name?: string }).name;
  if (name === "NotAllowedError" || name === "AbortError") return "The passkey prompt was closed or timed out. Try again when you are ready.";
  if (name === "InvalidStateError") return "This device already has a passkey for your account.";
  if (error instanceof OptionsUnavailable) return error.message;
  return "Your browser could not use a passkey. Try again, or use another way.";
}

function useWebAuthnSupport(): boolean {
  const [supported, setSupported] = useState(false);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);
  return supported;
}

type FetcherResult = { formError?: string; fieldErrors?: Record<string, string> } | undefined;

/**
 * Signs a challenge with a passkey and posts it to `action` with `fields`.
 * `autofill` also offers the account's passkeys in the username field's
 * autofill (conditional UI), where the browser supports it.
 */
export function PasskeyButton({ purpose, action, fields = {}, autofill = false, children }: { purpose: Exclude<PasskeyPurpose, "register">; action: string; fields?: Record<string, string>; autofill?: boolean; children: ReactNode }) {
  const supported = useWebAuthnSupport();
  const fetcher = useFetcher<FetcherResult>();
  const [problem, setProblem] = useState<string | null>(null);
  const fieldsKey = JSON.stringify(fields);

  useEffect(() => {
    if (!supported || !autofill) return;
    let active = true;
    void (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      try {
        const optionsJSON = (await fetchOptions(purpose)) as Parameters<typeof startAuthentication>[0]["optionsJSON"];
        const credential = await startAuthentication({ optionsJSON, useBrowserAutofill: true });
        if (active) fetcher.submit({ ...(JSON.parse(fieldsKey) as Record<string, string>), credential: JSON.stringify(credential) }, { method: "post", action });
      } catch {
        // Autofill is a quiet offer: dismissing it, or the button taking over, is not an error.
      }
    })();
    return () => {
      active = false;
      WebAuthnAbortService.cancelCeremony();
    };
    // fetcher is a new object on each render; the ceremony must start once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [supported, autofill, purpose, action, fieldsKey]);

  if (!supported) return null;
  const failure = problem ?? fetcher.data?.formError ?? fetcher.data?.fieldErrors?.credential ?? null;
  return (
    <div className="stack-sm">
      {/* Not <Button>: its submit guard is for forms, and this one starts a WebAuthn ceremony, not a form. */}
      <button
        type="button"
        className={buttonClass("secondary", "normal", true)}
        disabled={fetcher.state !== "idle"}
        onClick={async () => {
          setProblem(null);
          try {
            const optionsJSON = (await fetchOptions(purpose)) as Parameters<typeof startAuthentication>[0]["optionsJSON"];
            const credential = await startAuthentication({ optionsJSON });
            fetcher.submit({ ...fields, credential: JSON.stringify(credential) }, { method: "post", action });
          } catch (error) {
            setProblem(describeFailure(error));
          }
        }}
      >
        {children}
      </button>
      {failure ? <Alert tone="danger">{failure}</Alert> : null}
    </div>
  );
}

/**
 * Creates a passkey for the signed-in account, named by the person, and sends
 * it to `action` as a navigation (so the page's action data, e.g. new recovery
 * codes, and its errors land on the page itself: pass them back as props).
 */
export function AddPasskeyForm({ action, defaultName, error, nameError }: { action: string; defaultName: string; error?: string; nameError?: string }) {
  const supported = useWebAuthnSupport();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [problem, setProblem] = useState<string | null>(null);
  const [name, setName] = useState(defaultName);
  if (!supported) return <p>Adding a passkey needs JavaScript and a browser that supports passkeys.</p>;
  const failure = problem ?? error ?? null;
  return (
    <form
      className="form"
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        setProblem(null);
        try {
          const optionsJSON = (await fetchOptions("register")) as Parameters<typeof startRegistration>[0]["optionsJSON"];
          const credential = await startRegistration({ optionsJSON });
          submit({ intent: "passkey-add", name, credential: JSON.stringify(credential) }, { method: "post", action });
        } catch (caught) {
          setProblem(describeFailure(caught));
        }
      }}
    >
      <Field
        id="field-passkey-name"
        label="Name of this passkey"
        name="name"
        defaultValue={defaultName}
        onValueChange={setName}
        hint="So you can tell it apart later, e.g. “MacBook Touch ID”."
        error={nameError}
      />
      {/* Not <Button>: its guard would hold a second try after a closed passkey prompt, which never navigates. */}
      <div className="form-actions">
        <button type="submit" className={buttonClass("primary")} disabled={navigation.state !== "idle"}>
          Add a passkey
        </button>
      </div>
      {failure ? <Alert tone="danger">{failure}</Alert> : null}
    </form>
  );
}
