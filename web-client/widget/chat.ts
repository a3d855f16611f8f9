// The chat itself: the visitor's session, the message list (upserted by id), sending with
// retry-safe client ids, uploads, the details form and the live event stream.
import { VisitorApi, WidgetError, type Message, type Session } from "./api";

export type ChatEvents = {
  changed: () => void;
  incoming: (m: Message) => void;
};

export type Entry = Message & { local?: "sending" | "failed"; error?: string; file?: File };

const newClientId = () =>
  typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `c-${Date.now()}-${Math.random().toString(36).slice(2)}`;

export class Chat {
  session: Session | null = null;
  messages = new Map<string, Entry>();
  nextCursor: string | null = null;
  online = false;
  agent: { name: string } | null = null;
  conversation: string | null = null;
  error: string | null = null;
  private lastEventId: number | null = null;
  private source: EventSource | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    public api: VisitorApi,
    private on: ChatEvents,
  ) {}

  /** Ordered oldest first, pending local ones last. */
  list(): Entry[] {
    return [...this.messages.values()].sort((a, b) => {
      if (!!a.local !== !!b.local) return a.local ? 1 : -1;
      return a.id - b.id;
    });
  }

  needsDetails(): boolean {
    const s = this.session;
    return !!s && s.widget.ask_details && (!s.visitor.name || !s.visitor.email);
  }

  async start() {
    const s = await this.api.session();
    this.session = s;
    this.online = s.online;
    this.agent = s.agent;
    this.conversation = s.conversation?.status ?? null;
    this.lastEventId = s.last_event_id;
    const page = await this.api.history();
    page.items.forEach((m) => this.upsert(m));
    this.nextCursor = page.next_cursor;
    this.on.changed();
    this.connect();
  }

  async older() {
    if (!this.nextCursor) return;
    const page = await this.api.history(this.nextCursor);
    page.items.forEach((m) => this.upsert(m));
    this.nextCursor = page.next_cursor;
    this.on.changed();
  }

  private key(m: Message) {
    return m.client_id ? `c:${m.client_id}` : `s:${m.id}`;
  }

  private upsert(m: Message): boolean {
    const k = this.key(m);
    const isNew = !this.messages.has(k);
    this.messages.set(k, m);
    return isNew;
  }

  /** Sends text; the client id makes a retry after a network error store nothing twice. */
  async send(text: string, clientId = newClientId()) {
    const local: Entry = {
      id: Number.MAX_SAFE_INTEGER,
      client_id: clientId,
      from: "visitor",
      type: "text",
      text,
      attachment: null,
      agent: null,
      status: "pending",
      created_at: new Date().toISOString(),
      local: "sending",
    };
    this.messages.set(`c:${clientId}`, local);
    this.on.changed();
    try {
      this.upsert(await this.api.send(clientId, text));
    } catch (e) {
      this.messages.set(`c:${clientId}`, { ...local, local: "failed", error: messageOf(e) });
    }
    this.on.changed();
  }

  async upload(file: File, clientId = newClientId()) {
    const local: Entry = {
      id: Number.MAX_SAFE_INTEGER,
      client_id: clientId,
      from: "visitor",
      type: "attachment",
      text: file.name,
      attachment: null,
      agent: null,
      status: "pending",
      created_at: new Date().toISOString(),
      local: "sending",
      file,
    };
    this.messages.set(`c:${clientId}`, local);
    this.on.changed();
    try {
      this.upsert(await this.api.upload(clientId, file));
    } catch (e) {
      this.messages.set(`c:${clientId}`, { ...local, local: "failed", error: messageOf(e) });
    }
    this.on.changed();
  }

  /** Sends a failed message again with the same client id. */
  retry(entry: Entry) {
    if (!entry.client_id) return;
    if (entry.file) void this.upload(entry.file, entry.client_id);
    else void this.send(entry.text ?? "", entry.client_id);
  }

  async saveDetails(name: string, email: string) {
    const v = await this.api.details(name, email);
    if (this.session) this.session.visitor = v;
    this.on.changed();
  }

  /** The live stream; EventSource resumes by itself with Last-Event-ID after a drop. */
  private connect() {
    this.source?.close();
    const es = new EventSource(this.api.streamUrl(this.lastEventId));
    this.source = es;
    es.addEventListener("message", (e) => {
      const m = JSON.parse((e as MessageEvent).data) as Message;
      if ((e as MessageEvent).lastEventId) this.lastEventId = Number((e as MessageEvent).lastEventId);
      const isNew = this.upsert(m);
      if (isNew && m.from === "business") this.on.incoming(m);
      this.on.changed();
    });
    es.addEventListener("conversation", (e) => {
      this.conversation = (JSON.parse((e as MessageEvent).data) as { status: string }).status;
      this.on.changed();
    });
    es.addEventListener("status", (e) => {
      const s = JSON.parse((e as MessageEvent).data) as { online: boolean; agent: { name: string } | null };
      this.online = s.online;
      this.agent = s.agent;
      this.on.changed();
    });
    es.onerror = () => {
      // A closed stream (e.g. the token was refused) is reopened later with a fresh URL.
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.connect(), 5000);
      }
    };
  }

  private readUpTo = 0;

  /** Tells the server the visitor has seen every business message shown (once per new one). */
  markRead() {
    let newest = 0;
    for (const m of this.messages.values())
      if (m.from === "business" && !m.local && m.id > newest) newest = m.id;
    if (newest > this.readUpTo) {
      this.readUpTo = newest;
      this.api.markRead(newest).catch(() => {
        this.readUpTo = 0; // try again with the next change
      });
    }
  }

  stop() {
    clearTimeout(this.retryTimer);
    this.source?.close();
  }
}

export function messageOf(e: unknown): string {
  if (e instanceof WidgetError) {
    if (e.status === 413) return "That file is too large.";
    if (e.status === 429) return "Too many messages; please wait a moment.";
    return e.problem?.errors?.[0]?.message ?? e.message;
  }
  return "Not sent — check your connection.";
}
