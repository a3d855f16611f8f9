// Whether a person may write free-form to the contact now, on the chosen channel, from the
// contact view's `reply_window` (one entry per channel).
import type { Schemas } from "../../../api/client";
import { duration } from "../../../lib/format";

type Contact = Schemas["ContactView"];

export type WindowState =
  | { kind: "no-channel" }
  | { kind: "open"; closesAt: string | null; secondsLeft: number | null; allowed: string[] }
  | { kind: "closed"; allowed: string[] };

/** The channel a reply goes to by default: the one the contact wrote on last. */
export function defaultChannel(contact: Contact): number | undefined {
  const sorted = [...contact.channels].sort((a, b) =>
    (b.last_incoming_at ?? "").localeCompare(a.last_incoming_at ?? ""),
  );
  return sorted[0]?.channel_id;
}

export function windowState(contact: Contact, channelId: number | undefined, now: number): WindowState {
  if (channelId === undefined) return { kind: "no-channel" };
  const w = contact.reply_window.find((r) => r.channel_id === channelId);
  // No entry: the server did not limit this channel.
  if (!w) return { kind: "open", closesAt: null, secondsLeft: null, allowed: ["text", "attachment"] };
  if (!w.open || !w.allowed.includes("text")) return { kind: "closed", allowed: w.allowed };
  if (!w.closes_at) return { kind: "open", closesAt: null, secondsLeft: null, allowed: w.allowed };
  const left = (new Date(w.closes_at).getTime() - now) / 1000;
  if (left <= 0) return { kind: "closed", allowed: w.allowed.filter((t) => t === "template") };
  return { kind: "open", closesAt: w.closes_at, secondsLeft: left, allowed: w.allowed };
}

/** "3 h 12 min" style time left, rounded down to the minute once over a minute. */
export function timeLeft(seconds: number): string {
  return duration(seconds >= 60 ? Math.floor(seconds / 60) * 60 : seconds);
}
