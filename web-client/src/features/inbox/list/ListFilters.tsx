// Search (debounced), channel / tag / assignee filters and the sort of the thread list; all
// of it lives in the URL so a view can be reloaded and shared.
import { useEffect, useRef, useState } from "react";
import { useMembers } from "../../../lib/members";
import { useChannels, useTags } from "../api";
import type { InboxSearch, Sort } from "../search";

const SORT_LABELS: Record<Sort, string> = {
  newest: "Newest",
  oldest: "Oldest",
  waiting_longest: "Waiting longest",
};

export function ListFilters({
  search,
  onChange,
}: {
  search: InboxSearch;
  onChange: (patch: Partial<InboxSearch>) => void;
}) {
  const channels = useChannels();
  const tags = useTags();
  const members = useMembers();
  const viewSetsAssignee = !search.inbox && (search.view === "mine" || search.view === "unassigned");

  return (
    <div className="list-filters">
      <SearchBox value={search.search ?? ""} onSearch={(v) => onChange({ search: v || undefined })} />
      <div className="list-filter-row">
        <select
          aria-label="Channel"
          value={search.channel ?? ""}
          onChange={(e) => onChange({ channel: e.target.value ? Number(e.target.value) : undefined })}
        >
          <option value="">All channels</option>
          {channels.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Tag"
          value={search.tag ?? ""}
          onChange={(e) => onChange({ tag: e.target.value || undefined })}
        >
          <option value="">All tags</option>
          {tags.data?.map((t) => (
            <option key={t.id} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <div className="list-filter-row">
        <select
          aria-label="Assignee filter"
          value={viewSetsAssignee ? "" : (search.assignee ?? "")}
          disabled={viewSetsAssignee}
          title={viewSetsAssignee ? "This view already chooses the assignee" : undefined}
          onChange={(e) => onChange({ assignee: e.target.value || undefined })}
        >
          <option value="">Any assignee</option>
          <option value="me">Me</option>
          <option value="unassigned">Unassigned</option>
          {members.data?.map((m) => (
            <option key={m.id} value={String(m.id)}>
              {m.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Sort"
          value={search.sort ?? "newest"}
          onChange={(e) => onChange({ sort: e.target.value === "newest" ? undefined : (e.target.value as Sort) })}
        >
          {(Object.keys(SORT_LABELS) as Sort[]).map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

/** The search box: the URL follows what is typed once typing pauses. */
function SearchBox({ value, onSearch }: { value: string; onSearch: (v: string) => void }) {
  const [text, setText] = useState(value);
  const [synced, setSynced] = useState(value);
  // The URL changed from elsewhere (a view was chosen): show what it says.
  if (value !== synced) {
    setSynced(value);
    if (value !== text.trim()) setText(value);
  }
  const latest = useRef(onSearch);
  useEffect(() => {
    latest.current = onSearch;
  });
  useEffect(() => {
    if (text.trim() === value) return;
    const t = setTimeout(() => latest.current(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text, value]);
  return (
    <input
      type="search"
      className="list-search"
      aria-label="Search conversations"
      placeholder="Search name, phone, e-mail or id"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") onSearch(text.trim());
      }}
    />
  );
}
