import { fakeApi, problem } from "../composer/fakeApi";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach } from "vitest";
import { aContact, members, renderWithClient } from "../composer/fixtures";
import { ContactPanel } from "./ContactPanel";

afterEach(() => vi.restoreAllMocks());

const fieldDefs = {
  items: [
    { id: 1, key: "membership", name: "Membership", type: "list", options: ["silver", "gold"], created_at: "", updated_at: "" },
    { id: 2, key: "vip", name: "VIP", type: "checkbox", options: [], created_at: "", updated_at: "" },
    { id: 3, key: "birthday", name: "Birthday", type: "date", options: [], created_at: "", updated_at: "" },
    { id: 4, key: "orders", name: "Orders", type: "number", options: [], created_at: "", updated_at: "" },
    { id: 5, key: "site", name: "Website", type: "url", options: [], created_at: "", updated_at: "" },
  ],
};

const conversations = {
  items: [
    { id: 2, contact_id: 7, status: "open", opened_at: "2024-02-01T10:00:00Z", opened_source: "contact", incoming_count: 1, outgoing_count: 0 },
    {
      id: 1, contact_id: 7, status: "closed", opened_at: "2024-01-01T10:00:00Z", opened_source: "contact",
      closed_at: "2024-01-01T12:05:00Z", closed_by: 3, closed_source: "user", category: "Billing",
      summary: "Refunded the double charge", first_response_seconds: 300, resolution_seconds: 7500,
      incoming_count: 3, outgoing_count: 2,
    },
  ],
  next_cursor: null,
};

const activity = {
  items: [
    { id: 3, kind: "tag_added", detail: { tag: "vip" }, actor_type: "user", actor_id: 3, created_at: "2024-01-02T10:00:00Z" },
    { id: 2, kind: "field_changed", detail: { field: "membership", from: null, to: "gold" }, actor_type: "api", created_at: "2024-01-02T09:00:00Z" },
    { id: 1, kind: "created", detail: {}, actor_type: "contact", created_at: "2024-01-01T10:00:00Z" },
  ],
  next_cursor: null,
};

function server(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    "GET /users": () => ({ body: members }),
    "GET /contact-fields": () => ({ body: fieldDefs }),
    "GET /tags": () => ({ body: { items: [{ id: 1, name: "vip", created_at: "" }, { id: 2, name: "churn-risk", created_at: "" }], next_cursor: null } }),
    "GET /contacts/7/conversations": () => ({ body: conversations }),
    "GET /contacts/7/activity": () => ({ body: activity }),
    ...extra,
  });
}

test("editing the name, e-mail and phone sends a PATCH and shows the server's field errors", async () => {
  let attempt = 0;
  const api = server({
    "PATCH /contacts/7": (c) => {
      attempt += 1;
      if (attempt === 1)
        return problem(422, "The request is invalid.", { errors: [{ field: "phone", message: "needs a country code" }] });
      return { body: aContact({ ...(c.body as object), name: "Mariana Customer" }) };
    },
  });
  renderWithClient(<ContactPanel contact={aContact()} />);
  await userEvent.click(screen.getByRole("button", { name: "Edit contact details" }));
  const form = screen.getByRole("form", { name: "Contact details" });
  await userEvent.clear(within(form).getByLabelText("First name"));
  await userEvent.type(within(form).getByLabelText("First name"), "Mariana");
  await userEvent.type(within(form).getByLabelText("E-mail"), "maria@example.com");
  await userEvent.type(within(form).getByLabelText("Phone"), "0123");
  await userEvent.click(within(form).getByRole("button", { name: "Save" }));
  expect(await within(form).findByText("needs a country code")).toBeInTheDocument();
  expect(within(form).getByLabelText("Phone")).toHaveAttribute("aria-invalid", "true");
  expect(api.to("PATCH /contacts/7")[0]!.body).toEqual({
    first_name: "Mariana", last_name: "Customer", email: "maria@example.com", phone: "0123",
  });
  await userEvent.clear(within(form).getByLabelText("Phone"));
  await userEvent.type(within(form).getByLabelText("Phone"), "+60123456789");
  await userEvent.click(within(form).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(screen.queryByRole("form", { name: "Contact details" })).not.toBeInTheDocument());
  expect(api.to("PATCH /contacts/7")[1]!.body).toMatchObject({ phone: "+60123456789" });
});

test("custom fields get inputs by type and only changed values are saved, emptied ones as null", async () => {
  const api = server({ "PATCH /contacts/7": () => ({ body: aContact() }) });
  renderWithClient(<ContactPanel contact={aContact({ fields: { membership: "silver", orders: "3" } })} />);
  const form = await screen.findByRole("form", { name: "Custom fields" });
  expect(within(form).getByLabelText("Membership")).toHaveRole("combobox");
  expect(within(form).getByLabelText("Membership")).toHaveValue("silver");
  expect(within(form).getByLabelText("VIP")).toHaveRole("checkbox");
  expect(within(form).getByLabelText("Birthday")).toHaveAttribute("type", "date");
  expect(within(form).getByLabelText("Orders")).toHaveRole("spinbutton");
  expect(within(form).getByLabelText("Website")).toHaveAttribute("type", "url");
  expect(within(form).getByRole("button", { name: "Save fields" })).toBeDisabled();

  await userEvent.selectOptions(within(form).getByLabelText("Membership"), "gold");
  await userEvent.click(within(form).getByLabelText("VIP"));
  await userEvent.clear(within(form).getByLabelText("Orders"));
  await userEvent.click(within(form).getByRole("button", { name: "Save fields" }));
  await waitFor(() => expect(api.to("PATCH /contacts/7")).toHaveLength(1));
  expect(api.to("PATCH /contacts/7")[0]!.body).toEqual({ fields: { membership: "gold", vip: "true", orders: null } });
});

test("a refused custom field value shows under that field", async () => {
  server({
    "PATCH /contacts/7": () =>
      problem(422, "The request is invalid.", { errors: [{ field: "fields.site", message: "must be a URL" }] }),
  });
  renderWithClient(<ContactPanel contact={aContact()} />);
  const form = await screen.findByRole("form", { name: "Custom fields" });
  await userEvent.type(within(form).getByLabelText("Website"), "not a url");
  await userEvent.click(within(form).getByRole("button", { name: "Save fields" }));
  expect(await within(form).findByText("must be a URL")).toBeInTheDocument();
  expect(within(form).getByLabelText("Website")).toHaveAccessibleDescription("must be a URL");
});

test("tags are added with suggestions and removed with their ×", async () => {
  const api = server({
    "POST /contacts/7/tags": () => ({ body: aContact({ tags: ["vip", "churn-risk"] }) }),
    "DELETE /contacts/7/tags": () => ({ body: aContact({ tags: [] }) }),
  });
  renderWithClient(<ContactPanel contact={aContact({ tags: ["vip"] })} />);
  const tags = screen.getByRole("list", { name: "Tags of this contact" });
  expect(within(tags).getByText("vip")).toBeInTheDocument();
  const input = screen.getByRole("combobox", { name: "Add a tag" });
  await waitFor(() => expect(document.querySelectorAll("datalist option")).toHaveLength(1)); // "vip" is already on
  await userEvent.type(input, "churn-risk{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/tags")).toHaveLength(1));
  expect(api.to("POST /contacts/7/tags")[0]!.body).toEqual({ tags: ["churn-risk"] });
  await waitFor(() => expect(input).toHaveValue(""));
  await userEvent.click(within(tags).getByRole("button", { name: "Remove tag vip" }));
  await waitFor(() => expect(api.to("DELETE /contacts/7/tags")).toHaveLength(1));
  expect(api.to("DELETE /contacts/7/tags")[0]!.body).toEqual({ tags: ["vip"] });
});

test("channels, past conversations with their closing notes, and the activity history", async () => {
  server();
  renderWithClient(<ContactPanel contact={aContact()} />);
  expect(within(screen.getByRole("list", { name: "Channels of this contact" })).getByText("SMS bridge")).toBeInTheDocument();
  const convs = await screen.findByRole("list", { name: "Conversations" });
  const closed = within(convs).getAllByRole("listitem")[1]!;
  expect(closed).toHaveTextContent("Billing");
  expect(closed).toHaveTextContent("Refunded the double charge");
  expect(closed).toHaveTextContent("by Ana Lima");
  expect(closed).toHaveTextContent("First response 5 min");
  expect(closed).toHaveTextContent("Resolved in 2 h 5 min");
  const history = await screen.findByRole("list", { name: "Activity" });
  await waitFor(() => expect(history).toHaveTextContent("Membership set to gold"));
  expect(history).toHaveTextContent("Tag “vip” added");
  expect(history).toHaveTextContent("Contact created");
});
