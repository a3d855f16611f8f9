import { fakeApi, renderWithQuery } from "./test-utils";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiTokensSettings } from "./ApiTokensSettings";

const SECRET = "ism_s3cr3t_value_only_shown_once";

describe("API tokens", () => {
  afterEach(() => vi.restoreAllMocks());

  it("shows a new token's secret once, with a copy button, and never in the list", async () => {
    const tokens: unknown[] = [];
    const calls = fakeApi(({ method, path, body }) => {
      if (method === "GET" && path.startsWith("/api/v1/api-tokens")) return { body: { items: tokens, next_cursor: null } };
      if (method === "POST" && path === "/api/v1/api-tokens") {
        const token = { id: 7, name: (body as { name: string }).name, prefix: "ism_s3cr", created_at: "2026-01-01T00:00:00Z" };
        tokens.push(token);
        return { status: 201, body: { token, secret: SECRET } };
      }
    });
    const user = userEvent.setup();
    renderWithQuery(<ApiTokensSettings />);

    expect(await screen.findByText("No API tokens yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "New API token" }));
    await user.type(screen.getByLabelText("Token name"), "CRM sync");
    await user.click(screen.getByRole("button", { name: "Create token" }));

    const dialog = await screen.findByRole("dialog", { name: "API token created" });
    expect(within(dialog).getByLabelText("Secret", { exact: true })).toHaveTextContent(SECRET);
    expect(within(dialog).getByRole("note")).toHaveTextContent(/shown only once/);
    await user.click(within(dialog).getByRole("button", { name: "Copy secret" }));
    // user-event stands in for the system clipboard.
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(within(dialog).getByRole("button", { name: "Copy secret" })).toHaveTextContent("Copied");
    expect(calls.filter((c) => c.method === "POST")).toEqual([
      { method: "POST", path: "/api/v1/api-tokens", body: { name: "CRM sync" } },
    ]);

    await user.click(within(dialog).getByRole("button", { name: "Done" }));
    const table = await screen.findByRole("table", { name: "API tokens" });
    expect(within(table).getByText("CRM sync")).toBeInTheDocument();
    expect(within(table).getByText("ism_s3cr…")).toBeInTheDocument();
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();

    // Opening the dialog again starts empty: the old secret is gone for good.
    await user.click(screen.getByRole("button", { name: "New API token" }));
    expect(screen.getByLabelText("Token name")).toHaveValue("");
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
  });

  it("shows the server's field message when creating fails", async () => {
    fakeApi(({ method, path }) => {
      if (method === "GET" && path.startsWith("/api/v1/api-tokens")) return { body: { items: [], next_cursor: null } };
      if (method === "POST")
        return {
          status: 422,
          body: {
            type: "/problems/validation",
            title: "Unprocessable Entity",
            status: 422,
            detail: "the request has invalid fields",
            errors: [{ field: "name", message: "must not be empty" }],
          },
        };
    });
    const user = userEvent.setup();
    renderWithQuery(<ApiTokensSettings />);
    await user.click(await screen.findByRole("button", { name: "New API token" }));
    await user.type(screen.getByLabelText("Token name"), "x");
    await user.click(screen.getByRole("button", { name: "Create token" }));
    await waitFor(() => expect(screen.getByLabelText("Token name")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByText("must not be empty")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "API token created" })).not.toBeInTheDocument();
  });
});
