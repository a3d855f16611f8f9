import { fakeApi, me, renderWithQuery } from "./test-utils";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TeamsSettings } from "./TeamsSettings";
import { UsersSettings } from "./UsersSettings";

const member = (id: number, name: string, role: string) => ({
  id,
  name,
  email: `${name.split(" ")[0]!.toLowerCase()}@acme.test`,
  role,
  status: "online",
  contact_visibility: "all",
  team_id: null,
  joined_at: "2026-01-01T00:00:00Z",
});
const members = [member(1, "Olga Owner", "owner"), member(2, "Mia Manager", "manager"), member(3, "Alan Agent", "agent")];

function asRole(role: "owner" | "manager", myId: number) {
  return fakeApi(({ method, path }) => {
    if (path === "/api/v1/me") return { body: { ...me, role, member: members[myId - 1] } };
    if (path.startsWith("/api/v1/users")) return { body: { items: members, next_cursor: null } };
    if (path.startsWith("/api/v1/teams"))
      return {
        body: {
          items: [{ id: 5, name: "Support", description: "", member_count: 0, created_at: "", updated_at: "" }],
          next_cursor: null,
        },
      };
    if (path.startsWith("/api/v1/invitations") && method === "GET") return { body: { items: [], next_cursor: null } };
  });
}

describe("what a manager is offered", () => {
  afterEach(() => vi.restoreAllMocks());

  it("manages agents only and invites agents only", async () => {
    asRole("manager", 2);
    const user = userEvent.setup();
    renderWithQuery(<UsersSettings />);
    const table = await screen.findByRole("table", { name: "Members" });
    const row = (name: string) => within(table).getByText(name).closest("tr")!;
    await screen.findByText(/Managers invite and manage agents/);

    // The owner and the other manager are shown, not editable.
    expect(within(row("Olga Owner")).queryByRole("combobox")).not.toBeInTheDocument();
    expect(within(row("Olga Owner")).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    // The agent: team and visibility yes, but no promotion.
    expect(within(row("Alan Agent")).getByRole("combobox", { name: "Team of Alan Agent" })).toBeInTheDocument();
    expect(within(row("Alan Agent")).getByRole("combobox", { name: "Contacts Alan Agent sees" })).toBeInTheDocument();
    expect(within(row("Alan Agent")).queryByRole("combobox", { name: "Role of Alan Agent" })).not.toBeInTheDocument();
    expect(within(row("Alan Agent")).getByRole("button", { name: "Remove Alan Agent" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Invite user" }));
    const roles = within(screen.getByLabelText("Role")).getAllByRole("option");
    expect(roles.map((o) => o.textContent)).toEqual(["Agent"]);
  });

  it("cannot delete teams, which owners can", async () => {
    asRole("manager", 2);
    const { unmount } = renderWithQuery(<TeamsSettings />, [[["me"], { ...me, role: "manager", member: members[1] }]]);
    await screen.findByRole("button", { name: "Edit Support" });
    expect(screen.queryByRole("button", { name: "Delete Support" })).not.toBeInTheDocument();
    unmount();
    vi.restoreAllMocks();

    asRole("owner", 1);
    renderWithQuery(<TeamsSettings />);
    expect(await screen.findByRole("button", { name: "Delete Support" })).toBeInTheDocument();
  });

  it("lets an owner change anyone's role", async () => {
    asRole("owner", 1);
    renderWithQuery(<UsersSettings />);
    expect(await screen.findByRole("combobox", { name: "Role of Mia Manager" })).toHaveValue("manager");
    expect(screen.getByRole("button", { name: "Remove Mia Manager" })).toBeInTheDocument();
    // Not themselves out of the workspace from here.
    expect(screen.queryByRole("button", { name: "Remove Olga Owner" })).not.toBeInTheDocument();
  });
});
