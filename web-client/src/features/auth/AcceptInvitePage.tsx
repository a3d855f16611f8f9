import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok } from "../../api/client";
import { Button, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { startSession } from "../../lib/session";
import { AuthLayout } from "./AuthLayout";

export function AcceptInvitePage() {
  const { token } = useParams({ from: "/invite/$token" });
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const preview = useQuery({
    queryKey: ["invitation", token],
    queryFn: () =>
      ok(api.GET("/api/v1/invitations/{token}/preview", { params: { path: { token } } })),
    retry: false,
  });
  const accept = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/api/v1/invitations/{token}/accept", {
          params: { path: { token } },
          body: preview.data?.existing_account ? { password } : { name, password },
        }),
      ),
    onSuccess: (session) => {
      startSession(session);
      void navigate({ to: "/inbox" });
    },
  });
  if (preview.isPending) return <Spinner />;
  if (preview.isError)
    return (
      <AuthLayout title="Invitation">
        <ErrorState error={preview.error} />
      </AuthLayout>
    );
  const p = preview.data;
  const err = accept.error instanceof ApiError ? accept.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    accept.mutate();
  };
  return (
    <AuthLayout title={`Join ${p.workspace_name}`}>
      <p className="muted">
        You were invited as <strong>{p.role}</strong> with <strong>{p.email}</strong>.
        {p.existing_account ? " Sign in with your existing password to join." : ""}
      </p>
      <form onSubmit={submit} className="form">
        {p.existing_account ? null : (
          <Field label="Your name" required value={name} onChange={(e) => setName(e.target.value)} error={err?.field("name")} autoFocus />
        )}
        <Field
          label={p.existing_account ? "Password" : "Choose a password"}
          type="password"
          required
          minLength={8}
          autoComplete={p.existing_account ? "current-password" : "new-password"}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={err?.field("password")}
        />
        {err?.problem.errors?.length ? null : <FormError error={accept.error} />}
        <Button type="submit" variant="primary" busy={accept.isPending}>
          Accept invitation
        </Button>
      </form>
    </AuthLayout>
  );
}
