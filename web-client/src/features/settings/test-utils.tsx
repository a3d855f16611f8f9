// Test helpers for settings screens: a fake API answering by method and path, and a render
// wrapped in a fresh QueryClient.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { vi } from "vitest";

export type Call = { method: string; path: string; body: unknown };
type Handler = (call: Call) => { status?: number; body?: unknown } | undefined;

/** Routes every fetch to `handler`; unknown calls answer 404. Returns the calls seen. */
export function fakeApi(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://test"), init);
    const url = new URL(req.url, "http://test");
    const text = req.method === "GET" ? "" : await req.text();
    const call = { method: req.method, path: url.pathname + url.search, body: text ? JSON.parse(text) : undefined };
    calls.push(call);
    const answer = handler(call) ?? { status: 404, body: { type: "about:blank", title: "Not Found", status: 404, detail: "no such route in the test" } };
    const status = answer.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(answer.body ?? {}), {
      status,
      headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
    });
  });
  return calls;
}

/** Renders with a fresh QueryClient; `seed` pre-fills answers (say `["me"]`) so they are known at once. */
export function renderWithQuery(ui: ReactElement, seed: [unknown[], unknown][] = []) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  for (const [key, data] of seed) qc.setQueryData(key, data);
  return render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
}

export const me = {
  via: "user",
  role: "owner",
  workspaces: [],
  user: { id: 1, name: "Ana Lima", email: "ana@acme.test" },
  member: null,
  workspace: {
    id: 1,
    name: "Acme",
    timezone: "Asia/Kuala_Lumpur",
    closing_notes_mode: "optional",
    unassign_on_close: false,
    business_hours: {},
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  },
};
