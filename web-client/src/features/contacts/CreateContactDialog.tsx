// A new contact by hand: name, e-mail, phone. The server checks the e-mail and wants phones
// with a country code; its 422 messages show under the fields they name.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok } from "../../api/client";
import { Modal } from "../../components/Modal";
import { Button, Field, FormError } from "../../components/ui";
import type { Contact } from "./queries";

/** "Maria da Silva" → first "Maria", last "da Silva". */
export function splitContactName(name: string): { first_name: string; last_name: string | null } {
  const t = name.trim().replace(/\s+/g, " ");
  const i = t.indexOf(" ");
  return i < 0 ? { first_name: t, last_name: null } : { first_name: t.slice(0, i), last_name: t.slice(i + 1) };
}

export function CreateContactDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (c: Contact) => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [phone, setPhone] = useState("");
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/api/v1/contacts", {
          body: {
            ...splitContactName(name),
            email: email.trim() || null,
            phone: phone.trim() || null,
          },
        }),
      ),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ["contacts"] });
      onCreated(c);
    },
  });
  const err = create.error instanceof ApiError ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal title="New contact" open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={err?.field("first_name") ?? err?.field("last_name")}
          autoFocus
        />
        <Field
          label="E-mail"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={err?.field("email")}
        />
        <Field
          label="Phone"
          type="tel"
          placeholder="+60123456789"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          error={err?.field("phone")}
          hint="With the country code, e.g. +60 12 345 6789."
        />
        {err?.problem.errors?.length ? null : <FormError error={create.error} />}
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create contact
          </Button>
        </div>
      </form>
    </Modal>
  );
}
