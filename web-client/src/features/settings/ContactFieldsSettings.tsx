// Custom contact fields: a key (used in the API and in `$contact.<key>` variables) and a
// type that never change, a name, and the options of a list. Only owners delete a field
// (and with it every contact's value).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Modal } from "../../components/Modal";
import { Button, EmptyState, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { useRole } from "../../lib/session";
import { SelectField, TextAreaField } from "./fields";
import { useContactFields, type ContactField } from "./queries";

type FieldType = Schemas["FieldTypeName"];

const TYPES: { type: FieldType; label: string }[] = [
  { type: "text", label: "Text" },
  { type: "number", label: "Number" },
  { type: "date", label: "Date" },
  { type: "list", label: "List" },
  { type: "checkbox", label: "Checkbox" },
  { type: "email", label: "E-mail" },
  { type: "url", label: "URL" },
  { type: "phone", label: "Phone" },
];

const typeLabel = (t: FieldType) => TYPES.find((x) => x.type === t)?.label ?? t;

/** "Membership level" → "membership_level" */
function keyFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 50);
}

export function ContactFieldsSettings() {
  const fields = useContactFields();
  const owner = useRole() === "owner";
  const qc = useQueryClient();
  const [editing, setEditing] = useState<ContactField | "new" | null>(null);
  const [deleting, setDeleting] = useState<ContactField | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/contact-fields/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ["contact-fields"] });
    },
  });
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Contact fields</h2>
          <p className="muted">Extra details kept on every contact, usable in snippets as $contact.key.</p>
        </div>
        <Button variant="primary" onClick={() => setEditing("new")}>
          New field
        </Button>
      </div>
      {fields.isPending ? (
        <Spinner />
      ) : fields.isError ? (
        <ErrorState error={fields.error} retry={() => void fields.refetch()} />
      ) : fields.data.length === 0 ? (
        <EmptyState title="No custom fields yet" />
      ) : (
        <table className="table" aria-label="Contact fields">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Type</th>
              <th>Options</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fields.data.map((f) => (
              <tr key={f.id}>
                <td>{f.name}</td>
                <td>
                  <code>{f.key}</code>
                </td>
                <td>{typeLabel(f.type)}</td>
                <td className="muted">{f.options.join(", ")}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setEditing(f)} aria-label={`Edit ${f.name}`}>
                    Edit
                  </Button>
                  {owner ? (
                    <Button variant="ghost" onClick={() => setDeleting(f)} aria-label={`Delete ${f.name}`}>
                      Delete
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? (
        <ContactFieldDialog field={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete contact field"
        confirmLabel="Delete field"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> and its value on every contact are deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function ContactFieldDialog({ field, onClose }: { field: ContactField | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(field?.name ?? "");
  const [key, setKey] = useState(field?.key ?? "");
  const [keyTouched, setKeyTouched] = useState(false);
  const [type, setType] = useState<FieldType>(field?.type ?? "text");
  const [options, setOptions] = useState((field?.options ?? []).join("\n"));
  const optionList = options
    .split("\n")
    .map((o) => o.trim())
    .filter(Boolean);
  const save = useMutation({
    mutationFn: () =>
      field
        ? ok(
            api.PATCH("/api/v1/contact-fields/{id}", {
              params: { path: { id: field.id } },
              body: { name: name.trim(), ...(field.type === "list" ? { options: optionList } : {}) },
            }),
          )
        : ok(
            api.POST("/api/v1/contact-fields", {
              body: { name: name.trim(), key, type, ...(type === "list" ? { options: optionList } : {}) },
            }),
          ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["contact-fields"] });
      onClose();
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const optionsError = err?.problem.errors?.find((e) => e.field.startsWith("options"))?.message;
  return (
    <Modal title={field ? `Edit ${field.name}` : "New contact field"} open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field
          label="Field name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (!field && !keyTouched) setKey(keyFromName(e.target.value));
          }}
          error={err?.field("name")}
          autoFocus
        />
        <Field
          label="Key"
          required
          pattern="[a-z0-9_]+"
          maxLength={50}
          value={key}
          readOnly={field !== null}
          onChange={(e) => {
            setKeyTouched(true);
            setKey(e.target.value);
          }}
          error={err?.field("key")}
          hint={field ? "The key never changes." : "Lower-case letters, digits and _; it never changes."}
        />
        <SelectField
          label="Type"
          value={type}
          disabled={field !== null}
          onChange={(e) => setType(e.target.value as FieldType)}
          error={err?.field("type")}
          hint={field ? "The type never changes." : undefined}
        >
          {TYPES.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </SelectField>
        {type === "list" ? (
          <TextAreaField
            label="Options"
            rows={4}
            required
            value={options}
            onChange={(e) => setOptions(e.target.value)}
            error={optionsError}
            hint="One option per line."
          />
        ) : null}
        {err?.problem.errors?.length ? null : <FormError error={save.error} />}
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {field ? "Save field" : "Create field"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
