import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { Avatar } from "../../components/ui";
import { toast } from "../../components/Toasts";
import { signOut, type Me } from "../../lib/session";

const STATUSES: Schemas["StatusName"][] = ["online", "away", "offline"];

export function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const status = me.member?.status ?? "offline";
  const setStatus = useMutation({
    mutationFn: (s: Schemas["StatusName"]) => ok(api.PUT("/api/v1/me/status", { body: { status: s } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["me"] }),
    onError: () => toast("Could not change your status.", "error"),
  });
  const name = me.user?.name ?? "API";
  return (
    <div className="user-menu">
      <button
        type="button"
        className="user-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Account menu for ${name}`}
        onClick={() => setOpen(!open)}
      >
        <Avatar name={name} size={28} />
        <span className={`status-dot status-${status}`} aria-label={`Status: ${status}`} />
      </button>
      {open ? (
        <div className="menu" role="menu" onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
          <div className="menu-header">
            <strong>{name}</strong>
            <span className="muted">{me.user?.email}</span>
            <span className="muted">Role: {me.role}</span>
          </div>
          <div className="menu-section" role="group" aria-label="Activity status">
            {STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                role="menuitemradio"
                aria-checked={status === s}
                className="menu-item"
                onClick={() => setStatus.mutate(s)}
              >
                <span className={`status-dot status-${s}`} aria-hidden /> {s[0]!.toUpperCase() + s.slice(1)}
              </button>
            ))}
          </div>
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={async () => {
              await signOut();
              qc.clear();
              void navigate({ to: "/login", search: {} });
            }}
          >
            Log out
          </button>
        </div>
      ) : null}
    </div>
  );
}
