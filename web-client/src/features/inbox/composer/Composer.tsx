// The reply / private-note composer under a thread.
import type { Schemas } from "../../../api/client";

export function Composer({ contact }: { contact: Schemas["ContactView"] }) {
  return <div className="composer" data-contact={contact.id} />;
}
