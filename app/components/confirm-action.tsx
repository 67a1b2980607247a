// Every destructive action goes through here. With JavaScript the trigger opens
// a native <dialog> that names what will happen; without it the trigger is a
// link to the same page with ?confirm=<id>, which shows the confirmation step
// in place. Either way the form sends confirm=yes, which the server requires
// (app/.server/form-guards/confirmation.ts): a bare POST changes nothing.
// Irreversible actions also ask to type the target's name.
import { Form, Link, useFormAction, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Button, buttonClass, type ButtonSize, type ButtonVariant } from "./button";
import { Field } from "./field";
import { useHydrated } from "./use-hydrated";

export type ConfirmActionProps = {
  /** Unique on the page and stable across renders, e.g. `revoke-${key.id}`. */
  id: string;
  /** The trigger's visible text ("Revoke"). */
  label: ReactNode;
  /** Read by screen readers after the label, so ten "Revoke" triggers differ. */
  context?: string;
  /** The question: "Revoke the key CI deploys?" */
  title: string;
  /** What will happen, and whether it can be undone. */
  description: ReactNode;
  /** The confirming button ("Revoke key"). */
  confirmLabel: string;
  /** Hidden fields the action needs (intent, ids). */
  fields?: Record<string, string>;
  /** Where to post; defaults to this route's own action. */
  action?: string;
  /** For irreversible actions: the name the person must type. */
  typeToConfirm?: string;
  triggerVariant?: ButtonVariant;
  confirmVariant?: ButtonVariant;
  size?: ButtonSize;
};

export const CONFIRM_PARAM = "confirm";

export function ConfirmAction(props: ConfirmActionProps) {
  const hydrated = useHydrated();
  const location = useLocation();
  const stepOpen = new URLSearchParams(location.search).get(CONFIRM_PARAM) === props.id;
  if (stepOpen) return <ConfirmStep {...props} />;
  return hydrated ? <ConfirmDialog {...props} /> : <ConfirmLink {...props} />;
}

/** Without JavaScript: a link to this page showing the confirmation step. */
function ConfirmLink({ id, label, context, triggerVariant = "danger", size = "small" }: ConfirmActionProps) {
  const location = useLocation();
  const search = new URLSearchParams(location.search);
  search.set(CONFIRM_PARAM, id);
  return (
    <Link to={`${location.pathname}?${search.toString()}#confirm-${id}`} className={buttonClass(triggerVariant, size)} preventScrollReset>
      {label}
      {context ? <span className="visually-hidden"> {context}</span> : null}
    </Link>
  );
}

/** The confirmation step, shown in place of the trigger when the page was opened with ?confirm=<id>. */
function ConfirmStep(props: ConfirmActionProps) {
  const location = useLocation();
  const search = new URLSearchParams(location.search);
  search.delete(CONFIRM_PARAM);
  const back = `${location.pathname}${search.size > 0 ? `?${search.toString()}` : ""}`;
  const headingId = useId();
  return (
    <section id={`confirm-${props.id}`} className="confirm-step" aria-labelledby={headingId}>
      <ConfirmForm {...props} headingId={headingId} cancel={<Link to={back} className={buttonClass("secondary")}>Cancel</Link>} />
    </section>
  );
}

/** With JavaScript: a button that opens a modal dialog holding the form. */
function ConfirmDialog(props: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const navigation = useNavigation();
  const submitted = useRef(false);
  // Close once the page has the action's answer (the answer shows in its alert).
  useEffect(() => {
    if (navigation.state === "idle" && submitted.current) {
      submitted.current = false;
      dialog.current?.close();
    }
  }, [navigation.state]);
  return (
    <>
      <Button type="button" variant={props.triggerVariant ?? "danger"} size={props.size ?? "small"} context={props.context} aria-haspopup="dialog" onClick={() => dialog.current?.showModal()}>
        {props.label}
      </Button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={headingId}>
        <ConfirmForm
          {...props}
          headingId={headingId}
          onSubmitted={() => {
            submitted.current = true;
          }}
          cancel={
            <Button type="button" variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
          }
        />
      </dialog>
    </>
  );
}

function ConfirmForm({
  id,
  title,
  description,
  confirmLabel,
  fields = {},
  action,
  typeToConfirm,
  confirmVariant = "danger",
  headingId,
  cancel,
  onSubmitted,
}: ConfirmActionProps & { headingId: string; cancel: ReactNode; onSubmitted?: () => void }) {
  const formAction = useFormActionWithoutConfirm(action);
  const hydrated = useHydrated();
  const [typed, setTyped] = useState("");
  const matches = typeToConfirm === undefined || typed.trim() === typeToConfirm.trim();
  return (
    <Form method="post" action={formAction} className="confirm-panel" onSubmit={onSubmitted}>
      <h2 className="confirm-panel__title" id={headingId}>
        {title}
      </h2>
      <div className="confirm-panel__body">{typeof description === "string" ? <p>{description}</p> : description}</div>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <input type="hidden" name="confirm" value="yes" />
      {typeToConfirm !== undefined ? (
        <Field
          id={`confirm-text-${id}`}
          name="confirmText"
          label={
            <>
              Type <strong>{typeToConfirm}</strong> to confirm
            </>
          }
          autoComplete="off"
          spellCheck={false}
          required
          onValueChange={setTyped}
        />
      ) : null}
      <div className="form-actions">
        <Button variant={confirmVariant} disabled={hydrated && !matches}>
          {confirmLabel}
        </Button>
        {cancel}
      </div>
    </Form>
  );
}

function useFormActionWithoutConfirm(action: string | undefined): string {
  const target = useFormAction(action);
  const [path, query = ""] = target.split("?");
  const search = new URLSearchParams(query);
  search.delete(CONFIRM_PARAM);
  return search.size > 0 ? `${path}?${search.toString()}` : path!;
}

/**
 * The submit button of a form whose fields are the action (publish a notice):
 * with JavaScript it opens a dialog whose confirming button submits the form
 * with confirm=yes; without it, it submits without, and the server answers
 * with a confirmation step (render <ServerConfirmationStep> then).
 */
export function ConfirmSubmit({ label, title, description, confirmLabel, variant = "primary" }: { label: string; title: string; description: ReactNode; confirmLabel: string; variant?: ButtonVariant }) {
  const hydrated = useHydrated();
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const navigation = useNavigation();
  useEffect(() => {
    if (navigation.state === "idle") dialog.current?.close();
  }, [navigation.state]);
  if (!hydrated) return <Button variant={variant}>{label}</Button>;
  return (
    <>
      <Button type="button" variant={variant} aria-haspopup="dialog" onClick={() => dialog.current?.showModal()}>
        {label}
      </Button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={headingId}>
        <div className="confirm-panel">
          <h2 className="confirm-panel__title" id={headingId}>
            {title}
          </h2>
          <div className="confirm-panel__body">{typeof description === "string" ? <p>{description}</p> : description}</div>
          <div className="form-actions">
            <Button name="confirm" value="yes" variant="danger">
              {confirmLabel}
            </Button>
            <Button type="button" variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
          </div>
        </div>
      </dialog>
    </>
  );
}

/** The confirmation step the server asks for when a form came without confirm=yes: the same values, sent again with it. */
export function ServerConfirmationStep({ title, description, confirmLabel, fields, action, cancelHref }: { title: string; description: ReactNode; confirmLabel: string; fields: Record<string, string>; action?: string; cancelHref: string }) {
  const headingId = useId();
  return (
    <section className="confirm-step" aria-labelledby={headingId}>
      <ConfirmForm id="server-step" title={title} description={description} confirmLabel={confirmLabel} label={confirmLabel} fields={fields} action={action} headingId={headingId} cancel={<Link to={cancelHref} className={buttonClass("secondary")}>Cancel</Link>} />
    </section>
  );
}
