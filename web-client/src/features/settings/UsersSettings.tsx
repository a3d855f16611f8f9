// Members and invitations. Owners manage everyone; managers invite and manage agents only,
// so controls the server would refuse are not shown to them. An invitation's accept link
// carries a single-use token and is shown once, right after inviting.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, messageOf, ok, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Modal } from "../../components/Modal";
import { toast } from "../../components/Toasts";
import { Avatar, Button, EmptyState, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { useMembers, type Member } from "../../lib/members";
import { useMe, type Role } from "../../lib/session";
import { SelectField } from "./fields";
import { CopyValue, ShownOnceWarning } from "./OneTimeSecret";
import { useInvitations, useTeams, type Invitation, type Team } from "./queries";

type Visibility = Schemas["ContactVisibility"];
type MemberPatch = Schemas["MemberPatch"];

const ROLES: { role: Role; label: string }[] = [
  { role: "owner", label: "Owner" },
  { role: "manager", label: "Manager" },
  { role: "agent", label: "Agent" },
];
const VISIBILITIES: { value: Visibility; label: string }[] = [
  { value: "all", label: "All contacts" },
  { value: "team", label: "Their team's contacts" },
  { value: "assigned", label: "Assigned to them only" },
];
const roleLabel = (r: Role) => ROLES.find((x) => x.role === r)?.label ?? r;

/** The roles the signed-in member may give (invite or change to). */
function grantable(me: Role): Role[] {
  return me === "owner" ? ["owner", "manager", "agent"] : me === "manager" ? ["agent"] : [];
}

/** Whether the signed-in member may change or remove a member with this role. */
function canHandle(me: Role, target: Role): boolean {
  return me === "owner" || (me === "manager" && target === "agent");
}

export function UsersSettings() {
  const me = useMe();
  const members = useMembers();
  const teams = useTeams();
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const qc = useQueryClient();
  const myRole = me.data?.role ?? "agent";
  const myId = me.data?.member?.id;
  const remove = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/users/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setRemoving(null);
      void qc.invalidateQueries({ queryKey: ["members"] });
      void qc.invalidateQueries({ queryKey: ["teams"] });
    },
  });
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Users</h2>
          <p className="muted">
            {myRole === "owner" ? "Owners manage everyone." : "Managers invite and manage agents."}
          </p>
        </div>
        <Button variant="primary" onClick={() => setInviting(true)}>
          Invite user
        </Button>
      </div>
      {members.isPending ? (
        <Spinner />
      ) : members.isError ? (
        <ErrorState error={members.error} retry={() => void members.refetch()} />
      ) : (
        <table className="table" aria-label="Members">
          <thead>
            <tr>
              <th>Member</th>
              <th>Role</th>
              <th>Team</th>
              <th>Sees</th>
              <th>Status</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <MemberRow
                key={m.id}
                member={m}
                teams={teams.data ?? []}
                myRole={myRole}
                self={m.id === myId}
                onRemove={() => setRemoving(m)}
              />
            ))}
          </tbody>
        </table>
      )}
      <PendingInvitations teams={teams.data ?? []} />
      {inviting ? <InviteDialog myRole={myRole} teams={teams.data ?? []} onClose={() => setInviting(false)} /> : null}
      <ConfirmDialog
        open={removing !== null}
        title="Remove member"
        confirmLabel="Remove member"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing.id)}
      >
        <p>
          <strong>{removing?.name}</strong> loses access to this workspace and is signed out of it. Their account
          and past work stay.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function MemberRow({
  member,
  teams,
  myRole,
  self,
  onRemove,
}: {
  member: Member;
  teams: Team[];
  myRole: Role;
  self: boolean;
  onRemove: () => void;
}) {
  const qc = useQueryClient();
  const editable = canHandle(myRole, member.role);
  const update = useMutation({
    mutationFn: (body: MemberPatch) =>
      ok(api.PATCH("/api/v1/users/{id}", { params: { path: { id: member.id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["members"] });
      void qc.invalidateQueries({ queryKey: ["teams"] });
      void qc.invalidateQueries({ queryKey: ["me"] });
    },
    onError: (e) => toast(`Could not change ${member.name}: ${messageOf(e)}`, "error"),
  });
  const roles = grantable(myRole);
  const teamName = teams.find((t) => t.id === member.team_id)?.name;
  return (
    <tr>
      <td>
        <div className="row">
          <Avatar name={member.name} size={28} />
          <div className="stack-tight">
            <span>
              {member.name}
              {self ? <span className="muted"> (you)</span> : null}
            </span>
            <span className="muted small">{member.email}</span>
          </div>
        </div>
      </td>
      <td>
        {editable && roles.length > 1 ? (
          <select
            aria-label={`Role of ${member.name}`}
            value={member.role}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.label}
              </option>
            ))}
          </select>
        ) : (
          roleLabel(member.role)
        )}
      </td>
      <td>
        {editable ? (
          <select
            aria-label={`Team of ${member.name}`}
            value={member.team_id ?? ""}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ team_id: e.target.value === "" ? null : Number(e.target.value) })}
          >
            <option value="">No team</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        ) : (
          (teamName ?? <span className="muted">No team</span>)
        )}
      </td>
      <td>
        {member.role !== "agent" ? (
          <span className="muted">All contacts</span>
        ) : editable ? (
          <select
            aria-label={`Contacts ${member.name} sees`}
            value={member.contact_visibility}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ contact_visibility: e.target.value as Visibility })}
          >
            {VISIBILITIES.map((v) => (
              <option key={v.value} value={v.value}>
                {v.label}
              </option>
            ))}
          </select>
        ) : (
          VISIBILITIES.find((v) => v.value === member.contact_visibility)?.label
        )}
      </td>
      <td>
        <span className="row">
          <span className={`status-dot status-${member.status}`} aria-hidden />
          {member.status}
        </span>
      </td>
      <td className="actions">
        {editable && !self ? (
          <Button variant="ghost" onClick={onRemove} aria-label={`Remove ${member.name}`}>
            Remove
          </Button>
        ) : null}
      </td>
    </tr>
  );
}

function PendingInvitations({ teams }: { teams: Team[] }) {
  const invitations = useInvitations();
  const qc = useQueryClient();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/invitations/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ["invitations"] });
    },
  });
  return (
    <section className="stack settings-section" aria-labelledby="pending-invitations">
      <h3 id="pending-invitations">Pending invitations</h3>
      {invitations.isPending ? (
        <Spinner />
      ) : invitations.isError ? (
        <ErrorState error={invitations.error} retry={() => void invitations.refetch()} />
      ) : invitations.data.length === 0 ? (
        <EmptyState title="No pending invitations" />
      ) : (
        <table className="table" aria-label="Pending invitations">
          <thead>
            <tr>
              <th>E-mail</th>
              <th>Role</th>
              <th>Team</th>
              <th>Expires</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{roleLabel(i.role)}</td>
                <td>{teams.find((t) => t.id === i.team_id)?.name ?? <span className="muted">No team</span>}</td>
                <td>{dateTime(i.expires_at)}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setRevoking(i)} aria-label={`Revoke invitation of ${i.email}`}>
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke invitation"
        confirmLabel="Revoke invitation"
        busy={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        <p>The invitation link sent to {revoking?.email} stops working.</p>
      </ConfirmDialog>
    </section>
  );
}

function InviteDialog({ myRole, teams, onClose }: { myRole: Role; teams: Team[]; onClose: () => void }) {
  const qc = useQueryClient();
  const roles = grantable(myRole);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [teamId, setTeamId] = useState("");
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const invite = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/api/v1/invitations", {
          body: { email: email.trim(), role, team_id: teamId === "" ? null : Number(teamId) },
        }),
      ),
    onSuccess: (res) => {
      setLink({ email: res.invitation.email, url: `${location.origin}/invite/${res.token}` });
      void qc.invalidateQueries({ queryKey: ["invitations"] });
    },
  });
  const err = invite.error instanceof ApiError ? invite.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  if (link) {
    return (
      <Modal
        title="Invitation created"
        open
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        }
      >
        <p>
          Send this link to <strong>{link.email}</strong>. It works once and expires in 7 days.
        </p>
        <CopyValue label="Invitation link" value={link.url} secret />
        <ShownOnceWarning what="the link" />
      </Modal>
    );
  }
  return (
    <Modal title="Invite user" open onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <Field
          label="E-mail"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={err?.field("email")}
          autoFocus
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          error={err?.field("role")}
          hint={myRole === "manager" ? "Managers invite agents only." : undefined}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </SelectField>
        <SelectField label="Team" value={teamId} onChange={(e) => setTeamId(e.target.value)} error={err?.field("team_id")}>
          <option value="">No team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        {err?.problem.errors?.length ? null : <FormError error={invite.error} />}
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={invite.isPending}>
            Send invitation
          </Button>
        </div>
      </form>
    </Modal>
  );
}
