import { fakeApi, me, renderWithQuery } from "../test-utils";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SnippetEditor } from "./SnippetsSettings";

const snippet = {
  id: 7,
  name: "Greeting",
  content: "Hi $contact.firstname, welcome!",
  file_ids: [],
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};
const maria = {
  id: 42,
  first_name: "Maria",
  last_name: "Souza",
  name: "Maria Souza",
  email: "maria@acme.test",
  phone: null,
  tags: [],
  fields: { membership: "gold" },
  channels: [],
  reply_window: [],
  assignee: { id: 1, name: "Ana Lima" },
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};
const members = [
  { id: 1, name: "Ana Lima", email: "ana@acme.test", role: "owner", status: "online", contact_visibility: "all", joined_at: "" },
];

function api(onSave?: () => { status: number; body: unknown }) {
  return fakeApi(({ method, path }) => {
    if (path === "/api/v1/me") return { body: me };
    if (path.startsWith("/api/v1/users")) return { body: { items: members, next_cursor: null } };
    if (path === "/api/v1/contact-fields")
      return { body: { items: [{ id: 1, key: "membership", name: "Membership", type: "text", options: [] }] } };
    if (path.startsWith("/api/v1/files")) return { body: { items: [], next_cursor: null } };
    if (method === "GET" && path.startsWith("/api/v1/contacts")) return { body: { items: [maria], next_cursor: null } };
    if (method === "POST" && path === "/api/v1/snippets/7/render")
      return { body: { text: "Hi Maria, welcome! (from the server)", file_ids: [] } };
    if (method === "PATCH" && path === "/api/v1/snippets/7" && onSave) return onSave();
  });
}

describe("snippet editor preview", () => {
  afterEach(() => vi.restoreAllMocks());

  it("asks the server for a saved snippet and fills a draft in the browser as it is typed", async () => {
    const calls = api();
    const user = userEvent.setup();
    renderWithQuery(<SnippetEditor snippet={snippet} onDone={() => {}} />);
    const preview = screen.getByRole("region", { name: "Snippet preview" });
    // Without a contact only the text around the variables shows.
    expect(preview).toHaveTextContent("Hi , welcome!");

    await screen.findByRole("option", { name: /Maria Souza/ });
    await user.selectOptions(screen.getByLabelText("Preview for"), "42");
    await waitFor(() => expect(preview).toHaveTextContent("Hi Maria, welcome! (from the server)"));
    expect(calls).toContainEqual({ method: "POST", path: "/api/v1/snippets/7/render", body: { contact: "42" } });
    expect(screen.getByText("Filled by the server for Maria Souza.")).toBeInTheDocument();

    // Editing makes it a draft: filled locally, at once, with custom fields and the assignee.
    const text = screen.getByLabelText("Text");
    await user.clear(text);
    await user.type(text, "Dear $contact.name, tier {{{{membership}}, from $assignee.firstname");
    expect(preview).toHaveTextContent("Dear Maria Souza, tier gold, from Ana");
    expect(screen.getByText("Draft filled in your browser for Maria Souza.")).toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith("/render"))).toHaveLength(1);
  });

  it("warns about unknown variables and shows the server's 422 on save", async () => {
    api(() => ({
      status: 422,
      body: {
        type: "/problems/validation",
        title: "Unprocessable Entity",
        status: 422,
        detail: "the request has invalid fields",
        errors: [{ field: "content", message: "unknown variable $contact.nickname" }],
      },
    }));
    const user = userEvent.setup();
    renderWithQuery(<SnippetEditor snippet={snippet} onDone={() => {}} />);
    const text = screen.getByLabelText("Text");
    await user.clear(text);
    await user.type(text, "Hi $contact.nickname");
    expect(await screen.findByText(/Unknown variable: \$contact\.nickname/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Save snippet" }));
    const error = await screen.findByText("unknown variable $contact.nickname");
    expect(error).toHaveAttribute("role", "alert");
    expect(text).toHaveAttribute("aria-invalid", "true");
    expect(within(screen.getByRole("region", { name: "Snippet preview" })).getByText("Hi")).toBeInTheDocument();
  });
});
