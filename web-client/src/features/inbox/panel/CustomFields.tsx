// The workspace's custom contact fields with this contact's values, each with the input its
// type calls for; saving sends only what changed (an emptied value is cleared with null).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../../api/client";
import { Button, EmptyState, ErrorState, FormError, Spinner } from "../../../components/ui";
import { contactChanged, contactPath } from "./contactCache";

type Contact = Schemas["ContactView"];
type FieldDef = Schemas["ContactFieldView"];

export const contactFieldsQuery = {
  queryKey: ["contact-fields"],
  queryFn: async () => (await ok(api.GET("/api/v1/contact-fields"))).items,
  staleTime: 60_000,
};

export function CustomFields({ contact }: { contact: Contact }) {
  const defs = useQuery(contactFieldsQuery);
  return (
    <section className="panel-section" aria-labelledby={`fields-${contact.id}`}>
      <h3 id={`fields-${contact.id}`}>Custom fields</h3>
      {defs.isPending ? (
        <Spinner label="Loading custom fields" />
      ) : defs.isError ? (
        <ErrorState error={defs.error} retry={() => void defs.refetch()} />
      ) : defs.data.length === 0 ? (
        <EmptyState title="No custom fields yet">Owners and managers add them in Settings.</EmptyState>
      ) : (
        // Restart the form when the saved values change (another tab, a workflow).
        <FieldsForm key={JSON.stringify(contact.fields)} contact={contact} defs={defs.data} />
      )}
    </section>
  );
}

function FieldsForm({ contact, defs }: { contact: Contact; defs: FieldDef[] }) {
  const qc = useQueryClient();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(defs.map((d) => [d.key, contact.fields[d.key] ?? ""])),
  );
  const changed = defs.filter((d) => (values[d.key] ?? "") !== (contact.fields[d.key] ?? ""));
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH("/api/v1/contacts/{contact}", {
          ...contactPath(contact.id),
          body: {
            // The OpenAPI document gives `fields` no value type (openapi-typescript reads it as
            // Record<string, never>); the server takes text or null per key.
            fields: Object.fromEntries(
              changed.map((d) => [d.key, values[d.key] ? values[d.key] : null]),
            ) as unknown as Schemas["ContactPatch"]["fields"],
          },
        }),
      ),
    onSuccess: (c) => contactChanged(qc, c),
  });
  const err = save.error instanceof ApiError ? save.error : null;
  const fieldErrors = err?.problem.errors?.filter((e) => e.field.startsWith("fields.")) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (changed.length) save.mutate();
  };
  return (
    <form className="form compact" onSubmit={submit} noValidate aria-label="Custom fields">
      {defs.map((d) => (
        <FieldInput
          key={d.id}
          def={d}
          value={values[d.key] ?? ""}
          error={err?.field(`fields.${d.key}`)}
          onChange={(v) => setValues((all) => ({ ...all, [d.key]: v }))}
        />
      ))}
      {save.error && fieldErrors.length === 0 ? <FormError error={save.error} /> : null}
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={changed.length === 0}>
          Save fields
        </Button>
        {changed.length > 0 ? (
          <Button
            onClick={() => {
              setValues(Object.fromEntries(defs.map((d) => [d.key, contact.fields[d.key] ?? ""])));
              save.reset();
            }}
          >
            Undo changes
          </Button>
        ) : save.isSuccess ? (
          <span className="muted small" role="status">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}

const inputType: Record<string, string> = {
  text: "text",
  number: "number",
  date: "date",
  email: "email",
  url: "url",
  phone: "tel",
};

function FieldInput({
  def,
  value,
  error,
  onChange,
}: {
  def: FieldDef;
  value: string;
  error?: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  const described = error ? `${id}-error` : undefined;
  let control;
  if (def.type === "checkbox") {
    return (
      <div className="field field-check">
        <label>
          <input
            type="checkbox"
            checked={value.toLowerCase() === "true"}
            onChange={(e) => onChange(e.target.checked ? "true" : "false")}
            aria-invalid={error ? true : undefined}
            aria-describedby={described}
          />{" "}
          {def.name}
        </label>
        {error ? <div className="field-error" id={described} role="alert">{error}</div> : null}
      </div>
    );
  }
  if (def.type === "list") {
    control = (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={described}>
        <option value="">—</option>
        {def.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        {value && !def.options.includes(value) ? <option value={value}>{value}</option> : null}
      </select>
    );
  } else {
    control = (
      <input
        id={id}
        type={inputType[def.type] ?? "text"}
        step={def.type === "number" ? "any" : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{def.name}</label>
      {control}
      {error ? <div className="field-error" id={described} role="alert">{error}</div> : null}
    </div>
  );
}
