// A contact's thread, oldest at the top: scrolling up loads older history without moving
// what is on screen; new items keep the view at the bottom when it was there.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { api, ok } from "../../../api/client";
import { EmptyState, ErrorState, Spinner } from "../../../components/ui";
import { useMemberName } from "../../../lib/members";
import { useMe } from "../../../lib/session";
import { useTimeline, type Contact, type TimelineItem } from "../api";
import { TimelineEntry } from "./TimelineEntry";

/** Loading older history starts this close to the top (px). */
const LOAD_OLDER_AT = 240;
/** Within this distance of the bottom the view follows new items (px). */
const STICKY = 80;

const keyOf = (i: TimelineItem) =>
  i.message ? `m${i.message.id}` : i.comment ? `c${i.comment.id}` : `a${i.activity?.id ?? i.at}`;

export function Timeline({ contact }: { contact: Contact }) {
  const q = useTimeline(contact.id);
  const nameOf = useMemberName();
  const me = useMe().data;
  const qc = useQueryClient();
  const items = useMemo(() => (q.data ? q.data.pages.flatMap((p) => p.items).reverse() : []), [q.data]);
  const scroller = useRef<HTMLDivElement>(null);
  const fromBottom = useRef(0);
  const shownNewest = useRef<string | null>(null);
  const [unseen, setUnseen] = useState(0);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = q;

  const newest = items.at(-1);
  const newestKey = newest ? keyOf(newest) : null;

  // Keep the view where the reader left it: at the bottom when new items come (if it was
  // there, or the reader wrote them), at the same place when older history is prepended.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !newestKey) return;
    const first = shownNewest.current === null;
    const changed = newestKey !== shownNewest.current;
    shownNewest.current = newestKey;
    const mine =
      newest?.message?.direction === "outgoing" && newest.message.sender.id === me?.user?.id;
    const mineNote = newest?.comment?.author.id === me?.user?.id && newest?.comment?.author.type === "user";
    if (first || (changed && (fromBottom.current < STICKY || mine || mineNote))) {
      el.scrollTop = el.scrollHeight;
      fromBottom.current = 0;
      setUnseen(0);
    } else {
      el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom.current;
      if (changed) setUnseen((n) => n + 1);
    }
  }, [items, newestKey, newest, me?.user?.id]);

  // A short history does not fill the view, so nothing scrolls: load older items directly.
  useEffect(() => {
    const el = scroller.current;
    if (!el || !hasNextPage || isFetchingNextPage) return;
    if (el.scrollTop < LOAD_OLDER_AT) void fetchNextPage();
  }, [items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Opening the thread, and every new incoming message while it is open, marks it read.
  const newestIncoming = useMemo(
    () => [...items].reverse().find((i) => i.message?.direction === "incoming")?.message?.id,
    [items],
  );
  const markRead = useMutation({
    mutationFn: () =>
      ok(api.POST("/api/v1/contacts/{contact}/read", { params: { path: { contact: String(contact.id) } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["inbox"] }),
  });
  const { mutate: mark } = markRead;
  useEffect(() => {
    if (newestIncoming !== undefined && me?.via === "user") mark();
  }, [newestIncoming, mark, me?.via]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    fromBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom.current < STICKY) setUnseen(0);
    if (el.scrollTop < LOAD_OLDER_AT && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }

  function toBottom() {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    fromBottom.current = 0;
    setUnseen(0);
  }

  /** Media that loads later grows the thread: stay at the bottom if that is where it was. */
  function onMediaLoad() {
    const el = scroller.current;
    if (el && fromBottom.current < STICKY) el.scrollTop = el.scrollHeight;
  }

  return (
    <div className="timeline-wrap">
      <div
        ref={scroller}
        className="timeline"
        onScroll={onScroll}
        role="log"
        aria-label={`Conversation with ${contact.name}`}
        aria-busy={q.isFetching || undefined}
        tabIndex={0}
      >
        {q.isPending ? (
          <Spinner label="Loading the conversation" />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState title="No messages yet">Write the first message below.</EmptyState>
        ) : (
          <>
            <div className="timeline-top">
              {isFetchingNextPage ? (
                <span className="row muted small" role="status">
                  <span className="spinner spinner-sm" aria-hidden /> Loading older messages…
                </span>
              ) : q.isFetchNextPageError ? (
                <button type="button" className="link" onClick={() => void fetchNextPage()}>
                  Older messages could not be loaded. Try again
                </button>
              ) : hasNextPage ? (
                <button type="button" className="link" onClick={() => void fetchNextPage()}>
                  Load older messages
                </button>
              ) : (
                <span className="muted small">Beginning of the conversation</span>
              )}
            </div>
            {items.map((item, n) => {
              const day = new Date(item.at).toDateString();
              const prevDay = n > 0 ? new Date(items[n - 1]!.at).toDateString() : null;
              return (
                <div key={keyOf(item)} className="tl-item">
                  {day !== prevDay ? (
                    <div className="tl-day" role="separator">
                      <span>{new Date(item.at).toLocaleDateString([], { dateStyle: "medium" })}</span>
                    </div>
                  ) : null}
                  <TimelineEntry item={item} contactName={contact.name} nameOf={nameOf} onMediaLoad={onMediaLoad} />
                </div>
              );
            })}
          </>
        )}
      </div>
      {unseen > 0 ? (
        <button type="button" className="btn btn-primary new-below" onClick={toBottom}>
          {unseen === 1 ? "1 new item" : `${unseen} new items`} ↓
        </button>
      ) : null}
    </div>
  );
}
