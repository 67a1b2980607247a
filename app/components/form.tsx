// Form pieces that are not fields: Field, Checkbox and SelectField live in
// field.tsx and select-field.tsx; Alert and Button in their own files.

/** The hidden one-time token of a creating form (see app/.server/form-guards/one-time-form.ts). */
export function FormToken({ value }: { value: string }) {
  return <input type="hidden" name="formToken" value={value} />;
}
