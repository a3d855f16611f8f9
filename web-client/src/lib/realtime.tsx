// Keeps every screen current: one event stream per tab, and each event invalidates the
// queries that show what it changed. Query keys used across the app:
//   ["me"], ["inbox", …], ["timeline", contactId], ["contact", contactId], ["contacts", …],
//   ["conversations", contactId], ["activity", contactId], ["notifications"], ["members"],
//   ["teams"], ["channels"], ["snippets"], ["files"], ["tags"], ["contact-fields"],
//   ["categories"], ["custom-inboxes"], ["api-tokens"], ["invitations"]
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { connectRealtime, type ConnectionState, type ServerEvent } from "../api/realtime";

type Listener = (e: ServerEvent) => void;
type Ctx = { state: ConnectionState; subscribe: (l: Listener) => () => void };

const RealtimeContext = createContext<Ctx>({ state: "connecting", subscribe: () => () => {} });

/** What each event invalidates. */
export function invalidate(qc: QueryClient, e: ServerEvent) {
  const contactId = e.subject_type === "contact" ? e.subject_id : null;
  const [family] = e.type.split(".");
  const all = (key: string) => void qc.invalidateQueries({ queryKey: [key] });
  switch (family) {
    case "message":
    case "comment":
    case "conversation":
    case "contact":
    case "inbox":
      all("inbox");
      if (contactId !== null) {
        for (const k of ["timeline", "contact", "conversations", "activity"])
          void qc.invalidateQueries({ queryKey: [k, contactId] });
      }
      if (family === "contact") all("contacts");
      if (e.type === "contact.merged" || e.type === "contact.deleted") {
        all("contact");
        all("timeline");
      }
      break;
    case "notification":
      all("notifications");
      break;
    case "user":
      all("members");
      all("me");
      break;
    case "workspace":
      all("me");
      break;
    case "team":
      all("teams");
      break;
    case "channel":
      all("channels");
      break;
    case "snippet":
      all("snippets");
      break;
    case "file":
      all("files");
      break;
    case "tag":
      all("tags");
      break;
    case "contact_field":
      all("contact-fields");
      break;
    case "closing_note_category":
      all("categories");
      break;
    case "custom_inbox":
      all("custom-inboxes");
      break;
    case "api_token":
      all("api-tokens");
      break;
  }
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [state, setState] = useState<ConnectionState>("connecting");
  const listeners = useRef(new Set<Listener>());
  useEffect(() => {
    const conn = connectRealtime({
      onEvent: (e) => {
        invalidate(qc, e);
        listeners.current.forEach((l) => l(e));
      },
      onState: setState,
      onResync: () => void qc.invalidateQueries(),
    });
    return () => conn.stop();
  }, [qc]);
  const [ctx] = useState<Omit<Ctx, "state">>(() => ({
    subscribe: (l: Listener) => {
      listeners.current.add(l);
      return () => listeners.current.delete(l);
    },
  }));
  return <RealtimeContext.Provider value={{ state, ...ctx }}>{children}</RealtimeContext.Provider>;
}

export function useConnectionState() {
  return useContext(RealtimeContext).state;
}

/** Calls `listener` for every event while the component is mounted. */
export function useServerEvents(listener: Listener) {
  const { subscribe } = useContext(RealtimeContext);
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(() => subscribe((e) => ref.current(e)), [subscribe]);
}
