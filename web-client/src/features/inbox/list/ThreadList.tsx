// The virtualised thread list: only the rows on screen are in the DOM, more pages load as the
// end comes near, and ↑/↓ or j/k move through the threads and open them.
import { useNavigate } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type KeyboardEvent } from "react";
import { Avatar } from "../../../components/ui";
import { duration, timeAgo } from "../../../lib/format";
import { attachmentOf } from "../thread/Attachment";
import type { InboxRow } from "../api";
import { useNow } from "../useNow";

export const ROW_HEIGHT = 78;

export function ThreadList({
  rows,
  selectedId,
  checked,
  onCheck,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  nextPageError,
  label,
}: {
  rows: InboxRow[];
  selectedId: number | undefined;
  checked: Set<number>;
  onCheck: (id: number, on: boolean) => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  nextPageError: boolean;
  label: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const now = useNow(30_000);
  const pendingFocus = useRef<number | null>(null);
  const count = rows.length + (hasNextPage || nextPageError ? 1 : 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => rows[i]?.contact.id ?? "more",
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  const selectedIndex = rows.findIndex((r) => r.contact.id === selectedId);

  useEffect(() => {
    if (lastShown >= rows.length - 10 && hasNextPage && !isFetchingNextPage && !nextPageError) fetchNextPage();
  }, [lastShown, rows.length, hasNextPage, isFetchingNextPage, nextPageError, fetchNextPage]);

  // After moving with the keyboard, focus the row once it is rendered.
  useEffect(() => {
    const id = pendingFocus.current;
    if (id === null) return;
    const link = scroller.current?.querySelector<HTMLElement>(`[data-contact="${id}"] .thread-row-link`);
    if (link) {
      link.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  function open(index: number) {
    const row = rows[index];
    if (!row) return;
    pendingFocus.current = row.contact.id;
    virtualizer.scrollToIndex(index, { align: "auto" });
    void navigate({ to: "/inbox/$contactId", params: { contactId: row.contact.id }, search: true });
  }

  // j/k also work from anywhere on the page that is not taking text (the list need not have focus).
  const move = useRef<(by: number) => void>(() => {});
  useEffect(() => {
    move.current = (by) => {
      const from = selectedIndex;
      open(from < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, from + by)));
    };
  });
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key !== "j" && e.key !== "k") return;
      const t = e.target as HTMLElement | null;
      if (t?.closest("input, textarea, select, [contenteditable=''], [contenteditable='true'], dialog")) return;
      e.preventDefault();
      move.current(e.key === "j" ? 1 : -1);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const down = e.key === "ArrowDown" || e.key === "j";
    const up = e.key === "ArrowUp" || e.key === "k";
    const focused = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    const from = focused ? Number(focused.dataset.index) : selectedIndex;
    if (down || up) {
      e.preventDefault();
      const next = from < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, from + (down ? 1 : -1)));
      open(next);
    } else if (e.key === "x" && from >= 0 && rows[from]) {
      e.preventDefault();
      const id = rows[from]!.contact.id;
      onCheck(id, !checked.has(id));
    }
  }

  return (
    <div
      ref={scroller}
      className="thread-list"
      role="list"
      aria-label={label}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {items.map((v) => {
          const row = rows[v.index];
          return (
            <div
              key={v.key}
              role="listitem"
              data-index={v.index}
              data-contact={row?.contact.id}
              aria-setsize={hasNextPage ? -1 : rows.length}
              aria-posinset={v.index + 1}
              className="thread-row-slot"
              style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
            >
              {row ? (
                <Row
                  row={row}
                  tabbable={v.index === Math.max(0, selectedIndex)}
                  selected={row.contact.id === selectedId}
                  checked={checked.has(row.contact.id)}
                  onCheck={onCheck}
                  onOpen={() => open(v.index)}
                  now={now}
                />
              ) : nextPageError ? (
                <div className="thread-row-more">
                  <button type="button" className="link" onClick={fetchNextPage}>
                    More threads could not be loaded. Try again
                  </button>
                </div>
              ) : (
                <div className="thread-row-more" role="status">
                  <span className="spinner spinner-sm" aria-hidden /> Loading more…
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** What the last message said, in one line. */
function preview(row: InboxRow): string {
  const m = row.last_message;
  if (!m) return "No messages yet";
  const prefix = m.direction === "outgoing" ? "You: " : "";
  if (m.text) return prefix + m.text;
  if (m.attachment || m.file_id) {
    const a = attachmentOf(m);
    const what = a.voice
      ? "🎤 Voice note"
      : a.type === "image"
        ? "📷 Photo"
        : a.type === "audio"
          ? "🎵 Audio"
          : a.type === "video"
            ? "🎬 Video"
            : a.type === "location"
              ? "📍 Location"
              : `📎 ${a.name ?? "File"}`;
    return prefix + what;
  }
  return prefix + (m.type === "template" ? "Template message" : "Message");
}

function Row({
  row,
  tabbable,
  selected,
  checked,
  onCheck,
  onOpen,
  now,
}: {
  row: InboxRow;
  tabbable: boolean;
  selected: boolean;
  checked: boolean;
  onCheck: (id: number, on: boolean) => void;
  onOpen: () => void;
  now: number;
}) {
  const c = row.contact;
  const m = row.last_message;
  const channel =
    c.channels.find((ch) => ch.channel_id === m?.channel_id)?.name ?? c.channels[0]?.name ?? "No channel";
  const at = m?.created_at ?? c.last_interaction_at ?? c.updated_at;
  const waiting = row.waiting_since ? (now - new Date(row.waiting_since).getTime()) / 1000 : null;
  const closed = row.conversation?.status === "closed" || !c.open_conversation;
  return (
    <div className={`thread-row ${selected ? "selected" : ""} ${row.unread ? "unread" : ""} ${checked ? "checked" : ""}`}>
      <input
        type="checkbox"
        className="thread-row-check"
        aria-label={`Select ${c.name}`}
        checked={checked}
        onChange={(e) => onCheck(c.id, e.target.checked)}
        tabIndex={-1}
      />
      <a
        href={`/inbox/${c.id}`}
        className="thread-row-link"
        aria-current={selected ? "page" : undefined}
        tabIndex={tabbable ? 0 : -1}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          onOpen();
        }}
      >
        <span className="thread-row-line">
          {row.unread ? (
            <span className="unread-dot" role="img" aria-label="Unread" />
          ) : null}
          <span className="thread-row-name truncate">{c.name}</span>
          <time className="thread-row-time" dateTime={at} title={new Date(at).toLocaleString()}>
            {timeAgo(at, now)}
          </time>
        </span>
        <span className="thread-row-preview truncate">{preview(row)}</span>
        <span className="thread-row-line thread-row-meta">
          <span className="thread-row-channel truncate">{channel}</span>
          {closed ? <span className="status-pill is-closed">Closed</span> : null}
          {waiting !== null ? (
            <span className="waiting" title={`Waiting for a reply for ${duration(waiting)}`}>
              ⏳ {duration(waiting)}
            </span>
          ) : null}
          <span className="thread-row-assignee">
            {c.assignee ? (
              <span title={`Assigned to ${c.assignee.name}`}>
                <Avatar name={c.assignee.name} size={20} />
                <span className="sr-only">Assigned to {c.assignee.name}</span>
              </span>
            ) : (
              <span className="muted small">Unassigned</span>
            )}
          </span>
        </span>
      </a>
    </div>
  );
}
