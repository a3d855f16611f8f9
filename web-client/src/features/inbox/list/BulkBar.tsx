// Acting on many selected threads at once: close, open, assign or unassign. The server answers
// per contact, so the bar reports which ones failed and why, and keeps those selected.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, messageOf, ok, type Schemas } from "../../../api/client";
import { Button } from "../../../components/ui";
import { useMe } from "../../../lib/session";
import { CloseDialog, type ClosingNote } from "../CloseDialog";
import { MemberSelect } from "../MemberSelect";

type BulkItem = Schemas["BulkItem"];
type Action = Schemas["BulkAction"];
/** The server takes at most this many contacts per request. */
const CHUNK = 100;

export type BulkOutcome = { action: Action; done: number; failed: { id: number; name: string; why: string }[] };

const VERBS: Record<Action, string> = { close: "Closed", open: "Opened", assign: "Assigned", unassign: "Unassigned" };

async function runBulk(
  ids: number[],
  action: Action,
  extra: { user_id?: number; category?: string; summary?: string },
): Promise<BulkItem[]> {
  const out: BulkItem[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const contacts = ids.slice(i, i + CHUNK).map(String);
    const res = await ok(api.POST("/api/v1/inbox/bulk", { body: { action, contacts, ...extra } }));
    out.push(...res.results);
  }
  return out;
}

function why(item: BulkItem): string {
  const fields = item.errors?.map((e) => `${e.field} ${e.message}`).join("; ");
  return [item.detail, fields].filter(Boolean).join(": ") || `refused (${item.status})`;
}

export function BulkBar({
  selected,
  nameOf,
  onDone,
  onClear,
}: {
  selected: number[];
  nameOf: (id: number) => string;
  onDone: (outcome: BulkOutcome, failedIds: number[]) => void;
  onClear: () => void;
}) {
  const qc = useQueryClient();
  const mode = useMe().data?.workspace.closing_notes_mode ?? "optional";
  const [busy, setBusy] = useState<Action | null>(null);
  const [closing, setClosing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function report(action: Action, results: BulkItem[]) {
    const failed = results.filter((r) => !r.ok).map((r) => ({ id: Number(r.contact), name: nameOf(Number(r.contact)), why: why(r) }));
    onDone({ action, done: results.length - failed.length, failed }, failed.map((f) => f.id));
    void qc.invalidateQueries({ queryKey: ["inbox"] });
    for (const id of selected) {
      void qc.invalidateQueries({ queryKey: ["contact", id] });
      void qc.invalidateQueries({ queryKey: ["timeline", id] });
    }
  }

  async function act(action: Action, extra: { user_id?: number } = {}) {
    setBusy(action);
    setError(null);
    try {
      report(action, await runBulk(selected, action, extra));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  /** Closing goes through the dialog; when every contact is refused for the same note, the dialog says why. */
  async function close(note: ClosingNote) {
    const results = await runBulk(selected, "close", note);
    const refused = results.filter((r) => !r.ok);
    const first = refused[0];
    if (first && refused.length === results.length && first.status === 422 && first.errors?.length) {
      throw new ApiError(
        { type: "about:blank", title: "Refused", status: 422, detail: first.detail ?? "Refused", errors: first.errors },
        422,
      );
    }
    report("close", results);
  }

  const n = selected.length;
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <div className="row between">
        <strong>{n} selected</strong>
        <button type="button" className="link" onClick={onClear}>
          Clear selection
        </button>
      </div>
      <div className="row bulk-actions">
        <Button onClick={() => setClosing(true)} disabled={busy !== null}>
          Close
        </Button>
        <Button onClick={() => void act("open")} busy={busy === "open"} disabled={busy !== null}>
          Open
        </Button>
        <Button onClick={() => void act("unassign")} busy={busy === "unassign"} disabled={busy !== null}>
          Unassign
        </Button>
        <MemberSelect
          label="Assign selected to"
          placeholder="Assign to…"
          value={undefined}
          disabled={busy !== null}
          onChange={(id) => void (id === null ? act("unassign") : act("assign", { user_id: id }))}
        />
      </div>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <CloseDialog
        open={closing}
        mode={mode}
        subject={n === 1 ? nameOf(selected[0]!) : `${n} conversations`}
        onSubmit={close}
        onClose={() => setClosing(false)}
      />
    </div>
  );
}

/** What the last bulk action did: how many succeeded, and each failure with its reason. */
export function BulkReport({ outcome, onDismiss }: { outcome: BulkOutcome; onDismiss: () => void }) {
  const { action, done, failed } = outcome;
  return (
    <div className={`bulk-report ${failed.length ? "has-failures" : ""}`} role="status" aria-label="Bulk results">
      <div className="row between">
        <span>
          {VERBS[action]} {done} {done === 1 ? "conversation" : "conversations"}
          {failed.length ? `; ${failed.length} failed` : ""}.
        </span>
        <button type="button" className="icon-btn" aria-label="Dismiss results" onClick={onDismiss}>
          ×
        </button>
      </div>
      {failed.length ? (
        <ul className="bulk-failures">
          {failed.map((f) => (
            <li key={f.id}>
              <strong>{f.name}</strong>: {f.why}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
