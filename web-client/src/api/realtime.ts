// One Server-Sent Events connection per signed-in tab. EventSource cannot send headers, so
// every (re)connection first takes a single-use ticket; the id of the last event seen is
// passed along so the server replays whatever happened while the connection was down.
import { api, ok } from "./client";

export type ServerEvent = {
  id: number;
  type: string;
  subject_type: string;
  subject_id: number | null;
  created_at: string;
  data: unknown;
};

/** Every event type the server emits; EventSource only delivers types it listens for. */
export const EVENT_TYPES = [
  "message.created",
  "message.updated",
  "comment.created",
  "conversation.opened",
  "conversation.closed",
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "contact.merged",
  "contact.tag.updated",
  "contact.assignee.updated",
  "inbox.read",
  "notification.created",
  "notification.read",
  "user.status.updated",
  "user.added",
  "user.updated",
  "user.removed",
  "team.created",
  "team.updated",
  "team.deleted",
  "channel.created",
  "channel.updated",
  "channel.deleted",
  "custom_inbox.created",
  "custom_inbox.updated",
  "custom_inbox.deleted",
  "snippet.created",
  "snippet.updated",
  "snippet.deleted",
  "file.created",
  "file.deleted",
  "tag.created",
  "tag.deleted",
  "contact_field.created",
  "contact_field.updated",
  "contact_field.deleted",
  "closing_note_category.created",
  "closing_note_category.updated",
  "closing_note_category.deleted",
  "workspace.updated",
  "api_token.created",
  "api_token.revoked",
] as const;

/** The piece of EventSource this module uses, so tests can inject their own. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (e: MessageEvent) => void): void;
  close(): void;
  onopen: ((e: Event) => void) | null;
  onerror: ((e: Event) => void) | null;
}
export type Transport = (url: string) => EventSourceLike;

export type ConnectionState = "connecting" | "live" | "offline";

export type RealtimeOptions = {
  onEvent: (e: ServerEvent) => void;
  onState?: (s: ConnectionState) => void;
  transport?: Transport;
  ticket?: () => Promise<string>;
  /**
   * Called when a connection opens after a drop before any event id was known: nothing can
   * be replayed then, so the caller should refetch what it shows.
   */
  onResync?: () => void;
  /** Delay before reconnecting after the n-th consecutive failure. */
  backoff?: (n: number) => number;
};

const defaultTicket = async () =>
  (await ok(api.POST("/api/v1/events/ticket"))).ticket;

/** Connects and keeps connecting until `stop()`; events arrive in id order, each once. */
export function connectRealtime(opts: RealtimeOptions): { stop: () => void } {
  const transport = opts.transport ?? ((url) => new EventSource(url) as EventSourceLike);
  const ticket = opts.ticket ?? defaultTicket;
  const backoff = opts.backoff ?? ((n) => Math.min(30_000, 500 * 2 ** Math.min(n, 6)));
  let lastId: number | null = null;
  let source: EventSourceLike | null = null;
  let failures = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  let dropped = false;
  /** A reconnection is scheduled (after a backoff). */
  let waiting = false;
  const retry = () => {
    dropped = true;
    source?.close();
    source = null;
    if (stopped) return;
    opts.onState?.("offline");
    waiting = true;
    timer = setTimeout(() => {
      waiting = false;
      void open();
    }, backoff(failures++));
  };

  const deliver = (msg: MessageEvent) => {
    const id = Number(msg.lastEventId);
    if (lastId !== null && id <= lastId) return; // replayed twice across a reconnect
    lastId = id;
    try {
      opts.onEvent(JSON.parse(msg.data) as ServerEvent);
    } catch {
      // A malformed frame is skipped; the next one carries on.
    }
  };

  async function open() {
    if (stopped) return;
    opts.onState?.("connecting");
    let t: string;
    try {
      t = await ticket();
    } catch {
      retry();
      return;
    }
    if (stopped) return;
    const params = new URLSearchParams({ ticket: t });
    if (lastId !== null) params.set("last_event_id", String(lastId));
    const es = transport(`/api/v1/events/stream?${params}`);
    source = es;
    const afterDrop = failures > 0 || dropped;
    es.onopen = () => {
      failures = 0;
      if (afterDrop && lastId === null) opts.onResync?.();
      opts.onState?.("live");
    };
    // The browser would reconnect by itself with the spent ticket; do it with a new one.
    es.onerror = () => {
      if (source === es) retry();
    };
    for (const type of EVENT_TYPES) es.addEventListener(type, deliver);
  }

  // A dropped network often leaves the stream hanging without an error: when the browser
  // says it is offline, drop the stream; when it is back, reconnect at once (not after the
  // backoff), resuming from the last event seen.
  const onOffline = () => {
    if (source) retry();
  };
  const onOnline = () => {
    if (stopped || !waiting) return;
    clearTimeout(timer);
    waiting = false;
    failures = 0;
    void open();
  };
  const win = typeof window !== "undefined" ? window : undefined;
  win?.addEventListener("offline", onOffline);
  win?.addEventListener("online", onOnline);

  void open();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      source?.close();
      win?.removeEventListener("offline", onOffline);
      win?.removeEventListener("online", onOnline);
    },
  };
}
