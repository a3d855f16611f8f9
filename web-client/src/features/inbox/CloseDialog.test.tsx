import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { api, ok } from "../../api/client";
import { CloseDialog, type ClosingNote } from "./CloseDialog";

type Sent = { method: string; path: string; body: unknown };

const categories = [
  { id: 1, name: "Delivery", description: "Where is my parcel", created_at: "", updated_at: "" },
  { id: 2, name: "Billing", description: "Invoices and refunds", created_at: "", updated_at: "" },
];

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
  });

/** The closing rules of a workspace in `mode`, as the server applies them. */
function serverFor(mode: string, sent: Sent[]) {
  return async (input: RequestInfo | URL) => {
    const req = input as Request;
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/api/v1/closing-note-categories")
      return json(200, { items: categories, next_cursor: null });
    if (req.method === "POST" && path === "/api/v1/contacts/7/conversation") {
      const body = (await req.json()) as { category?: string | null; summary?: string | null };
      sent.push({ method: req.method, path, body });
      const errors = [];
      if (mode === "disabled" && (body.category || body.summary))
        errors.push({ field: "category", message: "is not taken: closing notes are disabled" });
      if ((mode === "category_required" || mode === "category_and_summary_required") && !body.category)
        errors.push({ field: "category", message: "is required to close a conversation" });
      if (mode === "category_and_summary_required" && !body.summary)
        errors.push({ field: "summary", message: "is required to close a conversation" });
      if (errors.length)
        return json(422, { type: "/problems/validation", title: "Unprocessable Entity", status: 422, detail: "the request has invalid fields", errors });
      return json(200, { id: 1, contact_id: 7, status: "closed" });
    }
    return json(404, { type: "about:blank", title: "Not Found", status: 404, detail: `no ${path}` });
  };
}

function closeThroughApi(note: ClosingNote) {
  return ok(
    api.POST("/api/v1/contacts/{contact}/conversation", {
      params: { path: { contact: "7" } },
      body: { status: "closed", category: note.category ?? null, summary: note.summary ?? null },
    }),
  );
}

function renderDialog(mode: "disabled" | "optional" | "category_required" | "category_and_summary_required") {
  const onClose = vi.fn();
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <CloseDialog open mode={mode} subject="Maria Customer" onSubmit={closeThroughApi} onClose={onClose} />
    </QueryClientProvider>,
  );
  return { onClose, user: userEvent.setup() };
}

const submit = () => screen.getByRole("button", { name: "Close conversation" });

describe("the close dialog", () => {
  let sent: Sent[];
  beforeEach(() => {
    sent = [];
  });
  afterEach(() => vi.restoreAllMocks());

  it("asks for no note when closing notes are disabled", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(serverFor("disabled", sent));
    const { onClose, user } = renderDialog("disabled");
    expect(screen.getByText(/takes no closing notes/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/Category/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Summary/)).not.toBeInTheDocument();
    await user.click(submit());
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(sent).toEqual([
      { method: "POST", path: "/api/v1/contacts/7/conversation", body: { status: "closed", category: null, summary: null } },
    ]);
  });

  it("lets both fields be left empty when notes are optional, and sends them when given", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(serverFor("optional", sent));
    const { onClose, user } = renderDialog("optional");
    expect(screen.getByLabelText(/Category/)).toHaveAccessibleName(/\(optional\)/);
    expect(screen.getByLabelText(/Summary/)).toHaveAccessibleName(/\(optional\)/);
    // Each category shows its description.
    expect(await screen.findByRole("option", { name: "Billing — Invoices and refunds" })).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText(/Category/), "Billing");
    expect(screen.getByText("Invoices and refunds", { selector: ".hint" })).toBeInTheDocument();
    await user.type(screen.getByLabelText(/Summary/), "  Refund issued  ");
    await user.click(submit());
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(sent[0]!.body).toEqual({ status: "closed", category: "Billing", summary: "Refund issued" });
  });

  it("shows the server's refusal without a category, then closes with one", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(serverFor("category_required", sent));
    const { onClose, user } = renderDialog("category_required");
    expect(screen.getByLabelText(/Category/)).toHaveAccessibleName(/\(required\)/);
    expect(screen.getByLabelText(/Summary/)).toHaveAccessibleName(/\(optional\)/);
    await user.click(submit());
    expect(await screen.findByRole("alert")).toHaveTextContent("Category is required to close a conversation");
    expect(screen.getByLabelText(/Category/)).toHaveAttribute("aria-invalid", "true");
    expect(onClose).not.toHaveBeenCalled();

    await screen.findByRole("option", { name: /Delivery/ });
    await user.selectOptions(screen.getByLabelText(/Category/), "Delivery");
    await user.click(submit());
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(sent.map((s) => s.body)).toEqual([
      { status: "closed", category: null, summary: null },
      { status: "closed", category: "Delivery", summary: null },
    ]);
  });

  it("shows each missing field the server names when category and summary are required", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(serverFor("category_and_summary_required", sent));
    const { onClose, user } = renderDialog("category_and_summary_required");
    expect(screen.getByLabelText(/Summary/)).toHaveAccessibleName(/\(required\)/);
    await screen.findByRole("option", { name: /Delivery/ });
    await user.selectOptions(screen.getByLabelText(/Category/), "Delivery");
    await user.click(submit());
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Summary is required to close a conversation");
    expect(screen.getByLabelText(/Summary/)).toHaveAttribute("aria-invalid", "true");
    expect(onClose).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText(/Summary/), "Parcel re-sent");
    await user.click(submit());
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it("shows a refusal that names no field as a message", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const req = input as Request;
      if (req.method === "GET") return json(200, { items: categories, next_cursor: null });
      return json(409, { type: "about:blank", title: "Conflict", status: 409, detail: "the contact has no open conversation" });
    });
    const { onClose, user } = renderDialog("optional");
    await user.click(submit());
    expect(await screen.findByRole("alert")).toHaveTextContent("the contact has no open conversation");
    expect(onClose).not.toHaveBeenCalled();
  });
});
