// Kept for code written against the first form helpers: the design system's
// Field, Alert and Button under their old names. New code imports those directly.
import type { ReactNode } from "react";
import { Alert } from "./alert";
import { Button } from "./button";

// No maxLength anywhere: a browser cuts pasted text at it without a word. The
// server checks lengths and says so, with the input kept (docs/style.md).
export { Field } from "./field";
export { Checkbox, SelectField } from "./select-field";

/** A message about the whole form: Alert with the old tone names. */
export function FormMessage({ tone, children }: { tone: "error" | "success" | "info" | "warning"; children: ReactNode }) {
  return <Alert tone={tone === "error" ? "danger" : tone}>{children}</Alert>;
}

export function SubmitButton({ children, name, value, variant = "primary" }: { children: ReactNode; name?: string; value?: string; variant?: "primary" | "secondary" | "danger" | "ghost" }) {
  return (
    <Button name={name} value={value} variant={variant}>
      {children}
    </Button>
  );
}

/** The hidden one-time token of a creating form (see app/.server/form-guards/one-time-form.ts). */
export function FormToken({ value }: { value: string }) {
  return <input type="hidden" name="formToken" value={value} />;
}
