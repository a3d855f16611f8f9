// Closing-note categories: what agents pick when they close a conversation. A name never
// changes once created (reports group by it), so only the description is editable.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Modal } from "../../components/Modal";
import { Button, EmptyState, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { TextAreaField } from "./fields";
import { useCategories, type Category } from "./queries";

export function CategoriesSettings() {
  const categories = useCategories();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Category | "new" | null>(null);
  const [deleting, setDeleting] = useState<Category | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) =>
      ok(api.DELETE("/api/v1/closing-note-categories/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ["categories"] });
    },
  });
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Closing-note categories</h2>
          <p className="muted">Agents pick one of these when they close a conversation.</p>
        </div>
        <Button variant="primary" onClick={() => setEditing("new")}>
          New category
        </Button>
      </div>
      {categories.isPending ? (
        <Spinner />
      ) : categories.isError ? (
        <ErrorState error={categories.error} retry={() => void categories.refetch()} />
      ) : categories.data.length === 0 ? (
        <EmptyState title="No categories yet" />
      ) : (
        <table className="table" aria-label="Closing-note categories">
          <thead>
            <tr>
              <th>Name</th>
              <th>Description</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {categories.data.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td className="muted">{c.description}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                    Edit
                  </Button>
                  <Button variant="ghost" onClick={() => setDeleting(c)} aria-label={`Delete ${c.name}`}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? (
        <CategoryDialog category={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete category"
        confirmLabel="Delete category"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> will no longer be offered. Conversations already closed with it keep
          the name.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function CategoryDialog({ category, onClose }: { category: Category | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(category?.name ?? "");
  const [description, setDescription] = useState(category?.description ?? "");
  const save = useMutation({
    mutationFn: () =>
      category
        ? ok(
            api.PATCH("/api/v1/closing-note-categories/{id}", {
              params: { path: { id: category.id } },
              body: { description },
            }),
          )
        : ok(api.POST("/api/v1/closing-note-categories", { body: { name: name.trim(), description } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["categories"] });
      onClose();
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal title={category ? `Edit ${category.name}` : "New category"} open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field
          label="Category name"
          required
          maxLength={100}
          value={name}
          readOnly={category !== null}
          onChange={(e) => setName(e.target.value)}
          error={err?.field("name")}
          hint={category ? "A category's name never changes." : "It cannot be changed later."}
          autoFocus={category === null}
        />
        <TextAreaField
          label="Description"
          rows={3}
          maxLength={500}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={err?.field("description")}
          hint="Shown to agents in the close dialog to help them pick."
        />
        {err?.problem.errors?.length ? null : <FormError error={save.error} />}
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {category ? "Save description" : "Create category"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
