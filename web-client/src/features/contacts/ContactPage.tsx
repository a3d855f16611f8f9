// One contact: a summary, and the contact panel shared with the inbox (editing, tags,
// channels, past conversations and activity live there). Owners and managers may
// delete the contact with its whole history.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { toast } from "../../components/Toasts";
import { Avatar, Button, ErrorState, Spinner } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { canManage, useRole } from "../../lib/session";
import { ContactPanel } from "../inbox/panel/ContactPanel";
import { useContact } from "../../lib/contact";
import type { Contact } from "./queries";
import "./contacts.css";

export function ContactPage() {
  const { contactId } = useParams({ from: "/app/contacts/$contactId" });
  const contact = useContact(contactId);
  if (contact.isPending) return <Spinner />;
  if (contact.isError)
    return (
      <div className="page">
        <ErrorState error={contact.error} retry={() => void contact.refetch()} />
        <p className="center">
          <Link to="/contacts">Back to contacts</Link>
        </p>
      </div>
    );
  return <ContactDetails contact={contact.data} />;
}

function ContactDetails({ contact }: { contact: Contact }) {
  const manager = canManage(useRole());
  const [deleting, setDeleting] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () =>
      ok(api.DELETE("/api/v1/contacts/{contact}", { params: { path: { contact: String(contact.id) } } })),
    onSuccess: () => {
      setDeleting(false);
      qc.removeQueries({ queryKey: ["contact", contact.id] });
      void qc.invalidateQueries({ queryKey: ["contacts"] });
      toast(`${contact.name} was deleted.`);
      void navigate({ to: "/contacts" });
    },
  });
  return (
    <div className="contact-page">
      <div className="page contact-main">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/contacts">Contacts</Link> <span aria-hidden>›</span> <span>{contact.name}</span>
        </nav>
        <div className="page-header">
          <div className="row">
            <Avatar name={contact.name} size={44} />
            <div className="stack-tight">
              <h1 className="contact-title">{contact.name}</h1>
              <span className="muted small">
                Contact #{contact.id} · added {dateTime(contact.created_at)}
              </span>
            </div>
          </div>
          <div className="row">
            <Link to="/inbox/$contactId" params={{ contactId: contact.id }} className="btn btn-primary">
              Open in inbox
            </Link>
            {manager ? (
              <Button variant="danger" onClick={() => setDeleting(true)}>
                Delete contact
              </Button>
            ) : null}
          </div>
        </div>
        <div className="contact-sections">
          <section className="panel" aria-labelledby="contact-details">
            <h2 id="contact-details">Details</h2>
            <dl className="details">
              <dt>E-mail</dt>
              <dd>{contact.email ?? <span className="muted">—</span>}</dd>
              <dt>Phone</dt>
              <dd>{contact.phone ?? <span className="muted">—</span>}</dd>
              <dt>Country</dt>
              <dd>{contact.country ?? <span className="muted">—</span>}</dd>
              <dt>Language</dt>
              <dd>{contact.language ?? <span className="muted">—</span>}</dd>
              <dt>Assignee</dt>
              <dd>{contact.assignee?.name ?? <span className="muted">Unassigned</span>}</dd>
              <dt>Last interaction</dt>
              <dd>{contact.last_interaction_at ? dateTime(contact.last_interaction_at) : <span className="muted">—</span>}</dd>
            </dl>
          </section>
        </div>
      </div>
      <ContactPanel contact={contact} />
      <ConfirmDialog
        open={deleting}
        title="Delete contact"
        confirmLabel="Delete contact"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(false);
          remove.reset();
        }}
        onConfirm={() => remove.mutate()}
      >
        <p>
          <strong>{contact.name}</strong> is deleted with all their messages, notes and conversations. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
