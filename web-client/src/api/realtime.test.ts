import { describe, expect, it, vi } from "vitest";
import { connectRealtime, type EventSourceLike, type ServerEvent } from "./realtime";

/** A fake EventSource the test drives by hand. */
class FakeSource implements EventSourceLike {
  listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  closed = false;
  constructor(public url: string) {}
  addEventListener(type: string, l: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.closed = true;
  }
  emit(id: number, type: string) {
    const data: ServerEvent = { id, type, subject_type: "contact", subject_id: 1, created_at: "", data: {} };
    for (const l of this.listeners.get(type) ?? [])
      l(new MessageEvent(type, { data: JSON.stringify(data), lastEventId: String(id) }));
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("connectRealtime", () => {
  it("reconnects with a new ticket and the last event id, delivering each event once", async () => {
    const sources: FakeSource[] = [];
    let tickets = 0;
    const got: number[] = [];
    const states: string[] = [];
    const conn = connectRealtime({
      onEvent: (e) => got.push(e.id),
      onState: (s) => states.push(s),
      transport: (url) => {
        const s = new FakeSource(url);
        sources.push(s);
        return s;
      },
      ticket: async () => `t${++tickets}`,
      backoff: () => 0,
    });
    await flush();
    expect(sources[0]!.url).toBe("/api/v1/events/stream?ticket=t1");
    sources[0]!.onopen!(new Event("open"));
    sources[0]!.emit(5, "message.created");
    sources[0]!.emit(6, "message.updated");

    // The network drops: the browser's own retry would reuse a spent ticket, so we reconnect.
    sources[0]!.onerror!(new Event("error"));
    expect(sources[0]!.closed).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(sources[1]!.url).toBe("/api/v1/events/stream?ticket=t2&last_event_id=6");
    sources[1]!.onopen!(new Event("open"));
    sources[1]!.emit(6, "message.updated"); // replayed by the server: ignored
    sources[1]!.emit(7, "comment.created");
    expect(got).toEqual([5, 6, 7]);
    expect(states).toContain("offline");
    expect(states.at(-1)).toBe("live");
    conn.stop();
    expect(sources[1]!.closed).toBe(true);
  });

  it("asks for a resync when it reconnects without knowing any event id", async () => {
    const sources: FakeSource[] = [];
    const resync = vi.fn();
    const conn = connectRealtime({
      onEvent: () => {},
      onResync: resync,
      transport: (url) => {
        const s = new FakeSource(url);
        sources.push(s);
        return s;
      },
      ticket: async () => "t",
      backoff: () => 0,
    });
    await flush();
    sources[0]!.onopen!(new Event("open"));
    expect(resync).not.toHaveBeenCalled();
    sources[0]!.onerror!(new Event("error"));
    await new Promise((r) => setTimeout(r, 5));
    sources[1]!.onopen!(new Event("open"));
    expect(resync).toHaveBeenCalledTimes(1);
    conn.stop();
  });

  it("keeps trying while tickets cannot be had", async () => {
    let calls = 0;
    const conn = connectRealtime({
      onEvent: () => {},
      transport: () => new FakeSource(""),
      ticket: async () => {
        calls += 1;
        throw new Error("offline");
      },
      backoff: () => 0,
    });
    await new Promise((r) => setTimeout(r, 20));
    conn.stop();
    expect(calls).toBeGreaterThan(1);
  });
});
