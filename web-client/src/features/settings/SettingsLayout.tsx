// Settings are for owners and managers; agents who follow a link get a plain refusal.
import { Link, Outlet } from "@tanstack/react-router";
import { EmptyState } from "../../components/ui";
import { canManage, useRole } from "../../lib/session";
import { settingsPages } from "./pages";

export function SettingsLayout() {
  const role = useRole();
  if (!canManage(role)) {
    return <EmptyState title="Settings are for owners and managers" />;
  }
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings">
        <h1>Settings</h1>
        <ul>
          {settingsPages.map((p) => (
            <li key={p.slug}>
              <Link to="/settings/$page" params={{ page: p.slug }} activeProps={{ className: "active" }}>
                {p.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section className="settings-body">
        <Outlet />
      </section>
    </div>
  );
}
