// Contacts data, under the query keys the realtime layer invalidates:
// ["contacts", …] for lists, ["contact", id] and ["conversations", id] for one contact.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../../api/client";
import type { ContactsSearch } from "./search";

export type Contact = Schemas["ContactView"];
export const PAGE_SIZE = 50;

export function useContactList(filters: ContactsSearch) {
  return useInfiniteQuery({
    queryKey: ["contacts", "list", filters],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET("/api/v1/contacts", {
          params: { query: { ...filters, limit: PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: (prev) => prev,
  });
}

export function useMergeSuggestions() {
  return useQuery({
    queryKey: ["contacts", "merge-suggestions"],
    queryFn: () => ok(api.GET("/api/v1/contacts/merge-suggestions")),
  });
}
