// The contact's name, e-mail and phone, shown and edited in place (PATCH /contacts/{c}); the
// server's field messages (422) appear under the fields they name.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../../api/client";
import { Avatar, Button, Field, FormError } from "../../../components/ui";
import { contactChanged, contactPath } from "./contactCache";

type Contact = Schemas["ContactView"];

export function ContactDetails({ contact }: { contact: Contact }) {
  const [editing, setEditing] = useState(false);
  return (
    <section className="panel-section" aria-labelledby={`contact-${contact.id}-name`}>
      <div className="contact-head">
        <Avatar name={contact.name} size={40} />
        <div className="grow">
          <h2 id={`contact-${contact.id}-name`} className="truncate">
            {contact.name}
          </h2>
          <div className="muted small">#{contact.id}</div>
        </div>
        {!editing ? (
          <Button variant="ghost" onClick={() => setEditing(true)} aria-label="Edit contact details">
            Edit
          </Button>
        ) : null}
      </div>
      {editing ? (
        <DetailsForm contact={contact} onDone={() => setEditing(false)} />
      ) : (
        <dl className="facts">
          <dt>E-mail</dt>
          <dd>{contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : <span className="muted">—</span>}</dd>
          <dt>Phone</dt>
          <dd>{contact.phone ?? <span className="muted">—</span>}</dd>
          {contact.country ? (
            <>
              <dt>Country</dt>
              <dd>{contact.country}</dd>
            </>
          ) : null}
          {contact.language ? (
            <>
              <dt>Language</dt>
              <dd>{contact.language}</dd>
            </>
          ) : null}
        </dl>
      )}
    </section>
  );
}

function DetailsForm({ contact, onDone }: { contact: Contact; onDone: () => void }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({
    first_name: contact.first_name,
    last_name: contact.last_name ?? "",
    email: contact.email ?? "",
    phone: contact.phone ?? "",
  });
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH("/api/v1/contacts/{contact}", {
          ...contactPath(contact.id),
          body: {
            first_name: form.first_name.trim(),
            last_name: form.last_name.trim() || null,
            email: form.email.trim() || null,
            phone: form.phone.trim() || null,
          },
        }),
      ),
    onSuccess: (c) => {
      contactChanged(qc, c);
      onDone();
    },
  });
  const err = save.error instanceof ApiError ? save.error : null;
  const fieldError = (name: string) => err?.field(name);
  const named = new Set(["first_name", "last_name", "email", "phone"]);
  // Anything not shown under a field (another status, or a field this form lacks) shows here.
  const shownByFields = Boolean(err?.problem.errors?.length) && err!.problem.errors!.every((e) => named.has(e.field));
  const other = save.error && !shownByFields ? save.error : null;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="form compact" onSubmit={submit} noValidate aria-label="Contact details">
      <div className="two">
        <Field label="First name" value={form.first_name} onChange={set("first_name")} error={fieldError("first_name")} required autoFocus />
        <Field label="Last name" value={form.last_name} onChange={set("last_name")} error={fieldError("last_name")} />
      </div>
      <Field label="E-mail" type="email" value={form.email} onChange={set("email")} error={fieldError("email")} />
      <Field
        label="Phone"
        type="tel"
        value={form.phone}
        onChange={set("phone")}
        error={fieldError("phone")}
        hint="With the country code, e.g. +60 12 345 6789"
      />
      <FormError error={other} />
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save
        </Button>
        <Button onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
