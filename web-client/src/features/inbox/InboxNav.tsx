// The inbox's own sidebar: the standard views with live counts, then the custom inboxes
// (saved filters), which can be made from the filters on screen, edited and deleted.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, ApiError, messageOf, ok, type Schemas } from "../../api/client";
import { Modal } from "../../components/Modal";
import { toast } from "../../components/Toasts";
import { Button, Field, FormError } from "../../components/ui";
import { canManage, useRole } from "../../lib/session";
import { inboxQueryParams, useCustomInboxes, type CustomInbox } from "./api";
import type { InboxSearch, View } from "./search";

type Filters = Schemas["InboxFilters"];

const VIEW_LABELS: Record<View, string> = { all: "All", mine: "Mine", unassigned: "Unassigned", closed: "Closed" };

/** The counts of the standard views (open threads), shared by every list. */
function useCounts() {
  return useQuery({
    queryKey: ["inbox", "counts"],
    queryFn: async () => (await ok(api.GET("/api/v1/inbox", { params: { query: { limit: 1 } } }))).counts,
  });
}

export function InboxNav({ search }: { search: InboxSearch }) {
  const counts = useCounts().data;
  const inboxes = useCustomInboxes();
  const [editing, setEditing] = useState<CustomInbox | "new" | null>(null);
  const current = search.inbox ? undefined : (search.view ?? "all");
  const active = inboxes.data?.find((i) => i.id === search.inbox);

  return (
    <nav className="inbox-nav" aria-label="Inboxes">
      <h2 className="inbox-nav-title">Inbox</h2>
      <ul>
        {(Object.keys(VIEW_LABELS) as View[]).map((v) => {
          const n = v === "closed" ? undefined : counts?.[v];
          return (
            <li key={v}>
              <Link
                to="/inbox"
                search={{ view: v === "all" ? undefined : v }}
                className={current === v ? "active" : undefined}
                aria-current={current === v ? "page" : undefined}
              >
                <span className="grow">{VIEW_LABELS[v]}</span>
                {n !== undefined ? (
                  <span className="count" aria-label={`${n} open`}>
                    {n}
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
      <div className="row between inbox-nav-section">
        <h3>Custom inboxes</h3>
        <button
          type="button"
          className="icon-btn"
          aria-label="New custom inbox from the current filters"
          title="New custom inbox from the current filters"
          onClick={() => setEditing("new")}
        >
          +
        </button>
      </div>
      {inboxes.isPending ? (
        <p className="muted small">Loading…</p>
      ) : inboxes.isError ? (
        <p className="field-error small">{messageOf(inboxes.error)}</p>
      ) : inboxes.data.length === 0 ? (
        <p className="muted small">Save the filters you use often with +.</p>
      ) : (
        <ul>
          {inboxes.data.map((i) => (
            <li key={i.id}>
              <Link
                to="/inbox"
                search={{ inbox: i.id }}
                className={search.inbox === i.id ? "active" : undefined}
                aria-current={search.inbox === i.id ? "page" : undefined}
              >
                <span className="grow truncate">{i.name}</span>
                {i.shared ? <span className="muted small" title="Shared with the workspace">👥</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {active ? (
        <Button variant="ghost" className="inbox-nav-edit" onClick={() => setEditing(active)}>
          Edit “{active.name}”
        </Button>
      ) : null}
      {editing ? (
        <CustomInboxDialog inbox={editing === "new" ? null : editing} search={search} onClose={() => setEditing(null)} />
      ) : null}
    </nav>
  );
}

/** The filters on screen, as a custom inbox stores them (on top of the inbox being edited). */
function filtersFrom(search: InboxSearch, base?: Filters): Filters {
  const q = inboxQueryParams(search);
  const f: Filters = { ...(base ?? {}) };
  if (q.status) f.status = q.status;
  if (q.assignee) f.assignee = q.assignee;
  if (search.channel) f.channel = search.channel;
  if (search.tag) f.tag = search.tag;
  if (search.search) f.search = search.search;
  if (search.sort) f.sort = search.sort;
  return f;
}

function describe(f: Filters): string {
  const parts = [
    f.status ? `status ${f.status}` : null,
    f.assignee ? `assignee ${f.assignee}` : null,
    f.channel ? `channel #${f.channel}` : null,
    f.tag ? `tag “${f.tag}”` : null,
    f.search ? `search “${f.search}”` : null,
    f.sort ? `sorted ${f.sort.replace("_", " ")}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no filters (every open thread)";
}

function CustomInboxDialog({
  inbox,
  search,
  onClose,
}: {
  inbox: CustomInbox | null;
  search: InboxSearch;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const manager = canManage(useRole());
  const [name, setName] = useState(inbox?.name ?? "");
  const [shared, setShared] = useState(false);
  const [useCurrent, setUseCurrent] = useState(inbox === null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const filters = useCurrent ? filtersFrom(search, inbox?.filters) : (inbox?.filters ?? {});

  const save = useMutation({
    mutationFn: () =>
      inbox
        ? ok(
            api.PATCH("/api/v1/custom-inboxes/{id}", {
              params: { path: { id: inbox.id } },
              body: { name, filters },
            }),
          )
        : ok(api.POST("/api/v1/custom-inboxes", { body: { name, shared, filters } })),
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: ["custom-inboxes"] });
      void qc.invalidateQueries({ queryKey: ["inbox"] });
      toast(inbox ? "Custom inbox saved" : `Custom inbox “${saved.name}” created`);
      void navigate({ to: "/inbox", search: { inbox: saved.id } });
      onClose();
    },
  });
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE("/api/v1/custom-inboxes/{id}", { params: { path: { id: inbox!.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["custom-inboxes"] });
      toast("Custom inbox deleted");
      void navigate({ to: "/inbox", search: {} });
      onClose();
    },
  });
  const err = save.error ?? remove.error;
  const nameError = err instanceof ApiError ? err.field("name") : undefined;

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  return (
    <Modal title={inbox ? "Edit custom inbox" : "New custom inbox"} open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required error={nameError} autoFocus />
        {inbox === null && manager ? (
          <label className="row">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            Share with the whole workspace
          </label>
        ) : null}
        {inbox ? (
          <label className="row">
            <input type="checkbox" checked={useCurrent} onChange={(e) => setUseCurrent(e.target.checked)} />
            Apply the filters on screen
          </label>
        ) : null}
        <p className="hint">Filters: {describe(filters)}</p>
        {err && !nameError ? <FormError error={err} /> : null}
        <div className="row between">
          {inbox ? (
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => (confirmDelete ? remove.mutate() : setConfirmDelete(true))}
            >
              {confirmDelete ? "Really delete?" : "Delete"}
            </Button>
          ) : (
            <span />
          )}
          <div className="row">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={save.isPending} disabled={!name.trim()}>
              {inbox ? "Save" : "Create"}
            </Button>
          </div>
        </div>
      </form>
    </Modal>
  );
}
