// The contact's tags: remove one with its ×, add one by typing (the workspace's tags are
// suggested; a new name creates the tag).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../../api/client";
import { everyPage } from "../../../api/paged";
import { Button, FormError } from "../../../components/ui";
import { contactChanged, contactPath } from "./contactCache";

type Contact = Schemas["ContactView"];

async function allTags(): Promise<string[]> {
  const tags = await everyPage((cursor) => ok(api.GET("/api/v1/tags", { params: { query: { limit: 100, cursor } } })));
  return tags.map((t) => t.name);
}

export function TagsEditor({ contact }: { contact: Contact }) {
  const qc = useQueryClient();
  const id = useId();
  const [name, setName] = useState("");
  // Names only, under its own key: ["tags"] itself holds the settings page's TagView list.
  const tags = useQuery({ queryKey: ["tags", "names"], queryFn: allTags, staleTime: 60_000 });
  const has = new Set(contact.tags.map((t) => t.toLowerCase()));
  const suggestions = (tags.data ?? []).filter((t) => !has.has(t.toLowerCase()));

  const change = useMutation({
    mutationFn: ({ tag, add }: { tag: string; add: boolean }) =>
      ok(
        add
          ? api.POST("/api/v1/contacts/{contact}/tags", { ...contactPath(contact.id), body: { tags: [tag] } })
          : api.DELETE("/api/v1/contacts/{contact}/tags", { ...contactPath(contact.id), body: { tags: [tag] } }),
      ),
    onSuccess: (c, { add }) => {
      contactChanged(qc, c);
      if (add) {
        setName("");
        void qc.invalidateQueries({ queryKey: ["tags"] });
      }
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const tag = name.trim();
    if (!tag) return;
    if (has.has(tag.toLowerCase())) {
      setName("");
      return;
    }
    change.mutate({ tag, add: true });
  };
  const err = change.error instanceof ApiError ? change.error : null;

  return (
    <section className="panel-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Tags</h3>
      {contact.tags.length === 0 ? (
        <p className="muted small">No tags yet.</p>
      ) : (
        <ul className="tags" aria-label="Tags of this contact">
          {contact.tags.map((t) => (
            <li key={t} className="pill">
              {t}
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${t}`}
                disabled={change.isPending}
                onClick={() => change.mutate({ tag: t, add: false })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="row tag-add" onSubmit={submit}>
        <label htmlFor={`${id}-new`} className="sr-only">
          Add a tag
        </label>
        <input
          id={`${id}-new`}
          className="grow"
          list={`${id}-suggestions`}
          placeholder="Add a tag"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={err?.field("tags") || err?.field("tags[0]") ? true : undefined}
        />
        <datalist id={`${id}-suggestions`}>
          {suggestions.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Button type="submit" busy={change.isPending} disabled={!name.trim()}>
          Add
        </Button>
      </form>
      <FormError error={change.error} />
    </section>
  );
}
