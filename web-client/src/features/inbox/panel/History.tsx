// The contact's past conversations with their closing notes and metrics, and the contact's
// activity history (field, tag and assignment changes, with who made them).
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { api, ok, type Schemas } from "../../../api/client";
import { Button, EmptyState, ErrorState, Spinner } from "../../../components/ui";
import { dateTime, duration, timeAgo } from "../../../lib/format";
import { useMemberName } from "../../../lib/members";
import { contactFieldsQuery } from "./CustomFields";

type Conversation = Schemas["ConversationView"];
type Activity = Schemas["ActivityView"];

function usePaged<T>(key: unknown[], fetchPage: (cursor?: string) => Promise<{ items: T[]; next_cursor?: string | null }>) {
  return useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function Conversations({ contactId }: { contactId: number }) {
  const id = useId();
  // Under ["conversations", id] so realtime events refresh it.
  const q = usePaged<Conversation>(["conversations", contactId, "pages"], (cursor) =>
    ok(
      api.GET("/api/v1/contacts/{contact}/conversations", {
        params: { path: { contact: String(contactId) }, query: { limit: 10, cursor } },
      }),
    ),
  );
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="panel-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Conversations</h3>
      {q.isPending ? (
        <Spinner label="Loading conversations" />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No conversations yet" />
      ) : (
        <ol className="history" aria-label="Conversations">
          {items.map((c) => (
            <ConversationItem key={c.id} c={c} />
          ))}
        </ol>
      )}
      {q.hasNextPage ? (
        <Button variant="ghost" busy={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          Show older conversations
        </Button>
      ) : null}
    </section>
  );
}

function ConversationItem({ c }: { c: Conversation }) {
  const name = useMemberName();
  const open = c.status === "open";
  const closedBy =
    c.closed_by != null ? name(c.closed_by) : c.closed_source ? sourceLabel(c.closed_source) : null;
  return (
    <li className={`history-item conversation${open ? " open" : ""}`}>
      <div className="row between">
        <strong>{open ? "Open conversation" : c.category ?? "Closed"}</strong>
        <span className={`pill status-${c.status}`}>{open ? "Open" : "Closed"}</span>
      </div>
      {c.summary ? <p className="summary">{c.summary}</p> : null}
      <div className="muted small">
        Opened {dateTime(c.opened_at)}
        {c.closed_at ? ` · closed ${dateTime(c.closed_at)}` : ""}
        {closedBy ? ` by ${closedBy}` : ""}
      </div>
      <div className="muted small">
        {c.first_response_seconds != null ? `First response ${duration(c.first_response_seconds)} · ` : ""}
        {c.resolution_seconds != null ? `Resolved in ${duration(c.resolution_seconds)} · ` : ""}
        {c.incoming_count} in / {c.outgoing_count} out
      </div>
    </li>
  );
}

function sourceLabel(source: string): string {
  return (
    { user: "a teammate", api: "the API", merge: "a merge", workflow: "a workflow", auto_close: "auto-close" }[source] ??
    source
  );
}

const STANDARD: Record<string, string> = {
  first_name: "First name",
  last_name: "Last name",
  email: "E-mail",
  phone: "Phone",
  country: "Country",
  language: "Language",
  profile_pic: "Profile picture",
};

export function ActivityHistory({ contactId }: { contactId: number }) {
  const id = useId();
  const name = useMemberName();
  const defs = useQuery(contactFieldsQuery);
  const q = usePaged<Activity>(["activity", contactId, "pages"], (cursor) =>
    ok(
      api.GET("/api/v1/contacts/{contact}/activity", {
        params: { path: { contact: String(contactId) }, query: { limit: 25, cursor } },
      }),
    ),
  );
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const fieldName = (key: string) => STANDARD[key] ?? defs.data?.find((d) => d.key === key)?.name ?? key;
  const actor = (a: Activity) =>
    a.actor_type === "user" ? name(a.actor_id) : sourceLabel(a.actor_type === "contact" ? "the contact" : a.actor_type);
  return (
    <section className="panel-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Activity</h3>
      {q.isPending ? (
        <Spinner label="Loading activity" />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No activity yet" />
      ) : (
        <ol className="history" aria-label="Activity">
          {items.map((a) => (
            <li key={a.id} className="history-item">
              <span>{describe(a, fieldName, name)}</span>
              <span className="muted small" title={dateTime(a.created_at)}>
                {actor(a)} · {timeAgo(a.created_at)}
              </span>
            </li>
          ))}
        </ol>
      )}
      {q.hasNextPage ? (
        <Button variant="ghost" busy={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          Show older activity
        </Button>
      ) : null}
    </section>
  );
}

const text = (v: unknown) => (v === null || v === undefined || v === "" ? null : String(v));

export function describe(
  a: Activity,
  fieldName: (key: string) => string,
  member: (id: number | null | undefined) => string,
): string {
  const d = (a.detail ?? {}) as Record<string, unknown>;
  switch (a.kind) {
    case "created":
      return "Contact created";
    case "field_changed": {
      const label = fieldName(String(d.field ?? ""));
      const from = text(d.from);
      const to = text(d.to);
      if (to === null) return `${label} cleared${from ? ` (was ${from})` : ""}`;
      return from === null ? `${label} set to ${to}` : `${label} changed from ${from} to ${to}`;
    }
    case "tag_added":
      return `Tag “${text(d.tag)}” added`;
    case "tag_removed":
      return `Tag “${text(d.tag)}” removed`;
    case "assigned":
      return `Assigned to ${member(typeof d.to === "number" ? d.to : null)}`;
    case "unassigned":
      return "Unassigned";
    case "merged":
      return `Merged with ${text(d.secondary_name) ?? `contact #${text(d.secondary_id)}`}`;
    case "conversation_opened":
      return "Conversation opened";
    case "conversation_closed":
      return `Conversation closed${d.category ? ` as ${text(d.category)}` : ""}`;
    default:
      return a.kind.replace(/_/g, " ");
  }
}
