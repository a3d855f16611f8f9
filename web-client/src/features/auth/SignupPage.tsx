import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok } from "../../api/client";
import { Button, Field, FormError } from "../../components/ui";
import { startSession } from "../../lib/session";
import { AuthLayout } from "./AuthLayout";

export function SignupPage() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ workspace_name: "", name: "", email: "", password: "" });
  const signup = useMutation({
    mutationFn: () => ok(api.POST("/api/v1/auth/signup", { body: form })),
    onSuccess: (session) => {
      startSession(session);
      void navigate({ to: "/inbox" });
    },
  });
  const err = signup.error instanceof ApiError ? signup.error : undefined;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signup.mutate();
  };
  return (
    <AuthLayout title="Create your workspace">
      <form onSubmit={submit} className="form">
        <Field label="Workspace name" required value={form.workspace_name} onChange={set("workspace_name")} error={err?.field("workspace_name")} autoFocus />
        <Field label="Your name" required autoComplete="name" value={form.name} onChange={set("name")} error={err?.field("name")} />
        <Field label="E-mail" type="email" required autoComplete="email" value={form.email} onChange={set("email")} error={err?.field("email")} />
        <Field label="Password" type="password" required minLength={8} autoComplete="new-password" value={form.password} onChange={set("password")} error={err?.field("password")} hint="At least 8 characters." />
        {err?.problem.errors?.length ? null : <FormError error={signup.error} />}
        <Button type="submit" variant="primary" busy={signup.isPending}>
          Create workspace
        </Button>
      </form>
      <p className="auth-alt">
        Already have an account? <Link to="/login" search={{}}>Sign in</Link>
      </p>
    </AuthLayout>
  );
}
