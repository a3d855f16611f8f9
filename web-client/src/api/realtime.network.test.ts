import { describe, expect, it } from "vitest";
import { connectRealtime, type EventSourceLike, type ServerEvent } from "./realtime";

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

describe("connectRealtime and the browser's network state", () => {
  it("drops the stream when the browser goes offline and resumes at once when it is back", async () => {
    const sources: FakeSource[] = [];
    const states: string[] = [];
    const conn = connectRealtime({
      onEvent: () => {},
      onState: (s) => states.push(s),
      transport: (url) => {
        const s = new FakeSource(url);
        sources.push(s);
        return s;
      },
      ticket: async () => `t${sources.length + 1}`,
      // Far longer than the test: only the "online" event can bring it back in time.
      backoff: () => 60_000,
    });
    await flush();
    sources[0]!.onopen!(new Event("open"));
    sources[0]!.emit(9, "message.created");

    window.dispatchEvent(new Event("offline"));
    expect(sources[0]!.closed).toBe(true);
    expect(states.at(-1)).toBe("offline");

    window.dispatchEvent(new Event("online"));
    await flush();
    expect(sources).toHaveLength(2);
    expect(sources[1]!.url).toBe("/api/v1/events/stream?ticket=t2&last_event_id=9");
    conn.stop();
  });

  it("ignores the browser coming online while the stream is connected", async () => {
    const sources: FakeSource[] = [];
    const conn = connectRealtime({
      onEvent: () => {},
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
    window.dispatchEvent(new Event("online"));
    await flush();
    expect(sources).toHaveLength(1);
    expect(sources[0]!.closed).toBe(false);
    conn.stop();
  });
});
