// One contact under ["contact", id]: the inbox thread, the contact page and the panel share it,
// and realtime events invalidate it.
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";

export function useContact(contactId: number) {
  return useQuery({
    queryKey: ["contact", contactId],
    queryFn: () =>
      ok(api.GET("/api/v1/contacts/{contact}", { params: { path: { contact: String(contactId) } } })),
  });
}
