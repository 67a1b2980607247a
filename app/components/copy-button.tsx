// A value to copy (an API key, a link): a read-only field that selects itself
// when focused, and with JavaScript a Copy button that says when it worked.
// Without JavaScript the field is there to select and copy by hand.
import { useId, useRef, useState } from "react";
import { Button } from "./button";
import { CheckIcon, CopyIcon } from "./icons";
import { useHydrated } from "./use-hydrated";

export function CopyButton({ value, label }: { value: string; label: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);

  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Older or insecure contexts: the selected text copies the old way.
      document.execCommand("copy");
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2_500);
  }

  return (
    <div className="stack-sm">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <div className="copy-field">
        <input ref={input} id={id} className="copy-field__input" readOnly value={value} onFocus={(event) => event.currentTarget.select()} spellCheck={false} autoComplete="off" />
        {hydrated ? (
          <Button type="button" variant="secondary" onClick={copy}>
            {copied ? <CheckIcon /> : <CopyIcon />}
            {copied ? "Copied" : "Copy"}
            <span className="visually-hidden"> {label}</span>
          </Button>
        ) : null}
      </div>
      <p className="field__hint" role="status">
        {hydrated ? (copied ? "Copied to the clipboard." : "") : "Select the text in the box and copy it."}
      </p>
    </div>
  );
}
