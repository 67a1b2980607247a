// A labelled form control with its hint, its error and, where there is a
// limit, a character count. The error and hint are tied to the control with
// aria-describedby; nothing here needs JavaScript (the count updates with it).
import { useState, type ReactNode } from "react";

type FieldProps = {
  label: ReactNode;
  name: string;
  id?: string;
  type?: "text" | "email" | "password" | "url" | "search" | "number" | "date" | "datetime-local" | "tel";
  autoComplete?: string;
  defaultValue?: string;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  inputMode?: "numeric" | "email" | "text" | "url" | "search";
  /**
   * The server's limit, shown as a live "N / max" count. Never passed to the
   * input as `maxlength`: a browser cuts pasted text at it without a word, so
   * the server says what is too long instead (ADR 0012).
   */
  maxLength?: number;
  minLength?: number;
  readOnly?: boolean;
  pattern?: string;
  placeholder?: string;
  spellCheck?: boolean;
  autoFocus?: boolean;
  min?: string;
  max?: string;
  /** A multi-line text box instead of a one-line input. */
  multiline?: boolean;
  rows?: number;
  /** Hides the "N / max" count (a code field has a length, not a limit to watch). */
  hideCount?: boolean;
  onValueChange?: (value: string) => void;
};

export function Field({ label, name, id: givenId, type = "text", error, hint, multiline, rows, maxLength, hideCount, defaultValue, onValueChange, ...input }: FieldProps) {
  const id = givenId ?? `field-${name}`;
  const [length, setLength] = useState([...(defaultValue ?? "")].length);
  const showCount = maxLength !== undefined && !hideCount && type !== "password" && !input.readOnly;
  const describedBy = [hint ? `${id}-hint` : null, showCount ? `${id}-count` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name,
    className: "field__input",
    defaultValue,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    onChange: (event: { currentTarget: { value: string } }) => {
      setLength([...event.currentTarget.value].length);
      onValueChange?.(event.currentTarget.value);
    },
  };
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {multiline ? <textarea rows={rows ?? 5} {...common} {...input} /> : <input type={type} {...common} {...input} />}
      {showCount ? (
        <p className="field__count" id={`${id}-count`} data-over={length > maxLength ? "true" : undefined}>
          {length} / {maxLength}
          <span className="visually-hidden"> characters</span>
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

