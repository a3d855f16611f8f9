// Merge suggestions: pairs of contacts sharing an e-mail or phone. The person picks which
// contact is kept (the primary keeps its values and takes the other's channels, history,
// tags and missing fields), confirms, and lands on the merged contact.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { toast } from "../../components/Toasts";
import { Avatar, Button, EmptyState, ErrorState, Spinner } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { canManage, useRole } from "../../lib/session";
import { useMergeSuggestions, type Contact } from "./queries";
import "./contacts.css";

type Suggestion = Schemas["MergeSuggestion"];

const reasonText = (r: string) => (r === "email" ? "Same e-mail" : r === "phone" ? "Same phone" : r);

export function MergePage() {
  const manager = canManage(useRole());
  const suggestions = useMergeSuggestions();
  return (
    <div className="page merge-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/contacts">Contacts</Link> <span aria-hidden>›</span> <span>Merge suggestions</span>
      </nav>
      <h1>Merge suggestions</h1>
      <p className="muted">Contacts that share an e-mail or phone number are probably the same person.</p>
      {!manager ? (
        <EmptyState title="Merging contacts is for owners and managers" />
      ) : suggestions.isPending ? (
        <Spinner />
      ) : suggestions.isError ? (
        <ErrorState error={suggestions.error} retry={() => void suggestions.refetch()} />
      ) : suggestions.data.length === 0 ? (
        <EmptyState title="No duplicates found" />
      ) : (
        <ul className="plain-list merge-list">
          {suggestions.data.map((s) => (
            <MergeCard key={`${s.primary.id}-${s.secondary.id}`} suggestion={s} />
          ))}
        </ul>
      )}
    </div>
  );
}

function MergeCard({ suggestion }: { suggestion: Suggestion }) {
  const [primaryId, setPrimaryId] = useState(suggestion.primary.id);
  const [confirming, setConfirming] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const pair = [suggestion.primary, suggestion.secondary];
  const primary = pair.find((c) => c.id === primaryId)!;
  const secondary = pair.find((c) => c.id !== primaryId)!;
  const merge = useMutation({
    mutationFn: () =>
      ok(api.POST("/api/v1/contacts/merge", { body: { primary: String(primary.id), secondary: String(secondary.id) } })),
    onSuccess: (merged) => {
      setConfirming(false);
      qc.removeQueries({ queryKey: ["contact", secondary.id] });
      void qc.invalidateQueries({ queryKey: ["contacts"] });
      void qc.invalidateQueries({ queryKey: ["contact", merged.id] });
      toast(`${secondary.name} was merged into ${merged.name}.`);
      void navigate({ to: "/contacts/$contactId", params: { contactId: merged.id } });
    },
  });
  const label = `${suggestion.primary.name} and ${suggestion.secondary.name}`;
  return (
    <li className="panel merge-card" aria-label={label}>
      <div className="row between">
        <span className="pill">{reasonText(suggestion.reason)}</span>
        <Button variant="primary" onClick={() => setConfirming(true)}>
          Merge…
        </Button>
      </div>
      <fieldset className="merge-choice">
        <legend>Keep which contact?</legend>
        {pair.map((c) => (
          <label key={c.id} className={`merge-option ${c.id === primaryId ? "chosen" : ""}`}>
            <input
              type="radio"
              name={`primary-${suggestion.primary.id}-${suggestion.secondary.id}`}
              checked={c.id === primaryId}
              onChange={() => setPrimaryId(c.id)}
              aria-label={`Keep ${c.name} (#${c.id})`}
            />
            <ContactSummary contact={c} />
          </label>
        ))}
      </fieldset>
      <ConfirmDialog
        open={confirming}
        title="Merge contacts"
        confirmLabel="Merge contacts"
        variant="primary"
        busy={merge.isPending}
        error={merge.error}
        onClose={() => {
          setConfirming(false);
          merge.reset();
        }}
        onConfirm={() => merge.mutate()}
      >
        <p>
          <strong>
            {primary.name} (#{primary.id})
          </strong>{" "}
          is kept with its values. It takes the channels, messages, conversations, notes, tags and missing fields of{" "}
          <strong>
            {secondary.name} (#{secondary.id})
          </strong>
          , which then no longer exists. An open conversation of the merged contact is closed.
        </p>
      </ConfirmDialog>
    </li>
  );
}

function ContactSummary({ contact }: { contact: Contact }) {
  return (
    <span className="row merge-summary">
      <Avatar name={contact.name} size={32} />
      <span className="stack-tight">
        <strong>
          {contact.name} <span className="muted small">#{contact.id}</span>
        </strong>
        <span className="small">{[contact.email, contact.phone].filter(Boolean).join(" · ") || "—"}</span>
        <span className="muted small">
          Added {dateTime(contact.created_at)}
          {contact.channels.length ? ` · ${contact.channels.map((c) => c.name).join(", ")}` : ""}
          {contact.tags.length ? ` · ${contact.tags.join(", ")}` : ""}
        </span>
      </span>
    </span>
  );
}
