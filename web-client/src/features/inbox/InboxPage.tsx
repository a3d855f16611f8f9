// The inbox: views and custom inboxes on the left, the filtered thread list, and the selected
// thread. Everything it shows is kept current by the realtime events (see lib/realtime).
import { getRouteApi, useNavigate, useParams } from "@tanstack/react-router";
import { useCallback, useMemo, useState } from "react";
import { EmptyState, ErrorState, Spinner } from "../../components/ui";
import { inboxQueryParams, useInboxList } from "./api";
import { InboxNav } from "./InboxNav";
import { BulkBar, BulkReport, type BulkOutcome } from "./list/BulkBar";
import { ListFilters } from "./list/ListFilters";
import { ThreadList } from "./list/ThreadList";
import type { InboxSearch } from "./search";
import { Thread } from "./thread/Thread";
import "./inbox.css";

const inboxRoute = getRouteApi("/app/inbox");

export function InboxPage() {
  const search = inboxRoute.useSearch();
  const { contactId } = useParams({ strict: false });
  const navigate = useNavigate();
  const list = useInboxList(search);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  // The selection belongs to one list: another view or filter starts afresh.
  const listKey = JSON.stringify(inboxQueryParams(search));
  const [selection, setSelection] = useState<{ key: string; ids: Set<number> }>({ key: listKey, ids: new Set() });
  const checked = selection.key === listKey ? selection.ids : new Set<number>();
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);

  const onCheck = useCallback(
    (id: number, on: boolean) =>
      setSelection((s) => {
        const ids = new Set(s.key === listKey ? s.ids : []);
        if (on) ids.add(id);
        else ids.delete(id);
        return { key: listKey, ids };
      }),
    [listKey],
  );
  const allChecked = rows.length > 0 && rows.every((r) => checked.has(r.contact.id));
  const someChecked = !allChecked && rows.some((r) => checked.has(r.contact.id));
  const selectAll = (on: boolean) =>
    setSelection({ key: listKey, ids: new Set(on ? rows.map((r) => r.contact.id) : []) });

  const names = useMemo(() => new Map(rows.map((r) => [r.contact.id, r.contact.name])), [rows]);
  const nameOf = (id: number) => names.get(id) ?? `Contact #${id}`;

  const changeFilters = (patch: Partial<InboxSearch>) =>
    void navigate({ to: ".", search: (prev: InboxSearch) => ({ ...prev, ...patch }), replace: true });

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const label = search.inbox ? "Custom inbox threads" : `${search.view ?? "all"} threads`;

  return (
    <div className="inbox">
      <InboxNav search={search} />
      <section className="inbox-list" aria-label="Threads">
        <ListFilters search={search} onChange={changeFilters} />
        <div className="list-head row between">
          <label className="row small">
            <input
              type="checkbox"
              checked={allChecked}
              ref={(el) => {
                if (el) el.indeterminate = someChecked;
              }}
              disabled={rows.length === 0}
              onChange={(e) => selectAll(e.target.checked)}
              aria-label="Select all visible"
            />
            <span aria-hidden>All</span>
          </label>
          <span className="muted small" aria-live="polite">
            {list.isSuccess
              ? `${rows.length}${hasNextPage ? "+" : ""} ${rows.length === 1 ? "thread" : "threads"}`
              : ""}
            {list.isFetching && !list.isPending ? <span className="spinner spinner-sm list-refreshing" aria-hidden /> : null}
          </span>
        </div>
        {checked.size > 0 ? (
          <BulkBar
            selected={[...checked]}
            nameOf={nameOf}
            onClear={() => selectAll(false)}
            onDone={(o, failedIds) => {
              setOutcome(o);
              setSelection({ key: listKey, ids: new Set(failedIds) });
            }}
          />
        ) : null}
        {outcome ? <BulkReport outcome={outcome} onDismiss={() => setOutcome(null)} /> : null}
        {list.isPending ? (
          <Spinner label="Loading threads" />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title={search.search ? "No thread matches this search" : "No threads here"}>
            {search.view === "closed" ? "Closed conversations show up here." : "New messages show up here as they arrive."}
          </EmptyState>
        ) : (
          <ThreadList
            rows={rows}
            selectedId={contactId}
            checked={checked}
            onCheck={onCheck}
            hasNextPage={hasNextPage}
            isFetchingNextPage={isFetchingNextPage}
            fetchNextPage={loadMore}
            nextPageError={list.isFetchNextPageError}
            label={label}
          />
        )}
      </section>
      <div className="inbox-thread">
        {contactId ? (
          <Thread key={contactId} contactId={contactId} />
        ) : (
          <EmptyState title="Choose a thread">Pick a conversation on the left, or move with ↑/↓ (j/k); x selects one for bulk actions.</EmptyState>
        )}
      </div>
    </div>
  );
}
