// The open thread: header with its actions, the timeline, the composer under it and the
// contact panel on the right (beside the thread on wide screens, over it on narrow ones).
import { useState } from "react";
import { ApiError } from "../../../api/client";
import { EmptyState, ErrorState, Spinner } from "../../../components/ui";
import { useContact } from "../../../lib/contact";
import { Composer } from "../composer/Composer";
import { ContactPanel } from "../panel/ContactPanel";
import { ThreadHeader } from "./ThreadHeader";
import { Timeline } from "./Timeline";

const PANEL_KEY = "ism.inbox.panel";

function initialPanel(): boolean {
  const saved = localStorage.getItem(PANEL_KEY);
  if (saved !== null) return saved === "1";
  return typeof window.matchMedia === "function" ? window.matchMedia("(min-width: 1280px)").matches : true;
}

export function Thread({ contactId }: { contactId: number }) {
  const contact = useContact(contactId);
  const [panelOpen, setPanelOpen] = useState(initialPanel);
  const togglePanel = () =>
    setPanelOpen((v) => {
      localStorage.setItem(PANEL_KEY, v ? "0" : "1");
      return !v;
    });

  if (contact.isPending) return <Spinner label="Loading the contact" />;
  if (contact.isError) {
    if (contact.error instanceof ApiError && contact.error.status === 404)
      return <EmptyState title="This contact does not exist or is not visible to you." />;
    return <ErrorState error={contact.error} retry={() => void contact.refetch()} />;
  }
  const c = contact.data;
  return (
    <section className="thread" aria-label={`Thread with ${c.name}`}>
      <ThreadHeader contact={c} panelOpen={panelOpen} onTogglePanel={togglePanel} />
      <div className={`thread-body ${panelOpen ? "with-panel" : ""}`}>
        <div className="thread-main">
          <Timeline key={c.id} contact={c} />
          <div className="thread-composer">
            <Composer key={c.id} contact={c} />
          </div>
        </div>
        {panelOpen ? (
          <div className="thread-panel">
            <ContactPanel key={c.id} contact={c} />
          </div>
        ) : null}
      </div>
    </section>
  );
}
