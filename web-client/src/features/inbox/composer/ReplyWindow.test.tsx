import { fakeApi } from "./fakeApi";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach } from "vitest";
import { Composer } from "./Composer";
import { aContact, renderWithClient } from "./fixtures";
import { windowState } from "./replyWindow";

afterEach(() => {
  vi.restoreAllMocks();
  sessionStorage.clear();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

test("an open window shows the time left", () => {
  fakeApi({});
  const contact = aContact({
    reply_window: [{ channel_id: 11, open: true, closes_at: inSeconds(3 * 3600 + 12 * 60 + 30), allowed: ["text", "attachment"] }],
  });
  renderWithClient(<Composer contact={contact} />);
  expect(screen.getByText("Reply window closes in 3 h 12 min")).toBeInTheDocument();
  expect(screen.getByRole("textbox", { name: "Reply" })).toBeEnabled();
});

test("a closed window locks free-form replies but not private notes", async () => {
  const api = fakeApi({
    "POST /contacts/7/comments": () => ({ status: 201, body: {} }),
  });
  const contact = aContact({ reply_window: [{ channel_id: 11, open: false, closes_at: null, allowed: ["template"] }] });
  renderWithClient(<Composer contact={contact} />);
  expect(screen.getByText(/Reply window closed/)).toBeInTheDocument();
  const reply = screen.getByRole("textbox", { name: "Reply" });
  expect(reply).toBeDisabled();
  expect(reply).toHaveAccessibleDescription(/reply window on this channel is closed/);
  expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
  expect(screen.getByRole("button", { name: "Attach files" })).toBeDisabled();

  await userEvent.click(screen.getByRole("button", { name: "Write a private note instead" }));
  const note = screen.getByRole("textbox", { name: "Private note" });
  expect(note).toBeEnabled();
  await userEvent.type(note, "Customer needs a template{Enter}");
  await waitFor(() => expect(api.to("POST /contacts/7/comments")).toHaveLength(1));
  expect(api.to("POST /contacts/7/messages")).toHaveLength(0);
});

test("a window that runs out while the page is open locks the reply", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  const contact = aContact({
    reply_window: [{ channel_id: 11, open: true, closes_at: "2024-05-01T12:00:30Z", allowed: ["text", "attachment"] }],
  });
  expect(windowState(contact, 11, now)).toMatchObject({ kind: "open", secondsLeft: 30 });
  expect(windowState(contact, 11, now + 31_000)).toMatchObject({ kind: "closed" });
  expect(windowState(contact, undefined, now)).toEqual({ kind: "no-channel" });
  expect(windowState(aContact({ reply_window: [] }), 11, now)).toMatchObject({ kind: "open", secondsLeft: null });
});

test("a contact without any channel cannot get a reply, only notes", () => {
  fakeApi({});
  renderWithClient(<Composer contact={aContact({ channels: [], reply_window: [] })} />);
  expect(screen.getByRole("textbox", { name: "Reply" })).toBeDisabled();
  expect(screen.getByText(/no channel to reply on\./)).toBeInTheDocument();
});
