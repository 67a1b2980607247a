// Buttons and button-looking links. A submit Button guards its form: once the
// form is sent, a second submit (a double click, Enter twice) is dropped in the
// browser, and the button shows a spinner and is disabled until the page has
// the answer. The server does not rely on this: creating forms also carry a
// one-time token (app/.server/form-guards/one-time-form.ts).
import { Link, useFetchers, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState, type ComponentProps, type ReactNode } from "react";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";
export type ButtonSize = "normal" | "small";

export function buttonClass(variant: ButtonVariant = "primary", size: ButtonSize = "normal", block = false): string {
  return `button button--${variant}${size === "small" ? " button--small" : ""}${block ? " button--block" : ""}`;
}

type ButtonProps = {
  children: ReactNode;
  variant?: ButtonVariant;
  size?: ButtonSize;
  block?: boolean;
  type?: "submit" | "button";
  name?: string;
  value?: string;
  /** Read after the visible label by screen readers ("Revoke" + " CI deploys"). */
  context?: string;
  /** Shown instead of the label while the form is being sent. */
  pendingLabel?: ReactNode;
  onClick?: ComponentProps<"button">["onClick"];
  disabled?: boolean;
  form?: string;
  "aria-label"?: string;
  "aria-haspopup"?: "dialog";
};

export function Button({ children, variant = "primary", size = "normal", block = false, type = "submit", context, pendingLabel, disabled, ...rest }: ButtonProps) {
  const ref = useRef<HTMLButtonElement>(null);
  const pending = useSubmitGuard(ref, type === "submit");
  return (
    <button ref={ref} type={type} className={buttonClass(variant, size, block)} disabled={disabled || pending} aria-busy={pending || undefined} {...rest}>
      {pending ? <span className="spinner" aria-hidden="true" /> : null}
      {pending && pendingLabel ? pendingLabel : children}
      {context ? <span className="visually-hidden"> {context}</span> : null}
    </button>
  );
}

/** A link that looks like a button (for navigation, never for changes). */
export function ButtonLink({ to, children, variant = "primary", size = "normal", block = false, reloadDocument }: { to: string; children: ReactNode; variant?: ButtonVariant; size?: ButtonSize; block?: boolean; reloadDocument?: boolean }) {
  return (
    <Link to={to} className={buttonClass(variant, size, block)} reloadDocument={reloadDocument}>
      {children}
    </Link>
  );
}

// Forms whose submission is under way, with the submit event that started it.
const sending = new WeakMap<HTMLFormElement, Event>();
// A download (a form answered with a file) never navigates; stop waiting after this long.
const NO_NAVIGATION_RELEASE_MS = 4_000;

function useSubmitGuard(ref: React.RefObject<HTMLButtonElement | null>, isSubmit: boolean): boolean {
  const [pending, setPending] = useState(false);
  const navigation = useNavigation();
  const fetchers = useFetchers();
  const busy = navigation.state !== "idle" || fetchers.some((fetcher) => fetcher.state !== "idle");
  const sawBusy = useRef(false);

  useEffect(() => {
    if (busy) {
      sawBusy.current = true;
      return;
    }
    if (!sawBusy.current) return;
    sawBusy.current = false;
    const form = ref.current?.form;
    if (form) sending.delete(form);
    setPending(false);
  }, [busy, ref]);

  useEffect(() => {
    const button = ref.current;
    const form = button?.form;
    if (!isSubmit || !button || !form) return;
    let release: ReturnType<typeof setTimeout> | undefined;
    // Runs on the form itself, before React's handler at the document root, so
    // stopping the event here keeps Remix from sending a second request.
    const onSubmit = (event: SubmitEvent) => {
      const started = sending.get(form);
      if (started && started !== event) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      sending.set(form, event);
      if (event.submitter !== button && !(event.submitter === null && form.querySelectorAll("button[type=submit]").length === 1)) return;
      // Disabled after this event is done: a button disabled now would drop its name and value from the form data.
      setTimeout(() => setPending(true), 0);
      release = setTimeout(() => {
        if (sawBusy.current) return;
        sending.delete(form);
        setPending(false);
      }, NO_NAVIGATION_RELEASE_MS);
    };
    form.addEventListener("submit", onSubmit);
    return () => {
      form.removeEventListener("submit", onSubmit);
      clearTimeout(release);
    };
  }, [isSubmit, ref]);

  return pending;
}
