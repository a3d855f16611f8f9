import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, ok } from "../../api/client";
import { Button, Field, FormError } from "../../components/ui";
import { startSession } from "../../lib/session";
import { AuthLayout } from "./AuthLayout";

export function LoginPage() {
  const navigate = useNavigate();
  const { redirect } = useSearch({ from: "/login" });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation({
    mutationFn: () => ok(api.POST("/api/v1/auth/login", { body: { email, password } })),
    onSuccess: (session) => {
      startSession(session);
      void navigate({ to: redirect ?? "/inbox" });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <AuthLayout title="Sign in">
      <form onSubmit={submit} className="form">
        <Field label="E-mail" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <Field label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <FormError error={login.error} />
        <Button type="submit" variant="primary" busy={login.isPending}>
          Sign in
        </Button>
      </form>
      <p className="auth-alt">
        New here? <Link to="/signup">Create a workspace</Link>
      </p>
    </AuthLayout>
  );
}
