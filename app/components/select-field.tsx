// A labelled <select> and a checkbox: Field's siblings, in their own module so
// pages without them (the landing page) do not download them.
import type { ReactNode } from "react";

/** A labelled <select>; options are its children. */
export function SelectField({ label, name, id: givenId, error, hint, defaultValue, children, required }: { label: ReactNode; name: string; id?: string; error?: string; hint?: ReactNode; defaultValue?: string; children: ReactNode; required?: boolean }) {
  const id = givenId ?? `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
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
      <select id={id} name={name} className="field__input" defaultValue={defaultValue} required={required} aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
        {children}
      </select>
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Checkbox({ label, name, defaultChecked, value = "on", id, error }: { label: ReactNode; name: string; defaultChecked?: boolean; value?: string; id?: string; error?: string }) {
  const inputId = id ?? `field-${name}`;
  const box = (
    <div className="checkbox">
      <input id={inputId} type="checkbox" name={name} value={value} defaultChecked={defaultChecked} aria-invalid={error ? true : undefined} aria-describedby={error ? `${inputId}-error` : undefined} />
      <label htmlFor={inputId}>{label}</label>
    </div>
  );
  if (!error) return box;
  return (
    <div className="field">
      {box}
      <p className="field__error" id={`${inputId}-error`}>
        {error}
      </p>
    </div>
  );
}

/**
 * Checkboxes or radios under one legend, with the group's error. With
 * `sendsEmpty`, the name is sent even when nothing is ticked, so "none" reaches
 * the form's check as an answer rather than as a missing field.
 */
export function Fieldset({ legend, name, sendsEmpty = false, error, children }: { legend: ReactNode; name: string; sendsEmpty?: boolean; error?: string; children: ReactNode }) {
  const errorId = `field-${name}-error`;
  return (
    <fieldset className="fieldset" aria-describedby={error ? errorId : undefined}>
      <legend className="field__label">{legend}</legend>
      {sendsEmpty ? <input type="hidden" name={name} value="" /> : null}
      {children}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
