// The inbox's server data: the thread list, a contact's timeline and the lists the inbox
// filters and dialogs pick from. Query keys follow src/lib/realtime.tsx so events refresh them.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../../api/client";
import { everyPage } from "../../api/paged";
import type { InboxSearch } from "./search";

export type InboxRow = Schemas["InboxRow"];
export type TimelineItem = Schemas["TimelineItem"];
export type Contact = Schemas["ContactView"];
export type Category = Schemas["ClosingNoteCategoryView"];
export type CustomInbox = Schemas["CustomInboxView"];

/** The server's largest page: fewer requests when a long list is refreshed. */
export const INBOX_PAGE_SIZE = 100;
export const TIMELINE_PAGE_SIZE = 30;

/** The `GET /inbox` query for what the URL asks: a view (or custom inbox), filters and sort. */
export function inboxQueryParams(s: InboxSearch) {
  const view = s.inbox ? undefined : (s.view ?? "all");
  let status: string | undefined = view ? "open" : undefined;
  let assignee = s.assignee;
  if (view === "closed") status = "closed";
  if (view === "mine") assignee = "me";
  if (view === "unassigned") assignee = "unassigned";
  return {
    status,
    assignee,
    inbox: s.inbox ? String(s.inbox) : undefined,
    channel: s.channel ? String(s.channel) : undefined,
    tag: s.tag,
    search: s.search,
    sort: s.sort,
  };
}

export function useInboxList(s: InboxSearch) {
  const params = inboxQueryParams(s);
  return useInfiniteQuery({
    queryKey: ["inbox", "list", params],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET("/api/v1/inbox", {
          params: { query: { ...params, limit: INBOX_PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useTimeline(contactId: number) {
  return useInfiniteQuery({
    queryKey: ["timeline", contactId],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET("/api/v1/contacts/{contact}/messages", {
          params: {
            path: { contact: String(contactId) },
            query: { limit: TIMELINE_PAGE_SIZE, cursor: pageParam },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCategories() {
  return useQuery({
    queryKey: ["categories", "all"],
    queryFn: () =>
      everyPage((cursor) =>
        ok(api.GET("/api/v1/closing-note-categories", { params: { query: { limit: 100, cursor } } })),
      ),
  });
}

export function useCustomInboxes() {
  return useQuery({
    queryKey: ["custom-inboxes", "all"],
    queryFn: () =>
      everyPage((cursor) =>
        ok(api.GET("/api/v1/custom-inboxes", { params: { query: { limit: 100, cursor } } })),
      ),
  });
}

export function useChannels() {
  return useQuery({
    queryKey: ["channels", "all"],
    queryFn: () => ok(api.GET("/api/v1/channels")),
    staleTime: 60_000,
  });
}

export function useTags() {
  return useQuery({
    queryKey: ["tags", "all"],
    queryFn: () =>
      everyPage((cursor) => ok(api.GET("/api/v1/tags", { params: { query: { limit: 100, cursor } } }))),
    staleTime: 60_000,
  });
}
