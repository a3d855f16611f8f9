import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../../../api/client";
import type { TimelineItem } from "../api";
import { TimelineEntry } from "./TimelineEntry";

const at = "2026-01-05T10:00:00Z";
const names: Record<number, string> = { 1: "Ana Lima", 2: "Bob Agent" };
const nameOf = (id: number | null | undefined) => (id ? (names[id] ?? "Someone") : "Someone");

function message(over: Partial<Schemas["MessageView"]>): TimelineItem {
  return {
    kind: "message",
    at,
    message: {
      id: 1,
      contact_id: 7,
      created_at: at,
      updated_at: at,
      direction: "outgoing",
      sender: { type: "user", id: 1 },
      status: "sent",
      type: "text",
      text: "Hello",
      ...over,
    },
  };
}

function activity(kind: string, detail: Record<string, unknown>, actor_id = 1): TimelineItem {
  return {
    kind: "activity",
    at,
    activity: { id: 3, kind, actor_type: "user", actor_id, created_at: at, detail: detail as Record<string, never> },
  };
}

const show = (item: TimelineItem) =>
  render(<TimelineEntry item={item} contactName="Maria Customer" nameOf={nameOf} />);

describe("a thread item", () => {
  it.each([
    ["pending", "Pending", "⏱"],
    ["sent", "Sent", "✓"],
    ["delivered", "Delivered", "✓✓"],
    ["read", "Read", "✓✓"],
  ])("shows the %s tick on an outgoing message", (status, label, icon) => {
    show(message({ status }));
    const tick = screen.getByRole("img", { name: label });
    expect(tick).toHaveTextContent(icon);
    expect(tick).toHaveClass(`tick-${status}`);
  });

  it("shows why a message failed", () => {
    show(message({ status: "failed", error: "the bridge refused: number blocked" }));
    expect(screen.getByRole("img", { name: "Failed" })).toBeInTheDocument();
    expect(screen.getByRole("note")).toHaveTextContent("Not delivered: the bridge refused: number blocked");
  });

  it("shows no tick on an incoming message", () => {
    show(message({ direction: "incoming", status: "received", sender: { type: "contact", id: 7 } }));
    expect(screen.getByRole("article", { name: "Message from the contact" })).toHaveTextContent("Hello");
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
  });

  it("marks a private note as one, with the mentioned names", () => {
    show({
      kind: "comment",
      at,
      comment: { id: 9, contact_id: 7, created_at: at, author: { type: "user", id: 1 }, mentions: [2], text: "@{2} please call her" },
    });
    const note = screen.getByRole("article", { name: "Private note by Ana Lima" });
    expect(note).toHaveClass("tl-note");
    expect(note).toHaveTextContent("Private note");
    expect(note).toHaveTextContent("@Bob Agent please call her");
  });

  it("tells who closed the conversation, with its category and summary", () => {
    show(activity("conversation_closed", { source: "user", category: "Delivery", summary: "Parcel re-sent" }));
    const line = screen.getByRole("note");
    expect(line).toHaveTextContent("Ana Lima closed the conversation");
    expect(line).toHaveTextContent("Category: Delivery");
    expect(line).toHaveTextContent("Parcel re-sent");
  });

  it("tells who assigned whom", () => {
    show(activity("assigned", { from: null, to: 2 }));
    expect(screen.getByRole("note")).toHaveTextContent("Ana Lima assigned it to Bob Agent");
  });

  it("tells when someone took a conversation or it was unassigned", () => {
    const { unmount } = show(activity("assigned", { from: null, to: 1 }));
    expect(screen.getByRole("note")).toHaveTextContent("Ana Lima took the conversation");
    unmount();
    show(activity("unassigned", { from: 2, to: null }));
    expect(screen.getByRole("note")).toHaveTextContent("Ana Lima unassigned Bob Agent");
  });

  it("tells when a new message opened the conversation", () => {
    show({
      kind: "activity",
      at,
      activity: { id: 4, kind: "conversation_opened", actor_type: "contact", actor_id: null, created_at: at, detail: {} as Record<string, never> },
    });
    expect(screen.getByRole("note")).toHaveTextContent("Conversation opened by a new message");
  });
});
