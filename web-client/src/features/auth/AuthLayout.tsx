import type { ReactNode } from "react";

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            IS
          </span>
          <span>IS-Messenger</span>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
