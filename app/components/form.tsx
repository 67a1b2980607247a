// Form building blocks. Every field has a visible label, errors are tied to
// their input with aria-describedby, and nothing needs JavaScript.
import type { ReactNode } from "react";

type FieldProps = {
  label: string;
  name: string;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  defaultValue?: string;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  inputMode?: "numeric" | "email" | "text";
  // No maxLength: a browser cuts pasted text at it without a word. The server
  // checks lengths and says so, with the input kept (docs/style.md).
  readOnly?: boolean;
  pattern?: string;
};

export function Field({ label, name, type = "text", error, hint, ...input }: FieldProps) {
  const id = `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <input id={id} name={name} type={type} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Checkbox({ label, name, defaultChecked }: { label: string; name: string; defaultChecked?: boolean }) {
  return (
    <div className="checkbox">
      <input id={`field-${name}`} type="checkbox" name={name} value="on" defaultChecked={defaultChecked} />
      <label htmlFor={`field-${name}`}>{label}</label>
    </div>
  );
}

/** A message about the whole form; announced by screen readers when it appears. */
export function FormMessage({ tone, children }: { tone: "error" | "success" | "info"; children: ReactNode }) {
  return (
    <div className={`form-message ${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function SubmitButton({ children, name, value, variant = "primary" }: { children: ReactNode; name?: string; value?: string; variant?: "primary" | "secondary" | "danger" }) {
  return (
    <button type="submit" className={`button ${variant}`} name={name} value={value}>
      {children}
    </button>
  );
}
