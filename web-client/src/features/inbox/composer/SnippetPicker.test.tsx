import { fakeApi } from "./fakeApi";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach } from "vitest";
import { Composer } from "./Composer";
import { aContact, renderWithClient } from "./fixtures";
import { triggerAt } from "./tokens";

const snippets = {
  items: [
    { id: 1, name: "Greeting", content: 'Hi {{contact.firstname | "there"}}!', file_ids: [], created_at: "", updated_at: "" },
    { id: 2, name: "Greeting formal", content: "Dear $contact.name,", file_ids: [], created_at: "", updated_at: "" },
    { id: 3, name: "Refund policy", content: "Refunds take 5 days.", file_ids: [9], created_at: "", updated_at: "" },
  ],
  next_cursor: null,
};

afterEach(() => {
  vi.restoreAllMocks();
  sessionStorage.clear();
});

function server() {
  return fakeApi({
    "GET /snippets": () => ({ body: snippets }),
    "POST /snippets/1/render": () => ({ body: { text: "Hi Maria!", file_ids: [] } }),
    "POST /snippets/2/render": () => ({ body: { text: "Dear Maria Customer,", file_ids: [] } }),
    "POST /snippets/3/render": () => ({ body: { text: "Refunds take 5 days.", file_ids: [9] } }),
    "GET /files/9": () => ({ body: { id: 9, name: "policy.pdf", mime: "application/pdf", size: 2048, kind: "file", source: "upload", created_at: "" } }),
    "POST /contacts/7/messages": () => ({ status: 202, body: {} }),
  });
}

test("'/' at the start of a word opens the snippets, filtered by what follows", async () => {
  server();
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "/");
  const list = await screen.findByRole("listbox", { name: "Snippets" });
  expect(within(list).getAllByRole("option")).toHaveLength(3);
  await userEvent.type(box, "greet");
  expect(within(list).getAllByRole("option").map((o) => o.textContent)).toEqual([
    expect.stringContaining("Greeting"),
    expect.stringContaining("Greeting formal"),
  ]);
  await userEvent.type(box, "zzz");
  expect(await screen.findByText(/No snippet matches/)).toBeInTheDocument();
  // Escape closes it; a slash inside a word (a URL, a date) never opens it.
  await userEvent.clear(box);
  await userEvent.type(box, "see 1/2");
  expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
});

test("arrow keys and Enter pick a snippet; its text is filled in for this contact, then Enter sends it", async () => {
  const api = server();
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "Hello! /greet");
  await screen.findByRole("listbox", { name: "Snippets" });
  expect(screen.getByRole("option", { name: /^Greeting Hi/ })).toHaveAttribute("aria-selected", "true");
  await userEvent.keyboard("{ArrowDown}");
  expect(screen.getByRole("option", { name: /Greeting formal/ })).toHaveAttribute("aria-selected", "true");
  await userEvent.keyboard("{ArrowDown}"); // wraps round to the first…
  expect(screen.getByRole("option", { name: /^Greeting Hi/ })).toHaveAttribute("aria-selected", "true");
  await userEvent.keyboard("{ArrowUp}"); // …and back up to the last
  await userEvent.keyboard("{Enter}");
  await waitFor(() => expect(box).toHaveValue("Hello! Dear Maria Customer,"));
  expect(api.to("POST /snippets/2/render")[0]!.body).toEqual({ contact: "7" });
  expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
  expect(api.to("POST /contacts/7/messages")).toHaveLength(0); // picking did not send
  await userEvent.keyboard("{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/messages")).toHaveLength(1));
  expect(api.to("POST /contacts/7/messages")[0]!.body).toMatchObject({ type: "text", text: "Hello! Dear Maria Customer," });
});

test("a snippet's files are attached and sent with its text", async () => {
  const api = server();
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "/refund");
  await screen.findByRole("option", { name: /Refund policy/ });
  await userEvent.keyboard("{Enter}");
  const list = await screen.findByRole("list", { name: "Attachments" });
  expect(within(list).getByText("policy.pdf")).toBeInTheDocument();
  await userEvent.keyboard("{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/messages")).toHaveLength(1));
  expect(api.to("POST /contacts/7/messages")[0]!.body).toMatchObject({ type: "attachment", file_ids: [9], text: "Refunds take 5 days." });
});

test("a click picks a snippet too, and Escape dismisses the list", async () => {
  server();
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "/gre");
  await screen.findByRole("listbox", { name: "Snippets" });
  await userEvent.keyboard("{Escape}");
  expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
  await userEvent.type(box, "e");
  await userEvent.click(await screen.findByRole("option", { name: /^Greeting Hi/ }));
  await waitFor(() => expect(box).toHaveValue("Hi Maria!"));
});

test("the trigger is a '/' or '@' starting a word, before the caret", () => {
  expect(triggerAt("/gre", 4, false)).toEqual({ kind: "snippet", query: "gre", start: 0, end: 4 });
  expect(triggerAt("ok /x", 5, false)).toMatchObject({ kind: "snippet", start: 3 });
  expect(triggerAt("a/b", 3, false)).toBeNull();
  expect(triggerAt("@an", 3, false)).toBeNull(); // mentions only in notes
  expect(triggerAt("hi @an", 6, true)).toMatchObject({ kind: "mention", query: "an", start: 3 });
  expect(triggerAt("/gre done", 9, false)).toBeNull();
});
