// Closing a conversation (one or many): asks for the closing note the workspace's
// closing-notes mode wants, and shows the server's own message when it refuses.
import { useId, useState, type FormEvent } from "react";
import { ApiError, type Schemas } from "../../api/client";
import { Modal } from "../../components/Modal";
import { Button, FormError } from "../../components/ui";
import { useCategories } from "./api";

export type ClosingNote = { category?: string; summary?: string };
type Mode = Schemas["ClosingNotesModeName"];

export function CloseDialog({
  open,
  mode,
  subject,
  onSubmit,
  onClose,
}: {
  open: boolean;
  mode: Mode;
  /** Who is being closed, e.g. "Maria Customer" or "3 conversations". */
  subject: string;
  onSubmit: (note: ClosingNote) => Promise<unknown>;
  onClose: () => void;
}) {
  return (
    <Modal title="Close conversation" open={open} onClose={onClose}>
      {/* Remounted on every opening, so a previous attempt leaves nothing behind. */}
      {open ? <CloseForm mode={mode} subject={subject} onSubmit={onSubmit} onClose={onClose} /> : null}
    </Modal>
  );
}

function CloseForm({
  mode,
  subject,
  onSubmit,
  onClose,
}: {
  mode: Mode;
  subject: string;
  onSubmit: (note: ClosingNote) => Promise<unknown>;
  onClose: () => void;
}) {
  const id = useId();
  const [category, setCategory] = useState("");
  const [summary, setSummary] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const withNote = mode !== "disabled";
  const categoryRequired = mode === "category_required" || mode === "category_and_summary_required";
  const summaryRequired = mode === "category_and_summary_required";
  const categories = useCategories();
  const chosen = categories.data?.find((c) => c.name === category);

  const fieldError = (name: string) => (error instanceof ApiError ? error.field(name) : undefined);
  const categoryError = fieldError("category");
  const summaryError = fieldError("summary");

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const note: ClosingNote = {};
      if (withNote && category) note.category = category;
      if (withNote && summary.trim()) note.summary = summary.trim();
      await onSubmit(note);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form close-form" onSubmit={(e) => void submit(e)} noValidate>
      <p className="muted">
        Close the conversation with <strong>{subject}</strong>.
        {withNote ? null : " This workspace takes no closing notes."}
      </p>
      {withNote ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-category`}>
              Category {categoryRequired ? <span className="required">(required)</span> : <span className="muted">(optional)</span>}
            </label>
            <select
              id={`${id}-category`}
              value={category}
              onChange={(e) => setCategory(e.target.value)}
              aria-invalid={categoryError ? true : undefined}
              aria-describedby={`${id}-category-help`}
            >
              <option value="">{categories.isPending ? "Loading categories…" : "No category"}</option>
              {categories.data?.map((c) => (
                <option key={c.id} value={c.name} title={c.description}>
                  {c.description ? `${c.name} — ${c.description}` : c.name}
                </option>
              ))}
            </select>
            <div id={`${id}-category-help`}>
              {categoryError ? (
                <div className="field-error" role="alert">
                  Category {categoryError}
                </div>
              ) : chosen?.description ? (
                <div className="hint">{chosen.description}</div>
              ) : categories.data?.length === 0 ? (
                <div className="hint">No closing-note categories yet; managers add them in Settings.</div>
              ) : null}
            </div>
          </div>
          <div className="field">
            <label htmlFor={`${id}-summary`}>
              Summary {summaryRequired ? <span className="required">(required)</span> : <span className="muted">(optional)</span>}
            </label>
            <textarea
              id={`${id}-summary`}
              rows={3}
              maxLength={1000}
              value={summary}
              onChange={(e) => setSummary(e.target.value)}
              aria-invalid={summaryError ? true : undefined}
            />
            {summaryError ? (
              <div className="field-error" role="alert">
                Summary {summaryError}
              </div>
            ) : null}
          </div>
        </>
      ) : null}
      {error && !categoryError && !summaryError ? <FormError error={error} /> : null}
      <div className="row close-form-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          Close conversation
        </Button>
      </div>
    </form>
  );
}
