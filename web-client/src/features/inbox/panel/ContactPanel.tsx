// The contact side panel next to a thread (also used on the contact page): details, custom
// fields, tags, channels, past conversations with their closing notes, and activity.
import type { Schemas } from "../../../api/client";
import { timeAgo } from "../../../lib/format";
import { ContactDetails } from "./ContactDetails";
import { CustomFields } from "./CustomFields";
import { ActivityHistory, Conversations } from "./History";
import { TagsEditor } from "./TagsEditor";
import "./panel.css";

export function ContactPanel({ contact }: { contact: Schemas["ContactView"] }) {
  return (
    <aside className="contact-panel" aria-label="Contact details" data-contact={contact.id}>
      <ContactDetails key={`d${contact.id}`} contact={contact} />
      <CustomFields contact={contact} />
      <TagsEditor key={`t${contact.id}`} contact={contact} />
      <Channels contact={contact} />
      <Conversations contactId={contact.id} />
      <ActivityHistory contactId={contact.id} />
    </aside>
  );
}

function Channels({ contact }: { contact: Schemas["ContactView"] }) {
  return (
    <section className="panel-section" aria-labelledby={`channels-${contact.id}`}>
      <h3 id={`channels-${contact.id}`}>Channels</h3>
      {contact.channels.length === 0 ? (
        <p className="muted small">Not reachable on any channel.</p>
      ) : (
        <ul className="channels" aria-label="Channels of this contact">
          {contact.channels.map((c) => (
            <li key={c.channel_id}>
              <div className="row between">
                <strong className="truncate">{c.name}</strong>
                <span className="pill">{c.kind}</span>
              </div>
              <div className="muted small truncate" title={c.external_id}>
                {c.external_id}
                {c.last_incoming_at ? ` · last wrote ${timeAgo(c.last_incoming_at)}` : ""}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
