// The workspace's members, loaded once and shared (names for ids, pickers).
import { useQuery } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../api/client";
import { everyPage } from "../api/paged";

export type Member = Schemas["MemberView"];

function allMembers(): Promise<Member[]> {
  return everyPage((cursor) => ok(api.GET("/api/v1/users", { params: { query: { limit: 100, cursor } } })));
}

export function useMembers() {
  return useQuery({ queryKey: ["members"], queryFn: allMembers, staleTime: 60_000 });
}

/** A function naming a member by id ("Someone" while unknown). */
export function useMemberName(): (id: number | null | undefined) => string {
  const { data } = useMembers();
  return (id) => data?.find((m) => m.id === id)?.name ?? "Someone";
}
