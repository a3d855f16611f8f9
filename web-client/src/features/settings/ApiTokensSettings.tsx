// API tokens for integrations: create (the secret is shown once, in the dialog that created
// it), list by name and prefix, revoke.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Modal } from "../../components/Modal";
import { Button, EmptyState, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { dateTime, timeAgo } from "../../lib/format";
import { CopyValue, ShownOnceWarning } from "./OneTimeSecret";
import { useApiTokens, type ApiToken } from "./queries";

export function ApiTokensSettings() {
  const tokens = useApiTokens();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/api-tokens/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ["api-tokens"] });
    },
  });
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>API tokens</h2>
          <p className="muted">Tokens let integrations call the API with manager rights.</p>
        </div>
        <Button variant="primary" onClick={() => setCreating(true)}>
          New API token
        </Button>
      </div>
      {tokens.isPending ? (
        <Spinner />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet" />
      ) : (
        <table className="table" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts with</th>
              <th>Created</th>
              <th>Last used</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>
                  {dateTime(t.created_at)}
                  {t.created_by_name ? <span className="muted"> by {t.created_by_name}</span> : null}
                </td>
                <td>{t.last_used_at ? timeAgo(t.last_used_at) : <span className="muted">Never</span>}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? <CreateTokenDialog onClose={() => setCreating(false)} /> : null}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API token"
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        <p>
          Integrations using <strong>{revoking?.name}</strong> stop working at once. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<Schemas["CreatedApiToken"] | null>(null);
  const create = useMutation({
    mutationFn: () => ok(api.POST("/api/v1/api-tokens", { body: { name: name.trim() } })),
    onSuccess: (res) => {
      setCreated(res);
      void qc.invalidateQueries({ queryKey: ["api-tokens"] });
    },
  });
  const err = create.error instanceof ApiError ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  if (created) {
    return (
      <Modal title="API token created" open onClose={onClose} footer={<Button variant="primary" onClick={onClose}>Done</Button>}>
        <p>
          <strong>{created.token.name}</strong> is ready. Send it as <code>Authorization: Bearer …</code>.
        </p>
        <CopyValue label="Secret" value={created.secret} secret />
        <ShownOnceWarning what="the secret" />
      </Modal>
    );
  }
  return (
    <Modal title="New API token" open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field
          label="Token name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={err?.field("name")}
          hint="Say what uses it, e.g. “CRM sync”."
          autoFocus
        />
        {err?.problem.errors?.length ? null : <FormError error={create.error} />}
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create token
          </Button>
        </div>
      </form>
    </Modal>
  );
}
