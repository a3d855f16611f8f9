import { fakeApi, problem } from "./fakeApi";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach } from "vitest";
import { Composer } from "./Composer";
import { aContact, members, renderWithClient } from "./fixtures";

const sent = (over: Record<string, unknown> = {}) => ({
  status: 202,
  body: { id: 1, contact_id: 7, direction: "outgoing", sender: { type: "user", id: 3 }, type: "text", status: "pending", created_at: "", updated_at: "", ...over },
});

afterEach(() => {
  vi.restoreAllMocks();
  sessionStorage.clear();
});

test("Enter sends the reply to the contact's channel and clears the draft", async () => {
  const api = fakeApi({ "POST /contacts/7/messages": () => sent() });
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "Hello Maria{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/messages")).toHaveLength(1));
  expect(api.to("POST /contacts/7/messages")[0]!.body).toEqual({ type: "text", text: "Hello Maria", channel_id: 11 });
  await waitFor(() => expect(box).toHaveValue(""));
});

test("Shift+Enter breaks the line without sending", async () => {
  const api = fakeApi({});
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "first line{Shift>}{Enter}{/Shift}second line");
  expect(box).toHaveValue("first line\nsecond line");
  expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(0);
});

test("a private note looks different and goes to the comments, with its mentions", async () => {
  const api = fakeApi({
    "GET /users": () => ({ body: members }),
    "POST /contacts/7/comments": () => ({ status: 201, body: { id: 1, contact_id: 7, author: { type: "user", id: 3 }, text: "", mentions: [], created_at: "" } }),
  });
  renderWithClient(<Composer contact={aContact()} />);
  await userEvent.click(screen.getByRole("radio", { name: "Private note" }));
  expect(screen.getByRole("radio", { name: "Private note" })).toHaveAttribute("aria-checked", "true");
  expect(screen.getByRole("region", { name: "Composer" })).toHaveClass("composer-note");
  const box = screen.getByRole("textbox", { name: "Private note" });
  await userEvent.type(box, "ask @bru");
  const list = await screen.findByRole("listbox", { name: "Mention a teammate" });
  expect(within(list).getAllByRole("option")).toHaveLength(1);
  await userEvent.keyboard("{Enter}");
  expect(box).toHaveValue("ask @Bruno Costa ");
  // The composer puts the caret after the mention on the next frame; typing before that
  // frame would have the caret jump back over what was typed.
  await new Promise((done) => requestAnimationFrame(done));
  await userEvent.type(box, "about the refund{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/comments")).toHaveLength(1));
  expect(api.to("POST /contacts/7/comments")[0]!.body).toEqual({ text: "ask @Bruno Costa about the refund", mentions: [4] });
  expect(api.to("POST /contacts/7/messages")).toHaveLength(0);
  await waitFor(() => expect(box).toHaveValue(""));
});

test("a refused reply shows the server's reason inline and keeps the draft", async () => {
  fakeApi({
    "POST /contacts/7/messages": () => problem(422, "The request is invalid.", { errors: [{ field: "text", message: "text: is too long" }] }),
  });
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "Hello{Enter}");
  expect(await screen.findByRole("alert")).toHaveTextContent("text: is too long");
  expect(box).toHaveValue("Hello");
});

test("a 409 window-closed answer says the reply window closed and keeps the draft", async () => {
  fakeApi({
    "POST /contacts/7/messages": () =>
      problem(409, "The messaging window is closed.", { type: "/problems/messaging-window-closed" }),
  });
  renderWithClient(<Composer contact={aContact()} />);
  const box = screen.getByRole("textbox", { name: "Reply" });
  await userEvent.type(box, "Late answer{Enter}");
  expect(await screen.findByRole("alert")).toHaveTextContent(/reply window on this channel has closed/);
  expect(box).toHaveValue("Late answer");
});

test("drafts are kept per contact when switching threads", async () => {
  fakeApi({});
  const maria = aContact();
  const joao = aContact({ id: 8, first_name: "João", name: "João" });
  const { rerenderWith } = renderWithClient(<Composer contact={maria} />);
  await userEvent.type(screen.getByRole("textbox", { name: "Reply" }), "for Maria");
  rerenderWith(<Composer contact={joao} />);
  expect(screen.getByRole("textbox", { name: "Reply" })).toHaveValue("");
  await userEvent.type(screen.getByRole("textbox", { name: "Reply" }), "for João");
  rerenderWith(<Composer contact={maria} />);
  expect(screen.getByRole("textbox", { name: "Reply" })).toHaveValue("for Maria");
});

test("a contact on several channels gets a channel picker, and the reply goes where chosen", async () => {
  const api = fakeApi({ "POST /contacts/7/messages": () => sent() });
  const contact = aContact({
    channels: [
      { channel_id: 11, kind: "custom", name: "SMS bridge", external_id: "c-1", last_incoming_at: "2024-01-01T10:00:00Z" },
      { channel_id: 12, kind: "telegram", name: "Telegram", external_id: "t-1", last_incoming_at: "2024-01-02T10:00:00Z" },
    ],
    reply_window: [],
  });
  renderWithClient(<Composer contact={contact} />);
  const picker = screen.getByRole("combobox", { name: "Reply on channel" });
  expect(picker).toHaveValue("12"); // where the contact wrote last
  await userEvent.selectOptions(picker, "11");
  await userEvent.type(screen.getByRole("textbox", { name: "Reply" }), "Hi{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/messages")).toHaveLength(1));
  expect(api.to("POST /contacts/7/messages")[0]!.body).toMatchObject({ channel_id: 11 });
});

test("attached files are uploaded, can be removed, and go out one per message with the text as caption", async () => {
  let next = 50;
  const api = fakeApi({
    "POST /files": (c) => {
      const f = c.form!.get("file") as File;
      if (f.name === "huge.bin") return problem(413, "Files are limited to 1 MB.");
      return { status: 201, body: { id: next++, name: f.name, mime: "text/plain", size: f.size, kind: "file", source: "upload", created_at: "" } };
    },
    "POST /contacts/7/messages": () => sent({ type: "attachment" }),
  });
  renderWithClient(<Composer contact={aContact()} />);
  const input = screen.getByLabelText("Files to attach");
  await userEvent.upload(input, [
    new File(["a"], "a.txt", { type: "text/plain" }),
    new File(["b"], "b.txt", { type: "text/plain" }),
    new File(["c"], "huge.bin"),
  ]);
  const list = screen.getByRole("list", { name: "Attachments" });
  await waitFor(() => expect(within(list).getByText(/huge.bin is too large/)).toBeInTheDocument());
  await userEvent.click(within(list).getByRole("button", { name: "Remove huge.bin" }));
  await userEvent.click(within(list).getByRole("button", { name: "Remove b.txt" }));
  await userEvent.type(screen.getByRole("textbox", { name: "Reply" }), "Your invoice{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/messages")).toHaveLength(1));
  expect(api.to("POST /contacts/7/messages")[0]!.body).toEqual({ type: "attachment", file_ids: [50], text: "Your invoice", channel_id: 11 });
  await waitFor(() => expect(screen.queryByRole("list", { name: "Attachments" })).not.toBeInTheDocument());
});

test("voice notes are disabled with a reason where the browser cannot record", () => {
  fakeApi({});
  renderWithClient(<Composer contact={aContact()} />);
  const mic = screen.getByRole("button", { name: "Record a voice note" });
  expect(mic).toBeDisabled();
  expect(mic).toHaveAccessibleDescription("This browser cannot record voice notes.");
});
