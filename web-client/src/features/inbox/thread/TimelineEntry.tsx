// One item of a thread: a message (in or out, with its delivery tick), a private note, or an
// activity line (opened, assigned, unassigned, closed with its closing note).
import type { Schemas } from "../../../api/client";
import { clock, dateTime } from "../../../lib/format";
import type { TimelineItem } from "../api";
import { Attachment } from "./Attachment";

type Message = Schemas["MessageView"];
type Activity = Schemas["ActivityView"];
type NameOf = (id: number | null | undefined) => string;

export function TimelineEntry({
  item,
  contactName,
  nameOf,
  onMediaLoad,
}: {
  item: TimelineItem;
  contactName: string;
  nameOf: NameOf;
  onMediaLoad?: () => void;
}) {
  if (item.message) return <MessageBubble m={item.message} nameOf={nameOf} onMediaLoad={onMediaLoad} />;
  if (item.comment) {
    const c = item.comment;
    return (
      <article className="tl-note" aria-label={`Private note by ${actorName(c.author.type, c.author.id, nameOf, contactName)}`}>
        <header className="tl-meta">
          <span className="tl-note-label">🔒 Private note</span>
          <span>{actorName(c.author.type, c.author.id, nameOf, contactName)}</span>
          <time dateTime={c.created_at} title={dateTime(c.created_at)}>
            {clock(c.created_at)}
          </time>
        </header>
        <div className="tl-text">{withMentions(c.text, nameOf)}</div>
      </article>
    );
  }
  if (item.activity) return <ActivityLine a={item.activity} contactName={contactName} nameOf={nameOf} />;
  return null;
}

function actorName(type: string, id: number | null | undefined, nameOf: NameOf, contactName: string): string {
  switch (type) {
    case "user":
      return nameOf(id);
    case "contact":
      return contactName;
    case "api":
      return "The API";
    case "workflow":
      return "A workflow";
    default:
      return "The system";
  }
}

/** Notes mention members as `@{user_id}`: show their names. */
function withMentions(text: string, nameOf: NameOf): string {
  return text.replace(/@\{(\d+)\}/g, (_, id: string) => `@${nameOf(Number(id))}`);
}

const TICKS: Record<string, { icon: string; label: string }> = {
  pending: { icon: "⏱", label: "Pending" },
  sent: { icon: "✓", label: "Sent" },
  delivered: { icon: "✓✓", label: "Delivered" },
  read: { icon: "✓✓", label: "Read" },
  failed: { icon: "⚠", label: "Failed" },
};

export function DeliveryTick({ status }: { status: string }) {
  const t = TICKS[status];
  if (!t) return null;
  return (
    <span className={`tick tick-${status}`} title={t.label} role="img" aria-label={t.label}>
      {t.icon}
    </span>
  );
}

function MessageBubble({ m, nameOf, onMediaLoad }: { m: Message; nameOf: NameOf; onMediaLoad?: () => void }) {
  const outgoing = m.direction === "outgoing";
  const sender = outgoing
    ? m.sender.type === "user"
      ? nameOf(m.sender.id)
      : m.sender.type === "api"
        ? "API"
        : m.sender.type === "workflow"
          ? "Workflow"
          : "System"
    : null;
  return (
    <article
      className={`tl-msg ${outgoing ? "tl-out" : "tl-in"} ${m.status === "failed" ? "tl-failed" : ""}`}
      aria-label={outgoing ? `Message sent by ${sender}` : "Message from the contact"}
    >
      {m.attachment || m.file_id ? <Attachment message={m} onMediaLoad={onMediaLoad} /> : null}
      {m.text ? <div className="tl-text">{m.text}</div> : null}
      {m.type === "template" && !m.text ? <div className="tl-text muted">Template message</div> : null}
      <footer className="tl-meta">
        {sender ? <span>{sender}</span> : null}
        <time dateTime={m.created_at} title={dateTime(m.created_at)}>
          {clock(m.created_at)}
        </time>
        {outgoing ? <DeliveryTick status={m.status} /> : null}
      </footer>
      {m.status === "failed" ? (
        <div className="tl-error" role="note">
          Not delivered: {m.error || "the channel refused it"}
        </div>
      ) : null}
    </article>
  );
}

function ActivityLine({ a, contactName, nameOf }: { a: Activity; contactName: string; nameOf: NameOf }) {
  const d = (a.detail ?? {}) as Record<string, unknown>;
  const who = actorName(a.actor_type, a.actor_id, nameOf, contactName);
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  let text: string;
  let note: { category: string | null; summary: string | null } | null = null;
  switch (a.kind) {
    case "conversation_opened":
      text = a.actor_type === "contact" ? "Conversation opened by a new message" : `${who} opened the conversation`;
      break;
    case "conversation_closed":
      text =
        str(d.source) === "auto_close"
          ? "Conversation closed automatically"
          : str(d.source) === "merge"
            ? "Conversation closed by a merge"
            : `${who} closed the conversation`;
      note = { category: str(d.category), summary: str(d.summary) };
      break;
    case "assigned": {
      const to = num(d.to);
      text = a.actor_type === "user" && a.actor_id === to ? `${who} took the conversation` : `${who} assigned it to ${nameOf(to)}`;
      break;
    }
    case "unassigned": {
      const from = num(d.from);
      text = a.actor_type === "user" && a.actor_id === from ? `${who} unassigned themselves` : `${who} unassigned ${nameOf(from)}`;
      break;
    }
    default:
      text = `${who}: ${a.kind.replace(/_/g, " ")}`;
  }
  return (
    <div className={`tl-activity tl-${a.kind}`} role="note">
      <div className="tl-activity-line">
        <span>{text}</span>
        <time dateTime={a.created_at} title={dateTime(a.created_at)}>
          {clock(a.created_at)}
        </time>
      </div>
      {note && (note.category || note.summary) ? (
        <div className="tl-closing-note">
          {note.category ? <span className="pill">Category: {note.category}</span> : null}
          {note.summary ? <p>{note.summary}</p> : null}
        </div>
      ) : null}
    </div>
  );
}
