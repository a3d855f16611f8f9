// The visitor API (`/api/v1/widget/{key}`, see the README): an anonymous visitor token kept in
// localStorage, sent as a bearer token; the event stream takes it as `?token=`.

export type WidgetSettings = {
  name: string;
  greeting: string | null;
  color: string | null;
  position: "left" | "right" | string;
  ask_details: boolean;
  offline_message: string | null;
};
export type Visitor = { id: string; name: string | null; email: string | null };
export type Agent = { name: string } | null;
export type Attachment = { kind: string; name: string; mime: string; size: number; url: string };
export type Message = {
  id: number;
  client_id: string | null;
  from: "visitor" | "business";
  type: "text" | "attachment";
  text: string | null;
  attachment: Attachment | null;
  agent: Agent;
  status: string;
  created_at: string;
};
export type Session = {
  visitor_token?: string;
  visitor: Visitor;
  widget: WidgetSettings;
  online: boolean;
  agent: Agent;
  conversation: { status: string } | null;
  last_event_id: number | null;
};
export type Problem = { title: string; detail: string; status: number; errors?: { field: string; message: string }[] };

export class WidgetError extends Error {
  constructor(public status: number, public problem: Problem | null) {
    super(problem?.detail || `Request failed (${status})`);
  }
}

export class VisitorApi {
  private token: string | null;
  constructor(
    private base: string,
    private key: string,
    private store: Storage | null,
  ) {
    this.token = this.read();
  }

  private get storeKey() {
    return `ism.widget.${this.key}.token`;
  }
  private read(): string | null {
    try {
      return this.store?.getItem(this.storeKey) ?? null;
    } catch {
      return null;
    }
  }
  private write(token: string | null) {
    this.token = token;
    try {
      if (token) this.store?.setItem(this.storeKey, token);
      else this.store?.removeItem(this.storeKey);
    } catch {
      // Storage blocked (private mode): the session lasts as long as the page.
    }
  }

  url(path: string): string {
    return `${this.base}/api/v1/widget/${encodeURIComponent(this.key)}${path}`;
  }

  private async call<T>(method: string, path: string, body?: BodyInit | object): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.url(path), { method, headers, body: payload, credentials: "omit" });
    if (!res.ok) {
      const problem = (await res.json().catch(() => null)) as Problem | null;
      throw new WidgetError(res.status, problem);
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  /** Starts or resumes the visitor's session; a stale token is dropped and replaced. */
  async session(): Promise<Session> {
    const body = { page_url: location.href, referrer: document.referrer || null };
    try {
      const s = await this.call<Session>("POST", "/session", body);
      if (s.visitor_token) this.write(s.visitor_token);
      return s;
    } catch (e) {
      if (e instanceof WidgetError && e.status === 401 && this.token) {
        this.write(null);
        return this.session();
      }
      throw e;
    }
  }

  history(cursor?: string | null): Promise<{ items: Message[]; next_cursor: string | null }> {
    const q = new URLSearchParams({ limit: "30" });
    if (cursor) q.set("cursor", cursor);
    return this.call("GET", `/messages?${q}`);
  }

  send(clientId: string, text: string): Promise<Message> {
    return this.call("POST", "/messages", { client_id: clientId, text });
  }

  upload(clientId: string, file: File): Promise<Message> {
    const form = new FormData();
    form.append("file", file, file.name);
    return this.call("POST", `/files?client_id=${encodeURIComponent(clientId)}`, form);
  }

  details(name: string, email: string): Promise<Visitor> {
    return this.call("PATCH", "/visitor", { name, email });
  }

  /** Marks the business's messages up to `upTo` read: the team sees the blue ticks. */
  markRead(upTo: number): Promise<void> {
    return this.call("POST", "/read", { up_to: upTo });
  }

  streamUrl(lastEventId: number | null): string {
    const q = new URLSearchParams({ token: this.token ?? "" });
    if (lastEventId !== null) q.set("last_event_id", String(lastEventId));
    return this.url(`/stream?${q}`);
  }
}
