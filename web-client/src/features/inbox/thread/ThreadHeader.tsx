// The thread's header: who the contact is, where they write from, whether the conversation is
// open; assign or unassign, open or close (with the workspace's closing note).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, ok } from "../../../api/client";
import { toast } from "../../../components/Toasts";
import { Avatar, Button } from "../../../components/ui";
import { useMe } from "../../../lib/session";
import type { Contact } from "../api";
import { CloseDialog, type ClosingNote } from "../CloseDialog";
import { MemberSelect } from "../MemberSelect";

export function ThreadHeader({
  contact,
  panelOpen,
  onTogglePanel,
}: {
  contact: Contact;
  panelOpen: boolean;
  onTogglePanel: () => void;
}) {
  const qc = useQueryClient();
  const mode = useMe().data?.workspace.closing_notes_mode ?? "optional";
  const [closing, setClosing] = useState(false);
  const path = { contact: String(contact.id) };
  const isOpen = Boolean(contact.open_conversation);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["contact", contact.id] });
    void qc.invalidateQueries({ queryKey: ["timeline", contact.id] });
    void qc.invalidateQueries({ queryKey: ["inbox"] });
  };

  const assign = useMutation({
    mutationFn: (userId: number | null) =>
      ok(api.PUT("/api/v1/contacts/{contact}/assignee", { params: { path }, body: { user_id: userId } })),
    onSuccess: (fresh) => {
      qc.setQueryData(["contact", contact.id], fresh);
      toast(fresh.assignee ? `Assigned to ${fresh.assignee.name}` : "Unassigned");
      refresh();
    },
    onError: (e) => toast(messageOf(e), "error"),
  });

  const reopen = useMutation({
    mutationFn: () =>
      ok(api.POST("/api/v1/contacts/{contact}/conversation", { params: { path }, body: { status: "open" } })),
    onSuccess: () => {
      toast("Conversation opened");
      refresh();
    },
    onError: (e) => toast(messageOf(e), "error"),
  });

  async function close(note: ClosingNote) {
    await ok(
      api.POST("/api/v1/contacts/{contact}/conversation", {
        params: { path },
        body: { status: "closed", category: note.category ?? null, summary: note.summary ?? null },
      }),
    );
    toast("Conversation closed");
    refresh();
  }

  const channels = contact.channels.map((c) => c.name).join(", ");
  return (
    <header className="thread-header">
      <Avatar name={contact.name} size={36} />
      <div className="grow thread-title">
        <h2 className="truncate" title={contact.name}>
          {contact.name}
        </h2>
        <div className="row small muted">
          <span className={`status-pill ${isOpen ? "is-open" : "is-closed"}`} aria-label={`Status: ${isOpen ? "Open" : "Closed"}`}>
            {isOpen ? "Open" : "Closed"}
          </span>
          {channels ? <span className="truncate" title={channels}>via {channels}</span> : null}
        </div>
      </div>
      <div className="row thread-actions">
        <MemberSelect
          label="Assignee"
          value={contact.assignee?.id ?? null}
          onChange={(id) => assign.mutate(id)}
          disabled={assign.isPending}
        />
        {isOpen ? (
          <Button variant="primary" onClick={() => setClosing(true)}>
            Close conversation
          </Button>
        ) : (
          <Button variant="primary" busy={reopen.isPending} onClick={() => reopen.mutate()}>
            Open conversation
          </Button>
        )}
        <button
          type="button"
          className="icon-btn"
          aria-pressed={panelOpen}
          aria-label="Contact details"
          title="Contact details"
          onClick={onTogglePanel}
        >
          ☰
        </button>
      </div>
      <CloseDialog open={closing} mode={mode} subject={contact.name} onSubmit={close} onClose={() => setClosing(false)} />
    </header>
  );
}
