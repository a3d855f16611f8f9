// Workspace-wide settings: name, time zone, how closing notes work and the legacy
// unassign-on-close toggle. Saved with PATCH /workspace; `/me` is refetched so the shell
// (workspace name) and every close dialog follow at once.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../api/client";
import { toast } from "../../components/Toasts";
import { Button, ErrorState, Field, FormError, Spinner } from "../../components/ui";
import { useMe } from "../../lib/session";

type Workspace = Schemas["WorkspaceView"];
type Mode = Schemas["ClosingNotesModeName"];

export const CLOSING_NOTE_MODES: { mode: Mode; title: string; explanation: string }[] = [
  {
    mode: "optional",
    title: "Optional",
    explanation: "Closing asks nothing; agents may add a category and a summary if they want to.",
  },
  {
    mode: "category_required",
    title: "Category required",
    explanation: "The close dialog opens every time and a category must be picked; the summary is optional.",
  },
  {
    mode: "category_and_summary_required",
    title: "Category and summary required",
    explanation: "The close dialog opens every time; both a category and a summary must be given.",
  },
  {
    mode: "disabled",
    title: "Disabled",
    explanation: "Conversations close without a note; a category or summary is refused.",
  },
];

function timeZones(current: string): string[] {
  const list = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const all = new Set(list);
  all.add("UTC");
  all.add(current);
  return [...all].sort();
}

export function GeneralSettings() {
  const me = useMe();
  if (me.isPending) return <Spinner />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  // Re-mount the form when the saved workspace changes elsewhere, so it shows the new values.
  return <GeneralForm key={me.data.workspace.updated_at} workspace={me.data.workspace} />;
}

function GeneralForm({ workspace }: { workspace: Workspace }) {
  const qc = useQueryClient();
  const [name, setName] = useState(workspace.name);
  const [timezone, setTimezone] = useState(workspace.timezone);
  const [mode, setMode] = useState<Mode>(workspace.closing_notes_mode);
  const [unassign, setUnassign] = useState(workspace.unassign_on_close);
  const zones = useMemo(() => timeZones(workspace.timezone), [workspace.timezone]);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH("/api/v1/workspace", {
          body: { name: name.trim(), timezone, closing_notes_mode: mode, unassign_on_close: unassign },
        }),
      ),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["me"] });
      toast("Workspace settings saved.");
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const dirty =
    name.trim() !== workspace.name ||
    timezone !== workspace.timezone ||
    mode !== workspace.closing_notes_mode ||
    unassign !== workspace.unassign_on_close;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="form settings-form" onSubmit={submit}>
      <h2>General</h2>
      <Field
        label="Workspace name"
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={err?.field("name")}
      />
      <div className="field">
        <label htmlFor="ws-timezone">Time zone</label>
        <select id="ws-timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        <div className="hint">Used for reports, business hours and the $system date and time variables.</div>
        {err?.field("timezone") ? (
          <div className="field-error" role="alert">
            {err.field("timezone")}
          </div>
        ) : null}
      </div>
      <fieldset className="settings-fieldset">
        <legend>Closing notes</legend>
        <p className="hint">What agents must say about a conversation when they close it.</p>
        {CLOSING_NOTE_MODES.map((m) => (
          <label key={m.mode} className="choice">
            <input
              type="radio"
              name="closing_notes_mode"
              value={m.mode}
              checked={mode === m.mode}
              onChange={() => setMode(m.mode)}
            />
            <span>
              <strong>{m.title}</strong>
              <span className="hint choice-hint">{m.explanation}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label className="choice">
        <input type="checkbox" checked={unassign} onChange={(e) => setUnassign(e.target.checked)} />
        <span>
          <strong>Unassign the contact when a conversation is closed</strong>
          <span className="hint choice-hint">
            Legacy behaviour. By default a contact stays with its assignee after closing.
          </span>
        </span>
      </label>
      {err?.problem.errors?.length ? null : <FormError error={save.error} />}
      <div className="row">
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
