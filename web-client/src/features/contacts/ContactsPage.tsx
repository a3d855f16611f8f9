// The contact list: search (debounced into `?search=`), filters by tag and assignee (also in
// the URL, so a filtered list can be shared and survives reloads), keyset "load more", and
// creating a contact.
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { Avatar, Button, EmptyState, ErrorState, Spinner } from "../../components/ui";
import { timeAgo } from "../../lib/format";
import { useMembers } from "../../lib/members";
import { canManage, useRole } from "../../lib/session";
import { useTags } from "../settings/queries";
import { CreateContactDialog } from "./CreateContactDialog";
import { useContactList } from "./queries";
import type { ContactsSearch } from "./search";
import "./contacts.css";

const DEBOUNCE_MS = 300;

export function ContactsPage() {
  const filters = useSearch({ from: "/app/contacts" });
  const navigate = useNavigate({ from: "/contacts" });
  const [creating, setCreating] = useState(false);
  const manager = canManage(useRole());
  const setFilters = (patch: Partial<ContactsSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });
  const list = useContactList(filters);
  const contacts = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(filters.search || filters.tag || filters.assignee);
  return (
    <div className="page contacts-page">
      <div className="page-header">
        <h1>Contacts</h1>
        <div className="row">
          {manager ? (
            <Link to="/contacts/merge" className="btn btn-secondary">
              Merge suggestions
            </Link>
          ) : null}
          <Button variant="primary" onClick={() => setCreating(true)}>
            New contact
          </Button>
        </div>
      </div>
      <div className="contacts-toolbar" role="search">
        <SearchBox value={filters.search ?? ""} onSearch={(search) => setFilters({ search: search || undefined })} />
        <TagFilter value={filters.tag} onChange={(tag) => setFilters({ tag })} />
        <AssigneeFilter value={filters.assignee} onChange={(assignee) => setFilters({ assignee })} />
        {filtered ? (
          <Button
            variant="ghost"
            onClick={() => setFilters({ search: undefined, tag: undefined, assignee: undefined })}
          >
            Clear filters
          </Button>
        ) : null}
      </div>
      {list.isPending ? (
        <Spinner />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : contacts.length === 0 ? (
        <EmptyState title={filtered ? "No contacts match" : "No contacts yet"}>
          {filtered ? "Try another search or filter." : "Contacts appear when they write to a channel, or add one."}
        </EmptyState>
      ) : (
        <>
          <table className="table contacts-table" aria-label="Contacts" aria-busy={list.isFetching || undefined}>
            <thead>
              <tr>
                <th>Name</th>
                <th>E-mail</th>
                <th>Phone</th>
                <th>Tags</th>
                <th>Assignee</th>
                <th>Last interaction</th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to="/contacts/$contactId" params={{ contactId: c.id }} className="row contact-link">
                      <Avatar name={c.name} size={26} />
                      <span className="truncate">{c.name}</span>
                    </Link>
                  </td>
                  <td className="truncate">{c.email ?? <span className="muted">—</span>}</td>
                  <td>{c.phone ?? <span className="muted">—</span>}</td>
                  <td>
                    <span className="tag-list">
                      {c.tags.map((t) => (
                        <span key={t} className="pill">
                          {t}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td>{c.assignee?.name ?? <span className="muted">Unassigned</span>}</td>
                  <td>{c.last_interaction_at ? timeAgo(c.last_interaction_at) : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="load-more">
            {list.hasNextPage ? (
              <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage}>
                Load more
              </Button>
            ) : (
              <span className="muted small">
                {contacts.length} contact{contacts.length === 1 ? "" : "s"}
              </span>
            )}
          </div>
        </>
      )}
      {creating ? (
        <CreateContactDialog
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            void navigate({ to: "/contacts/$contactId", params: { contactId: c.id } });
          }}
        />
      ) : null}
    </div>
  );
}

/** Typing updates the box at once and the URL (and so the query) after a pause. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (v: string) => void }) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // The URL changed from outside (back button, "Clear filters"): follow it.
    setSeen(value);
    setText(value);
  }
  useEffect(() => {
    if (text.trim() === value) return;
    const t = setTimeout(() => onSearch(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, value, onSearch]);
  return (
    <div className="field contacts-search">
      <label htmlFor="contacts-search" className="sr-only">
        Search contacts
      </label>
      <input
        id="contacts-search"
        type="search"
        placeholder="Search by name, e-mail, phone or id"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </div>
  );
}

function TagFilter({ value, onChange }: { value?: string; onChange: (v?: string) => void }) {
  const tags = useTags();
  const names = tags.data?.map((t) => t.name) ?? [];
  if (value && !names.includes(value)) names.unshift(value);
  return (
    <select aria-label="Tag" value={value ?? ""} onChange={(e) => onChange(e.target.value || undefined)}>
      <option value="">Any tag</option>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}

function AssigneeFilter({ value, onChange }: { value?: string; onChange: (v?: string) => void }) {
  const members = useMembers();
  return (
    <select aria-label="Assignee" value={value ?? ""} onChange={(e) => onChange(e.target.value || undefined)}>
      <option value="">Anyone</option>
      <option value="me">Me</option>
      <option value="unassigned">Unassigned</option>
      {(members.data ?? []).map((m) => (
        <option key={m.id} value={String(m.id)}>
          {m.name}
        </option>
      ))}
    </select>
  );
}
