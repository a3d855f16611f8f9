// The frame around every signed-in screen: navigation, workspace, user menu, notifications,
// and the realtime connection that keeps them all current.
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { useEffect } from "react";
import { Toasts } from "../../components/Toasts";
import { Spinner, ErrorState } from "../../components/ui";
import { RealtimeProvider, useConnectionState } from "../../lib/realtime";
import { canManage, useClearCacheOnSignOut, useMe, useSignedIn } from "../../lib/session";
import { NotificationsBell } from "./NotificationsBell";
import { UserMenu } from "./UserMenu";

export function AppShell() {
  const signedIn = useSignedIn();
  const navigate = useNavigate();
  useClearCacheOnSignOut();
  useEffect(() => {
    if (!signedIn) {
      void navigate({ to: "/login", search: { redirect: window.location.pathname + window.location.search } });
    }
  }, [signedIn, navigate]);
  const me = useMe();
  if (!signedIn) return null;
  if (me.isPending) return <Spinner />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const manager = canManage(me.data.role);
  return (
    <RealtimeProvider>
      <div className="shell">
        <nav className="sidenav" aria-label="Main">
          <div className="brand" title={me.data.workspace.name}>
            <span className="brand-mark" aria-hidden>
              IS
            </span>
            <span className="workspace-name">{me.data.workspace.name}</span>
          </div>
          <ul>
            <li>
              <Link to="/inbox" activeProps={{ className: "active" }}>
                <span aria-hidden>💬</span> Inbox
              </Link>
            </li>
            <li>
              <Link to="/contacts" activeProps={{ className: "active" }}>
                <span aria-hidden>👥</span> Contacts
              </Link>
            </li>
            {manager ? (
              <li>
                <Link to="/settings" activeProps={{ className: "active" }}>
                  <span aria-hidden>⚙️</span> Settings
                </Link>
              </li>
            ) : null}
          </ul>
          <div className="sidenav-bottom">
            <ConnectionBadge />
            <NotificationsBell />
            <UserMenu me={me.data} />
          </div>
        </nav>
        <main className="content">
          <Outlet />
        </main>
        <Toasts />
      </div>
    </RealtimeProvider>
  );
}

function ConnectionBadge() {
  const state = useConnectionState();
  if (state === "live") return null;
  return (
    <div className={`connection connection-${state}`} role="status">
      {state === "offline" ? "Offline — reconnecting…" : "Connecting…"}
    </div>
  );
}
