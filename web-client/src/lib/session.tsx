// Who is signed in: the `/me` answer, shared by every screen through TanStack Query.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { api, ok, type Schemas } from "../api/client";
import { clearTokens, loadTokens, onTokensChange, saveTokens } from "../api/session";

export type Me = Schemas["Me"];
export type Role = Schemas["RoleName"];

export const meQuery = {
  queryKey: ["me"] as const,
  queryFn: () => ok(api.GET("/api/v1/me")),
};

export function useMe() {
  return useQuery(meQuery);
}

/** The signed-in member's role, or "agent" while unknown (never shows more than allowed). */
export function useRole(): Role {
  return useMe().data?.role ?? "agent";
}

export function canManage(role: Role) {
  return role === "owner" || role === "manager";
}

function subscribe(cb: () => void) {
  return onTokensChange(cb);
}

/** Whether a session is stored; re-renders when this or another tab signs in or out. */
export function useSignedIn(): boolean {
  return useSyncExternalStore(subscribe, () => loadTokens() !== null);
}

/** Starts a session from a signup, login or invitation answer. */
export function startSession(s: Schemas["Session"]) {
  saveTokens(s);
}

export async function signOut() {
  const t = loadTokens();
  clearTokens();
  if (t) {
    await fetch("/api/v1/auth/logout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: t.refresh_token }),
    }).catch(() => undefined);
  }
}

/** Drops every cached answer when the session ends, so the next user sees none of it. */
export function useClearCacheOnSignOut() {
  const qc = useQueryClient();
  const signedIn = useSignedIn();
  useEffect(() => {
    if (!signedIn) qc.clear();
  }, [signedIn, qc]);
}
