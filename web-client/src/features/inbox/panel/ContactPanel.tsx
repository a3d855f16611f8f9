// The contact side panel next to a thread (also used on the contact page).
import type { Schemas } from "../../../api/client";

export function ContactPanel({ contact }: { contact: Schemas["ContactView"] }) {
  return <aside className="contact-panel" aria-label="Contact details" data-contact={contact.id} />;
}
