// Snippets: saved replies agents insert with "/" in the composer. Name, text with dynamic
// variables (live preview for a chosen contact), and library files sent along.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { api, ApiError, ok } from "../../../api/client";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { Button, EmptyState, ErrorState, Field, FormError, Spinner } from "../../../components/ui";
import { useContactFields, useLibraryFiles, useSnippets, type Snippet } from "../queries";
import { SnippetPreview } from "./SnippetPreview";
import { ASSIGNEE_VARIABLES, CONTACT_VARIABLES, SYSTEM_VARIABLES, unknownVariables } from "./variables";

export function SnippetsSettings() {
  const snippets = useSnippets();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Snippet | "new" | null>(null);
  const [deleting, setDeleting] = useState<Snippet | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/snippets/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ["snippets"] });
    },
  });
  if (editing) {
    return (
      <SnippetEditor
        key={editing === "new" ? "new" : editing.id}
        snippet={editing === "new" ? null : editing}
        onDone={() => setEditing(null)}
      />
    );
  }
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Snippets</h2>
          <p className="muted">Saved replies agents insert by typing “/” in the composer.</p>
        </div>
        <Button variant="primary" onClick={() => setEditing("new")}>
          New snippet
        </Button>
      </div>
      {snippets.isPending ? (
        <Spinner />
      ) : snippets.isError ? (
        <ErrorState error={snippets.error} retry={() => void snippets.refetch()} />
      ) : snippets.data.length === 0 ? (
        <EmptyState title="No snippets yet" />
      ) : (
        <table className="table" aria-label="Snippets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Text</th>
              <th>Files</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {snippets.data.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td className="muted snippet-excerpt truncate" title={s.content}>
                  {s.content}
                </td>
                <td>{s.file_ids.length || <span className="muted">None</span>}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>
                    Edit
                  </Button>
                  <Button variant="ghost" onClick={() => setDeleting(s)} aria-label={`Delete ${s.name}`}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete snippet"
        confirmLabel="Delete snippet"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> is no longer offered in the composer.
        </p>
      </ConfirmDialog>
    </div>
  );
}

export function SnippetEditor({ snippet, onDone }: { snippet: Snippet | null; onDone: () => void }) {
  const qc = useQueryClient();
  const fields = useContactFields();
  const files = useLibraryFiles();
  const [name, setName] = useState(snippet?.name ?? "");
  const [content, setContent] = useState(snippet?.content ?? "");
  const [fileIds, setFileIds] = useState<number[]>(snippet?.file_ids ?? []);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [current, setCurrent] = useState<Snippet | null>(snippet);
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), content, file_ids: fileIds };
      return current
        ? ok(api.PATCH("/api/v1/snippets/{id}", { params: { path: { id: current.id } }, body }))
        : ok(api.POST("/api/v1/snippets", { body }));
    },
    onSuccess: (saved) => {
      setCurrent(saved);
      void qc.invalidateQueries({ queryKey: ["snippets"] });
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const customKeys = (fields.data ?? []).map((f) => f.key);
  const unknown = fields.data ? unknownVariables(content, customKeys) : [];
  const insert = (variable: string) => {
    const el = textarea.current;
    const start = el?.selectionStart ?? content.length;
    const end = el?.selectionEnd ?? content.length;
    const next = content.slice(0, start) + variable + content.slice(end);
    setContent(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + variable.length, start + variable.length);
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const dirty =
    !current ||
    name.trim() !== current.name ||
    content !== current.content ||
    fileIds.join(",") !== current.file_ids.join(",");
  const variableGroups: [string, string[]][] = [
    ["contact", [...CONTACT_VARIABLES, ...customKeys]],
    ["assignee", ASSIGNEE_VARIABLES],
    ["system", SYSTEM_VARIABLES],
  ];
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <h2>{current ? `Snippet: ${current.name}` : "New snippet"}</h2>
        <Button onClick={onDone}>Back to snippets</Button>
      </div>
      <div className="snippet-editor">
        <form className="form panel" onSubmit={submit} aria-label="Snippet">
          <Field
            label="Snippet name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={err?.field("name")}
            autoFocus={!snippet}
          />
          <div className="field">
            <label htmlFor="snippet-content">Text</label>
            <textarea
              id="snippet-content"
              ref={textarea}
              rows={7}
              required
              maxLength={4096}
              value={content}
              onChange={(e) => setContent(e.target.value)}
              aria-invalid={err?.field("content") || unknown.length ? true : undefined}
              aria-describedby="snippet-content-message"
            />
            <div id="snippet-content-message">
              {err?.field("content") ? (
                <div className="field-error" role="alert">
                  {err.field("content")}
                </div>
              ) : unknown.length ? (
                <div className="field-warning" role="status">
                  Unknown variable{unknown.length > 1 ? "s" : ""}: {unknown.map((u) => `$${u}`).join(", ")}. Saving will
                  be refused.
                </div>
              ) : (
                <div className="hint">
                  Use $contact.firstname or {"{{contact.firstname | \"there\"}}"} for a fallback. {content.length}/4096
                </div>
              )}
            </div>
          </div>
          <div className="variables" aria-label="Insert a variable" role="group">
            {variableGroups.map(([ns, names]) => (
              <div key={ns} className="variables-group">
                <span className="label">{ns}</span>
                {names.map((n) => (
                  <button key={n} type="button" className="pill variable" onClick={() => insert(`$${ns}.${n}`)}>
                    ${ns}.{n}
                  </button>
                ))}
              </div>
            ))}
          </div>
          <fieldset className="settings-fieldset">
            <legend>Files sent with it</legend>
            {files.isPending ? (
              <Spinner />
            ) : files.isError ? (
              <ErrorState error={files.error} retry={() => void files.refetch()} />
            ) : files.data.length === 0 ? (
              <p className="muted">The file library is empty; upload files under Files.</p>
            ) : (
              <ul className="file-choices">
                {files.data.map((f) => (
                  <li key={f.id}>
                    <label className="choice">
                      <input
                        type="checkbox"
                        checked={fileIds.includes(f.id)}
                        onChange={(e) =>
                          setFileIds(e.target.checked ? [...fileIds, f.id] : fileIds.filter((id) => id !== f.id))
                        }
                      />
                      <span className="truncate">{f.name}</span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {err?.problem.errors?.find((e) => e.field.startsWith("file_ids")) ? (
              <div className="field-error" role="alert">
                {err.problem.errors.find((e) => e.field.startsWith("file_ids"))!.message}
              </div>
            ) : null}
          </fieldset>
          {err?.problem.errors?.length ? null : <FormError error={save.error} />}
          <div className="row end">
            {save.isSuccess && !dirty ? (
              <span className="muted" role="status">
                Saved
              </span>
            ) : null}
            <Button onClick={onDone}>Close</Button>
            <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty}>
              {current ? "Save snippet" : "Create snippet"}
            </Button>
          </div>
        </form>
        <SnippetPreview snippet={current} content={content} />
      </div>
    </div>
  );
}
