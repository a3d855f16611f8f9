// The workspace's configuration lists, each under the query key the realtime layer
// invalidates (see src/lib/realtime.tsx), so every open screen stays current.
import { useQuery } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../../api/client";
import { everyPage } from "../../api/paged";

export type Team = Schemas["TeamView"];
export type Channel = Schemas["ChannelView"];
export type Category = Schemas["ClosingNoteCategoryView"];
export type Snippet = Schemas["SnippetView"];
export type LibraryFile = Schemas["FileView"];
export type ApiToken = Schemas["ApiTokenView"];
export type Invitation = Schemas["InvitationView"];
export type ContactField = Schemas["ContactFieldView"];
export type Tag = Schemas["TagView"];

const q = { limit: 100 };

export function useTeams() {
  return useQuery({
    queryKey: ["teams"],
    queryFn: () => everyPage((cursor) => ok(api.GET("/api/v1/teams", { params: { query: { ...q, cursor } } }))),
  });
}

export function useChannels() {
  return useQuery({ queryKey: ["channels"], queryFn: () => ok(api.GET("/api/v1/channels")) });
}

export function useCategories() {
  return useQuery({
    queryKey: ["categories"],
    queryFn: () =>
      everyPage((cursor) =>
        ok(api.GET("/api/v1/closing-note-categories", { params: { query: { ...q, cursor } } })),
      ),
  });
}

export function useSnippets() {
  return useQuery({
    queryKey: ["snippets"],
    queryFn: () => everyPage((cursor) => ok(api.GET("/api/v1/snippets", { params: { query: { ...q, cursor } } }))),
  });
}

export function useLibraryFiles() {
  return useQuery({
    queryKey: ["files", "upload"],
    queryFn: () =>
      everyPage((cursor) =>
        ok(api.GET("/api/v1/files", { params: { query: { ...q, cursor, source: "upload" } } })),
      ),
  });
}

export function useApiTokens() {
  return useQuery({
    queryKey: ["api-tokens"],
    queryFn: () =>
      everyPage((cursor) => ok(api.GET("/api/v1/api-tokens", { params: { query: { ...q, cursor } } }))),
  });
}

export function useInvitations() {
  return useQuery({
    queryKey: ["invitations"],
    queryFn: () =>
      everyPage((cursor) => ok(api.GET("/api/v1/invitations", { params: { query: { ...q, cursor } } }))),
  });
}

export function useContactFields() {
  return useQuery({
    queryKey: ["contact-fields"],
    queryFn: async () => (await ok(api.GET("/api/v1/contact-fields"))).items,
  });
}

export function useTags() {
  return useQuery({
    queryKey: ["tags"],
    queryFn: () => everyPage((cursor) => ok(api.GET("/api/v1/tags", { params: { query: { ...q, cursor } } }))),
  });
}
