// Channels: list, connect (the kind's own form), edit, rotate the bridge token, delete.
// A new channel's inbound webhook URL and its token are shown once, right after creation
// (and a rotated token right after rotating); the token is never displayed again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Modal } from "../../components/Modal";
import { Button, EmptyState, ErrorState, Spinner } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { CHANNEL_KINDS, kindLabel, type ChannelDraft, type ChannelKind } from "./channelKinds";
import { CopyValue, ShownOnceWarning } from "./OneTimeSecret";
import { WidgetEmbed } from "./WebChatForm";
import { useChannels, type Channel } from "./queries";

type WithToken = Schemas["ChannelWithToken"];

export function ChannelsSettings() {
  const channels = useChannels();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Channel | null>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/channels/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ["channels"] });
    },
  });
  const sorted = channels.data ? [...channels.data].sort((a, b) => a.name.localeCompare(b.name)) : [];
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Channels</h2>
          <p className="muted">Where your contacts write from.</p>
        </div>
        <Button variant="primary" onClick={() => setCreating(true)}>
          Add channel
        </Button>
      </div>
      {channels.isPending ? (
        <Spinner />
      ) : channels.isError ? (
        <ErrorState error={channels.error} retry={() => void channels.refetch()} />
      ) : sorted.length === 0 ? (
        <EmptyState title="No channels yet">Add a channel to start receiving messages.</EmptyState>
      ) : (
        <table className="table" aria-label="Channels">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Connected</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{kindLabel(c.kind)}</td>
                <td>{dateTime(c.created_at)}</td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setEditing(c)} aria-label={`Configure ${c.name}`}>
                    Configure
                  </Button>
                  <Button variant="ghost" onClick={() => setDeleting(c)} aria-label={`Delete ${c.name}`}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? <CreateChannelDialog onClose={() => setCreating(false)} /> : null}
      {editing ? <EditChannelDialog channel={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete channel"
        confirmLabel="Delete channel"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> is removed. Its messages stay in the contacts' history, but contacts can
          no longer be messaged through it.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** The channel's bridge credentials, right after creating or rotating. */
function Credentials({ channel, tokenOnly }: { channel: WithToken; tokenOnly?: boolean }) {
  return (
    <div className="stack">
      {tokenOnly ? null : <CopyValue label="Inbound webhook URL" value={channel.webhook_url} />}
      <CopyValue label="API token" value={channel.api_token ?? ""} secret />
      <ShownOnceWarning what="the API token" />
    </div>
  );
}

function CreateChannelDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<ChannelKind | null>(CHANNEL_KINDS.length === 1 ? CHANNEL_KINDS[0]! : null);
  const [created, setCreated] = useState<WithToken | null>(null);
  const create = useMutation({
    mutationFn: (draft: ChannelDraft) =>
      ok(api.POST("/api/v1/channels", { body: { kind: kind!.kind, ...draft } })),
    onSuccess: (res) => {
      setCreated(res);
      void qc.invalidateQueries({ queryKey: ["channels"] });
    },
  });
  if (created?.kind === "web_chat") {
    return (
      <Modal
        title="Chat widget ready"
        open
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        }
      >
        <WidgetEmbed channel={created} />
      </Modal>
    );
  }
  if (created) {
    return (
      <Modal
        title="Channel connected"
        open
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        }
      >
        <p>
          Configure your bridge with these: it posts inbound events to the webhook URL and sends the API token as{" "}
          <code>Authorization: Bearer …</code>.
        </p>
        <Credentials channel={created} />
      </Modal>
    );
  }
  return (
    <Modal title={kind ? `Add ${kind.label.toLowerCase()}` : "Add channel"} open onClose={onClose}>
      {CHANNEL_KINDS.length > 1 ? (
        <fieldset className="settings-fieldset">
          <legend>Kind</legend>
          {CHANNEL_KINDS.map((k) => (
            <label key={k.kind} className="choice">
              <input type="radio" name="channel-kind" checked={kind?.kind === k.kind} onChange={() => setKind(k)} />
              <span>
                <strong>{k.label}</strong>
                <span className="hint choice-hint">{k.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
      ) : kind ? (
        <p className="muted">{kind.description}</p>
      ) : null}
      {kind ? (
        <kind.Form
          key={kind.kind}
          error={create.error}
          busy={create.isPending}
          submitLabel="Create channel"
          onSubmit={(draft) => create.mutate(draft)}
          onCancel={onClose}
        />
      ) : null}
    </Modal>
  );
}

function EditChannelDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const qc = useQueryClient();
  const kind = CHANNEL_KINDS.find((k) => k.kind === channel.kind);
  const [rotated, setRotated] = useState<WithToken | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const save = useMutation({
    mutationFn: (draft: ChannelDraft) =>
      ok(api.PATCH("/api/v1/channels/{id}", { params: { path: { id: channel.id } }, body: draft })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["channels"] });
      onClose();
    },
  });
  const rotate = useMutation({
    mutationFn: async () =>
      (await ok(
        api.PATCH("/api/v1/channels/{id}", { params: { path: { id: channel.id } }, body: { rotate_token: true } }),
      )) as WithToken,
    onSuccess: (res) => {
      setConfirmRotate(false);
      setRotated(res);
      void qc.invalidateQueries({ queryKey: ["channels"] });
    },
  });
  if (rotated) {
    return (
      <Modal
        title="New API token"
        open
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        }
      >
        <p>The old token of {channel.name} has stopped working. Give the bridge this one.</p>
        <Credentials channel={rotated} tokenOnly />
      </Modal>
    );
  }
  return (
    <>
      <Modal title={`Configure ${channel.name}`} open={!confirmRotate} onClose={onClose}>
        {channel.kind === "web_chat" ? (
          <WidgetEmbed channel={channel} />
        ) : (
          <>
            <CopyValue label="Inbound webhook URL" value={channel.webhook_url} />
            <div className="row between settings-rotate">
              <span className="muted">The API token was shown when the channel was created.</span>
              <Button onClick={() => setConfirmRotate(true)}>Rotate token</Button>
            </div>
          </>
        )}
        {kind ? (
          <kind.Form
            channel={channel}
            error={save.error}
            busy={save.isPending}
            submitLabel="Save channel"
            onSubmit={(draft) => save.mutate(draft)}
            onCancel={onClose}
          />
        ) : (
          <p className="muted">This kind of channel is configured elsewhere.</p>
        )}
      </Modal>
      <ConfirmDialog
        open={confirmRotate}
        title="Rotate API token"
        confirmLabel="Rotate token"
        busy={rotate.isPending}
        error={rotate.error}
        onClose={() => setConfirmRotate(false)}
        onConfirm={() => rotate.mutate()}
      >
        <p>The current token stops working at once; the bridge must be given the new one.</p>
      </ConfirmDialog>
    </>
  );
}
