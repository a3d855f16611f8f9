// The signed-in session: a short-lived access token and a single-use refresh token, kept in
// localStorage so reloads and other tabs share it. Refreshing is serialised across tabs with
// the Web Locks API: presenting a refresh token twice revokes the whole session on the server.
import type { components } from "./schema";

export type Tokens = { access_token: string; refresh_token: string; expires_at: number };
type TokenPair = components["schemas"]["TokenPair"];

const KEY = "ism.session";
const listeners = new Set<(t: Tokens | null) => void>();

export function loadTokens(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

export function saveTokens(pair: Pick<TokenPair, "access_token" | "refresh_token" | "expires_in">) {
  const tokens: Tokens = {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    expires_at: Date.now() + pair.expires_in * 1000,
  };
  localStorage.setItem(KEY, JSON.stringify(tokens));
  listeners.forEach((l) => l(tokens));
}

export function clearTokens() {
  localStorage.removeItem(KEY);
  listeners.forEach((l) => l(null));
}

/** Called when this tab (or another one) signs in or out. */
export function onTokensChange(listener: (t: Tokens | null) => void): () => void {
  listeners.add(listener);
  const storage = (e: StorageEvent) => {
    if (e.key === KEY) listener(loadTokens());
  };
  window.addEventListener("storage", storage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", storage);
  };
}

let inFlight: Promise<Tokens | null> | null = null;

/**
 * A fresh access token: the stored one unless it expires within 30 s (or `force`), otherwise
 * a refreshed one. `null` means the session is over and the user must sign in again.
 */
export function freshTokens(force = false): Promise<Tokens | null> {
  const current = loadTokens();
  if (!current) return Promise.resolve(null);
  if (!force && current.expires_at - Date.now() > 30_000) return Promise.resolve(current);
  if (!inFlight) {
    const run = () => refresh(current.refresh_token);
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    const p = (locks ? locks.request("ism.refresh", run) : run()) as Promise<Tokens | null>;
    inFlight = p.finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}

async function refresh(seen: string): Promise<Tokens | null> {
  // Another tab may have refreshed while this one waited for the lock.
  const latest = loadTokens();
  if (!latest) return null;
  if (latest.refresh_token !== seen) return latest;
  const res = await fetch("/api/v1/auth/refresh", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: latest.refresh_token }),
  }).catch(() => null);
  if (!res) return latest; // offline: keep the session, the next call retries
  if (!res.ok) {
    clearTokens();
    return null;
  }
  saveTokens((await res.json()) as TokenPair);
  return loadTokens();
}
