// Teams: a name and a description; members join a team from the Users page. Only owners
// delete teams (managers cannot), so the delete action is shown to owners only.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, ok } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Modal } from "../../components/Modal";
import { Button, EmptyState, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { useRole } from "../../lib/session";
import { TextAreaField } from "./fields";
import { useTeams, type Team } from "./queries";

export function TeamsSettings() {
  const teams = useTeams();
  const owner = useRole() === "owner";
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/teams/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ["teams"] });
      void qc.invalidateQueries({ queryKey: ["members"] });
    },
  });
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Teams</h2>
          <p className="muted">A member belongs to at most one team.</p>
        </div>
        <Button variant="primary" onClick={() => setEditing("new")}>
          New team
        </Button>
      </div>
      {teams.isPending ? (
        <Spinner />
      ) : teams.isError ? (
        <ErrorState error={teams.error} retry={() => void teams.refetch()} />
      ) : teams.data.length === 0 ? (
        <EmptyState title="No teams yet" />
      ) : (
        <table className="table" aria-label="Teams">
          <thead>
            <tr>
              <th>Name</th>
              <th>Description</th>
              <th>Members</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {teams.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="muted">{t.description}</td>
                <td>{t.member_count}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setEditing(t)} aria-label={`Edit ${t.name}`}>
                    Edit
                  </Button>
                  {owner ? (
                    <Button variant="ghost" onClick={() => setDeleting(t)} aria-label={`Delete ${t.name}`}>
                      Delete
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? <TeamDialog team={editing === "new" ? null : editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete team"
        confirmLabel="Delete team"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> is deleted and its {deleting?.member_count ?? 0} member(s) become
          team-less. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function TeamDialog({ team, onClose }: { team: Team | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(team?.name ?? "");
  const [description, setDescription] = useState(team?.description ?? "");
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), description };
      return team
        ? ok(api.PATCH("/api/v1/teams/{id}", { params: { path: { id: team.id } }, body }))
        : ok(api.POST("/api/v1/teams", { body }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["teams"] });
      onClose();
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal title={team ? `Edit ${team.name}` : "New team"} open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field
          label="Team name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={err?.field("name")}
          autoFocus
        />
        <TextAreaField
          label="Description"
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={err?.field("description")}
        />
        {err?.problem.errors?.length ? null : <FormError error={save.error} />}
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {team ? "Save team" : "Create team"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
