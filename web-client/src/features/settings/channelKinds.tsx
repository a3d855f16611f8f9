// The channel kinds that can be connected from Settings, each with its own form. A new kind
// (say `web_chat`) adds one entry here with its form; the create and edit dialogs need no
// change.
import { useState, type ComponentType, type FormEvent } from "react";
import type { ApiError, Schemas } from "../../api/client";
import { Button, Field, FormError } from "../../components/ui";
import { SelectField } from "./fields";
import type { Channel } from "./queries";
import { WebChatForm } from "./WebChatForm";

// Each kind's form builds its own settings object (`config` is free-form in the spec).
type ChannelConfig = Schemas["NewChannel"]["config"];
export type ChannelDraft = { name: string; config: ChannelConfig };

export type ChannelFormProps = {
  /** The channel being edited; absent when creating. */
  channel?: Channel;
  error?: ApiError | Error | null;
  busy: boolean;
  submitLabel: string;
  onSubmit: (draft: ChannelDraft) => void;
  onCancel: () => void;
};

export type ChannelKind = {
  kind: Schemas["ChannelKindName"];
  label: string;
  description: string;
  Form: ComponentType<ChannelFormProps>;
};

export const CHANNEL_KINDS: ChannelKind[] = [
  {
    kind: "custom",
    label: "Custom channel",
    description: "Connect any messaging service through a bridge you run (respond.io Custom Channel contract).",
    Form: CustomChannelForm,
  },
  {
    kind: "web_chat",
    label: "Website chat widget",
    description: "A chat bubble on your own website: visitors write to your team live. No provider account needed.",
    Form: WebChatForm,
  },
];

export function kindLabel(kind: string): string {
  return CHANNEL_KINDS.find((k) => k.kind === kind)?.label ?? kind.replace(/_/g, " ");
}

function fieldError(error: ChannelFormProps["error"], name: string): string | undefined {
  return error && "field" in error ? error.field(name) : undefined;
}

function CustomChannelForm({ channel, error, busy, submitLabel, onSubmit, onCancel }: ChannelFormProps) {
  const config = (channel?.config ?? {}) as {
    api_base_url?: string;
    id_type?: string;
    reply_window_hours?: number | null;
    voice_notes?: boolean;
  };
  const [name, setName] = useState(channel?.name ?? "");
  const [apiBaseUrl, setApiBaseUrl] = useState(config.api_base_url ?? "");
  const [idType, setIdType] = useState(config.id_type ?? "phone");
  const [replyWindow, setReplyWindow] = useState(
    config.reply_window_hours != null ? String(config.reply_window_hours) : "",
  );
  const [voiceNotes, setVoiceNotes] = useState(config.voice_notes ?? false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({
      name: name.trim(),
      config: {
        api_base_url: apiBaseUrl.trim(),
        id_type: idType,
        reply_window_hours: replyWindow.trim() === "" ? null : Number(replyWindow),
        voice_notes: voiceNotes,
      } as unknown as ChannelConfig,
    });
  };
  const named = error && "problem" in error ? error.problem.errors?.length : 0;
  return (
    <form className="form" onSubmit={submit}>
      <Field
        label="Channel name"
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fieldError(error, "name")}
        hint="Only your team sees it."
        autoFocus
      />
      <Field
        label="Bridge API base URL"
        type="url"
        required
        placeholder="https://bridge.example.com"
        value={apiBaseUrl}
        onChange={(e) => setApiBaseUrl(e.target.value)}
        error={fieldError(error, "config.api_base_url")}
        hint="Replies are posted to <this URL>/message."
      />
      <SelectField
        label="Contact ID type"
        value={idType}
        onChange={(e) => setIdType(e.target.value)}
        error={fieldError(error, "config.id_type")}
        hint={
          idType === "phone"
            ? "Phone numbers in E.164; you may write to a contact first."
            : "Up to 50 characters of A-Za-z0-9_=+/@; the contact must write first."
        }
      >
        <option value="phone">Phone number</option>
        <option value="custom">Custom ID</option>
      </SelectField>
      <Field
        label="Reply window (hours)"
        type="number"
        min={1}
        max={8760}
        step={1}
        value={replyWindow}
        onChange={(e) => setReplyWindow(e.target.value)}
        error={fieldError(error, "config.reply_window_hours")}
        hint="Leave empty when replies are allowed at any time."
      />
      <label className="choice">
        <input type="checkbox" checked={voiceNotes} onChange={(e) => setVoiceNotes(e.target.checked)} />
        <span>
          <strong>The bridge accepts voice notes</strong>
        </span>
      </label>
      {fieldError(error, "config.voice_notes") ? (
        <div className="field-error" role="alert">
          {fieldError(error, "config.voice_notes")}
        </div>
      ) : null}
      {named ? null : <FormError error={error} />}
      <div className="row end">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
