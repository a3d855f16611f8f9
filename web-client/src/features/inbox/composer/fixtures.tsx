// Test-only: a contact as the server shows it, and rendering inside a fresh query client.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import type { Schemas } from "../../../api/client";

export function aContact(over: Partial<Schemas["ContactView"]> = {}): Schemas["ContactView"] {
  return {
    id: 7,
    first_name: "Maria",
    last_name: "Customer",
    name: "Maria Customer",
    email: null,
    phone: null,
    tags: [],
    fields: {},
    created_at: "2024-01-01T10:00:00Z",
    updated_at: "2024-01-01T10:00:00Z",
    channels: [
      { channel_id: 11, kind: "custom", name: "SMS bridge", external_id: "c-1", last_incoming_at: "2024-01-01T10:00:00Z" },
    ],
    reply_window: [{ channel_id: 11, open: true, closes_at: null, allowed: ["text", "attachment"] }],
    ...over,
  };
}

export const members = {
  items: [
    { id: 3, name: "Ana Lima", email: "ana@acme.test", role: "owner", status: "online", contact_visibility: "all", joined_at: "2024-01-01T00:00:00Z" },
    { id: 4, name: "Bruno Costa", email: "bruno@acme.test", role: "agent", status: "online", contact_visibility: "all", joined_at: "2024-01-01T00:00:00Z" },
  ],
  next_cursor: null,
};

export function renderWithClient(ui: ReactElement) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
  return { ...result, qc, rerenderWith: (next: ReactElement) => result.rerender(<QueryClientProvider client={qc}>{next}</QueryClientProvider>) };
}
