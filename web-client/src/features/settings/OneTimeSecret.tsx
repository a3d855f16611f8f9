// A secret the server shows only once (API token, channel token, invitation link): displayed
// with a copy button and a warning. It lives in component state only, never in the query
// cache, so it is gone as soon as the dialog closes or the page reloads.
import { useState } from "react";
import { Button } from "../../components/ui";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
      window.prompt("Copy this value:", text);
    }
  };
  return (
    <Button onClick={() => void copy()} aria-label={label}>
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}

/** One value with its copy button; `secret` adds the "shown once" styling. */
export function CopyValue({ label, value, secret }: { label: string; value: string; secret?: boolean }) {
  return (
    <div className="stack settings-copy">
      <span className="label">{label}</span>
      <div className={secret ? "secret" : "secret copy-plain"}>
        <code aria-label={label}>{value}</code>
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}

export function ShownOnceWarning({ what }: { what: string }) {
  return (
    <p className="once-warning" role="note">
      Copy {what} now: it is shown only once and cannot be displayed again.
    </p>
  );
}
