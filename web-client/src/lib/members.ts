// The workspace's members, loaded once and shared (names for ids, pickers).
import { useQuery } from "@tanstack/react-query";
import { api, ok, type Schemas } from "../api/client";

export type Member = Schemas["MemberView"];

async function allMembers(): Promise<Member[]> {
  const out: Member[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(api.GET("/api/v1/users", { params: { query: { limit: 100, cursor } } }));
    out.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

export function useMembers() {
  return useQuery({ queryKey: ["members"], queryFn: allMembers, staleTime: 60_000 });
}

/** A function naming a member by id ("Someone" while unknown). */
export function useMemberName(): (id: number | null | undefined) => string {
  const { data } = useMembers();
  return (id) => data?.find((m) => m.id === id)?.name ?? "Someone";
}
