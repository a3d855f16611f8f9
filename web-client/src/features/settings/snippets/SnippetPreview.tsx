// The live preview of a snippet for a chosen contact. A saved, unchanged snippet is filled by
// the server (POST /snippets/{id}/render); a draft is filled in the browser with the same
// documented variables, so the preview follows every keystroke.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok, type Schemas } from "../../../api/client";
import { ErrorState, Spinner } from "../../../components/ui";
import { useMembers } from "../../../lib/members";
import { useMe } from "../../../lib/session";
import { renderSnippet, splitName, type RenderValues } from "./variables";

type Contact = Schemas["ContactView"];
type Member = Schemas["MemberView"];

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === "string" ? v : String(v);
}

export function valuesFor(contact: Contact | null, members: Member[], timezone: string, now = new Date()): RenderValues {
  const assignee = contact?.assignee ? members.find((m) => m.id === contact.assignee!.id) : undefined;
  const assigneeName = assignee?.name ?? contact?.assignee?.name;
  return {
    contact: contact
      ? {
          id: String(contact.id),
          firstname: contact.first_name,
          lastname: contact.last_name,
          email: contact.email,
          phone: contact.phone,
          country: contact.country,
          language: contact.language,
          custom: Object.fromEntries(Object.entries(contact.fields ?? {}).map(([k, v]) => [k, text(v)])),
        }
      : { custom: {} },
    assignee: assigneeName ? { ...splitName(assigneeName), email: assignee?.email } : {},
    timezone,
    now,
  };
}

export function SnippetPreview({ snippet, content }: { snippet: Schemas["SnippetView"] | null; content: string }) {
  const [contact, setContact] = useState<Contact | null>(null);
  const me = useMe();
  const members = useMembers();
  const saved = snippet !== null && snippet.content === content;
  const server = useQuery({
    queryKey: ["snippets", snippet?.id, "render", contact?.id, snippet?.updated_at],
    enabled: saved && contact !== null,
    queryFn: () =>
      ok(
        api.POST("/api/v1/snippets/{id}/render", {
          params: { path: { id: snippet!.id } },
          body: { contact: String(contact!.id) },
        }),
      ),
    retry: false,
  });
  const timezone = me.data?.workspace.timezone ?? "UTC";
  const local = renderSnippet(content, valuesFor(contact, members.data ?? [], timezone));
  let body;
  if (saved && contact) {
    if (server.isPending) body = <Spinner label="Filling the variables" />;
    else if (server.isError) body = <ErrorState error={server.error} retry={() => void server.refetch()} />;
    else body = <div className="snippet-preview-text">{server.data.text}</div>;
  } else {
    body = local ? <div className="snippet-preview-text">{local}</div> : <p className="muted">Nothing to show yet.</p>;
  }
  return (
    <section className="panel stack snippet-preview" aria-labelledby="snippet-preview-title">
      <h3 id="snippet-preview-title">Preview</h3>
      <ContactPicker value={contact} onChange={setContact} />
      <p className="hint" aria-live="polite">
        {contact === null
          ? "Pick a contact to fill the variables; without one, only fallbacks and the date show."
          : saved
            ? `Filled by the server for ${contact.name}.`
            : `Draft filled in your browser for ${contact.name}.`}
      </p>
      <div role="region" aria-label="Snippet preview" aria-live="polite">
        {body}
      </div>
    </section>
  );
}

function ContactPicker({ value, onChange }: { value: Contact | null; onChange: (c: Contact | null) => void }) {
  const [search, setSearch] = useState("");
  const found = useQuery({
    queryKey: ["contacts", "picker", search.trim()],
    queryFn: () =>
      ok(api.GET("/api/v1/contacts", { params: { query: { search: search.trim() || undefined, limit: 20 } } })),
    placeholderData: (prev) => prev,
  });
  const options = found.data?.items ?? [];
  const list = value && !options.some((c) => c.id === value.id) ? [value, ...options] : options;
  return (
    <div className="row snippet-contact-picker">
      <div className="field grow">
        <label htmlFor="preview-contact-search">Find a contact</label>
        <input
          id="preview-contact-search"
          type="search"
          value={search}
          placeholder="Name, e-mail, phone or id"
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <div className="field grow">
        <label htmlFor="preview-contact">Preview for</label>
        <select
          id="preview-contact"
          value={value?.id ?? ""}
          onChange={(e) => onChange(list.find((c) => String(c.id) === e.target.value) ?? null)}
        >
          <option value="">No contact</option>
          {list.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.email ? ` (${c.email})` : c.phone ? ` (${c.phone})` : ""}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
