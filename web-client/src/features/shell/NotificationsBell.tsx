// The bell: unread assignments and mentions; a click opens the contact's thread.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { EmptyState, ErrorState, Spinner } from "../../components/ui";
import { timeAgo } from "../../lib/format";
import { useMemberName } from "../../lib/members";

function describe(n: Schemas["NotificationView"], nameOf: (id?: number | null) => string): string {
  const detail = (n.detail ?? {}) as Record<string, unknown>;
  const who = n.actor.type === "user" ? nameOf(n.actor.id) : n.actor.type === "api" ? "The API" : "A workflow";
  const contact = typeof detail.contact_name === "string" ? detail.contact_name : "a contact";
  if (n.kind === "mentioned") return `${who} mentioned you on ${contact}`;
  if (n.kind === "assigned") return `${who} assigned ${contact} to you`;
  return n.kind;
}

export function NotificationsBell() {
  const [open, setOpen] = useState(false);
  const nameOf = useMemberName();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const list = useQuery({
    queryKey: ["notifications"],
    queryFn: () => ok(api.GET("/api/v1/notifications", { params: { query: { limit: 20 } } })),
  });
  const read = useMutation({
    mutationFn: (ids?: number[]) => ok(api.POST("/api/v1/notifications/read", { body: ids ? { ids } : {} })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["notifications"] }),
  });
  const unread = list.data?.unread_count ?? 0;
  return (
    <div className="bell">
      <button
        type="button"
        className="icon-btn bell-button"
        aria-label={`Notifications, ${unread} unread`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        🔔{unread > 0 ? <span className="badge" data-testid="unread-notifications">{unread}</span> : null}
      </button>
      {open ? (
        <div className="menu notifications" role="dialog" aria-label="Notifications">
          <div className="menu-header row">
            <strong>Notifications</strong>
            {unread > 0 ? (
              <button type="button" className="link" onClick={() => read.mutate(undefined)}>
                Mark all read
              </button>
            ) : null}
          </div>
          {list.isPending ? (
            <Spinner />
          ) : list.isError ? (
            <ErrorState error={list.error} />
          ) : list.data.items.length === 0 ? (
            <EmptyState title="No notifications yet" />
          ) : (
            <ul>
              {list.data.items.map((n) => (
                <li key={n.id}>
                  <button
                    type="button"
                    className={`menu-item notification ${n.read ? "" : "unread"}`}
                    onClick={() => {
                      if (!n.read) read.mutate([n.id]);
                      setOpen(false);
                      if (n.contact_id)
                        void navigate({ to: "/inbox/$contactId", params: { contactId: n.contact_id }, search: (s) => s });
                    }}
                  >
                    <span>{describe(n, nameOf)}</span>
                    <span className="muted small">{timeAgo(n.created_at)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
