// The reply / private-note composer under a thread: Enter sends, Shift+Enter breaks the line;
// "/" picks a snippet (filled in for this contact), "@" mentions a teammate in a note; files
// and voice notes go out as attachments; the reply window locks free-form replies when closed.
// Drafts are kept per contact while the tab lives.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { api, ApiError, ok, type Schemas } from "../../../api/client";
import { everyPage } from "../../../api/paged";
import { Button, FormError } from "../../../components/ui";
import { bytes } from "../../../lib/format";
import { useMembers, type Member } from "../../../lib/members";
import { loadDraft, saveDraft, type Draft, type Mode } from "./drafts";
import { EmojiButton } from "./EmojiButton";
import { defaultChannel, timeLeft, windowState, type WindowState } from "./replyWindow";
import { optionId, Suggestions } from "./Suggestions";
import { mentionIds, replaceRange, triggerAt } from "./tokens";
import { uploadFile } from "./uploads";
import { asAudioFile, extensionOf, VoiceRecorder } from "./VoiceRecorder";
import "./composer.css";

type Contact = Schemas["ContactView"];
type Snippet = Schemas["SnippetView"];

const MAX_REPLY = 4096;
const MAX_NOTE = 1000;
export const WINDOW_CLOSED = "/problems/messaging-window-closed";

function allSnippets(): Promise<Snippet[]> {
  return everyPage((cursor) => ok(api.GET("/api/v1/snippets", { params: { query: { limit: 100, cursor } } })));
}

export const snippetsQuery = { queryKey: ["snippets"], queryFn: allSnippets, staleTime: 60_000 };

/** The current time, refreshed every `ms` so countdowns move. */
function useNow(ms: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function Composer({ contact }: { contact: Contact }) {
  // A fresh composer per contact: its draft, pickers and errors never leak between threads.
  return <ComposerForm key={contact.id} contact={contact} />;
}

type Upload = { key: number; name: string; size: number; error?: unknown };
let uploadKey = 0;

function ComposerForm({ contact }: { contact: Contact }) {
  const qc = useQueryClient();
  const ids = useId();
  const listId = `${ids}-suggestions`;
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState<Draft>(() => loadDraft(contact.id));
  const [caret, setCaret] = useState(() => draft.text.length);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const [filling, setFilling] = useState(false);
  const now = useNow(30_000);

  useEffect(() => saveDraft(contact.id, draft), [contact.id, draft]);

  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const note = draft.mode === "note";

  // Where the reply goes, and whether the channel's window lets a person write now.
  const channelId =
    draft.channelId !== undefined && contact.channels.some((c) => c.channel_id === draft.channelId)
      ? draft.channelId
      : defaultChannel(contact);
  const win = windowState(contact, channelId, now);
  const replyLocked = win.kind !== "open";
  const locked = !note && replyLocked;
  const canAttach = !note && win.kind === "open" && win.allowed.includes("attachment");

  // The suggestion list: snippets after "/", teammates after "@" in notes.
  const trigger = triggerAt(draft.text, caret, note);
  const open = trigger && trigger.start !== dismissed && !locked ? trigger : null;
  const snippets = useQuery({ ...snippetsQuery, enabled: open?.kind === "snippet" });
  const members = useMembers();
  const matches = useMemo(() => {
    if (!open) return [];
    const q = open.query.toLowerCase();
    if (open.kind === "snippet") {
      return (snippets.data ?? [])
        .filter((s) => s.name.toLowerCase().includes(q) || s.content.toLowerCase().includes(q))
        .slice(0, 8);
    }
    return (members.data ?? [])
      .filter((m) => m.name.toLowerCase().includes(q) || m.email.toLowerCase().includes(q))
      .slice(0, 8);
  }, [open, snippets.data, members.data]);
  const current = Math.min(active, Math.max(0, matches.length - 1));
  const listQuery = open?.kind === "snippet" ? snippets : members;
  const listState = !open
    ? null
    : listQuery.isPending
      ? "Loading…"
      : listQuery.isError
        ? "Could not load the list."
        : matches.length === 0
          ? open.kind === "snippet"
            ? `No snippet matches “${open.query}”.`
            : `No teammate matches “${open.query}”.`
          : null;

  const setText = (text: string, at: number) => {
    update({ text });
    setCaret(at);
    setActive(0);
    requestAnimationFrame(() => {
      const el = textarea.current;
      if (el) {
        el.focus();
        el.setSelectionRange(at, at);
      }
    });
  };

  async function pickSnippet(s: Snippet) {
    if (!open) return;
    const range = open;
    setFilling(true);
    setError(null);
    try {
      const rendered = await ok(
        api.POST("/api/v1/snippets/{id}/render", {
          params: { path: { id: s.id } },
          body: { contact: String(contact.id) },
        }),
      );
      const r = replaceRange(draft.text, range.start, range.end, rendered.text);
      setText(r.text, r.caret);
      if (rendered.file_ids.length > 0) {
        if (note) {
          setError(new Error("The snippet's files are left out: a private note cannot carry files."));
        } else {
          const views = await Promise.all(
            rendered.file_ids.map((id) => ok(api.GET("/api/v1/files/{id}", { params: { path: { id } } }))),
          );
          setDraft((d) => ({
            ...d,
            files: [...d.files, ...views.filter((v) => !d.files.some((f) => f.id === v.id))],
          }));
        }
      }
    } catch (e) {
      setError(e);
    } finally {
      setFilling(false);
    }
  }

  function pickMember(m: Member) {
    if (!open) return;
    const r = replaceRange(draft.text, open.start, open.end, `@${m.name} `);
    setDraft((d) => ({
      ...d,
      text: r.text,
      mentions: d.mentions.some((x) => x.id === m.id) ? d.mentions : [...d.mentions, { id: m.id, name: m.name }],
    }));
    setText(r.text, r.caret);
  }

  function pick(index: number) {
    const item = matches[index];
    if (!item || !open) return;
    if (open.kind === "snippet") void pickSnippet(item as Snippet);
    else pickMember(item as Member);
  }

  function insertAtCaret(s: string) {
    const el = textarea.current;
    const start = el?.selectionStart ?? draft.text.length;
    const end = el?.selectionEnd ?? start;
    const r = replaceRange(draft.text, start, end, s);
    setText(r.text, r.caret);
  }

  async function attach(list: FileList | null) {
    if (!list) return;
    for (const file of Array.from(list)) {
      const key = ++uploadKey;
      setUploads((u) => [...u, { key, name: file.name, size: file.size }]);
      try {
        const view = await uploadFile(file, file.name);
        setUploads((u) => u.filter((x) => x.key !== key));
        setDraft((d) => ({ ...d, files: [...d.files, view] }));
      } catch (e) {
        setUploads((u) => u.map((x) => (x.key === key ? { ...x, error: e } : x)));
      }
    }
  }

  const post = (body: Schemas["NewMessage"]) =>
    ok(
      api.POST("/api/v1/contacts/{contact}/messages", {
        params: { path: { contact: String(contact.id) } },
        body: { ...body, channel_id: channelId ?? null },
      }),
    );

  const refresh = () => {
    for (const key of ["timeline", "contact", "conversations"])
      void qc.invalidateQueries({ queryKey: [key, contact.id] });
    void qc.invalidateQueries({ queryKey: ["inbox"] });
  };

  const text = draft.text.trim();
  const limit = note ? MAX_NOTE : MAX_REPLY;
  const tooLong = draft.text.length > limit;
  const busy = sending || filling;
  const canSend =
    !busy &&
    !locked &&
    !tooLong &&
    !uploads.some((u) => !u.error) && // still uploading
    (text !== "" || (!note && draft.files.length > 0));

  async function send() {
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      if (note) {
        const mentions = mentionIds(draft.text, draft.mentions);
        await ok(
          api.POST("/api/v1/contacts/{contact}/comments", {
            params: { path: { contact: String(contact.id) } },
            body: { text, mentions: mentions.length ? mentions : null },
          }),
        );
        setDraft((d) => ({ ...d, text: "", mentions: [] }));
      } else if (draft.files.length === 0) {
        await post({ type: "text", text });
        setDraft((d) => ({ ...d, text: "" }));
      } else {
        // One file per message; the text goes along as the first one's caption. Each sent
        // file leaves the draft at once, so a retry after a failure sends only the rest.
        let caption: string | null = text || null;
        for (const f of draft.files) {
          await post({ type: "attachment", file_ids: [f.id], text: caption });
          caption = null;
          setDraft((d) => ({ ...d, text: "", files: d.files.filter((x) => x.id !== f.id) }));
        }
      }
      setCaret(0);
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
      textarea.current?.focus();
    }
  }

  async function sendVoice(blob: Blob, seconds: number) {
    const name = `voice-note.${extensionOf(blob.type)}`;
    const file = await uploadFile(await asAudioFile(blob), name);
    if (!file.mime.startsWith("audio/")) {
      throw new Error(
        `This browser recorded the voice note as ${file.mime}, which cannot be sent as a voice note. Attach an audio file instead.`,
      );
    }
    await post({
      type: "attachment",
      file_ids: [file.id],
      voice_note: true,
      duration_seconds: seconds,
    });
    refresh();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return;
    if (open && matches.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        setActive((current + step + matches.length) % matches.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(current);
        return;
      }
    }
    if (open && e.key === "Escape") {
      e.preventDefault();
      setDismissed(open.start);
      return;
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  }

  const windowClosedError = error instanceof ApiError && error.problem.type.endsWith(WINDOW_CLOSED);

  return (
    <section className={`composer${note ? " composer-note" : ""}`} aria-label="Composer">
      <div className="composer-top">
        <div className="mode-toggle" role="radiogroup" aria-label="Write a">
          {(["reply", "note"] as Mode[]).map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={draft.mode === m}
              className={draft.mode === m ? "on" : undefined}
              onClick={() => {
                update({ mode: m });
                setError(null);
                textarea.current?.focus();
              }}
            >
              {m === "reply" ? "Reply" : "Private note"}
            </button>
          ))}
        </div>
        {!note ? (
          <ChannelChoice contact={contact} channelId={channelId} onChange={(id) => update({ channelId: id })} />
        ) : (
          <span className="muted small">Only your team sees notes. Type @ to mention someone.</span>
        )}
        {!note ? <ReplyWindowNotice state={win} /> : null}
      </div>

      {open && !filling ? (
        <Suggestions
          id={listId}
          label={open.kind === "snippet" ? "Snippets" : "Mention a teammate"}
          items={matches as (Snippet | Member)[]}
          active={current}
          onHover={setActive}
          onPick={(item) => pick(matches.indexOf(item as never))}
          state={listState}
          render={(item) =>
            open.kind === "snippet" ? (
              <>
                <strong>{(item as Snippet).name}</strong>{" "}
                <span className="muted small truncate">{(item as Snippet).content}</span>
              </>
            ) : (
              <>
                <strong>{(item as Member).name}</strong>{" "}
                <span className="muted small">{(item as Member).email}</span>
              </>
            )
          }
        />
      ) : null}

      <textarea
        ref={textarea}
        aria-label={note ? "Private note" : "Reply"}
        aria-describedby={locked ? `${ids}-locked` : undefined}
        aria-autocomplete="list"
        aria-controls={open && matches.length ? listId : undefined}
        aria-activedescendant={open && matches.length ? optionId(listId, current) : undefined}
        aria-invalid={tooLong || undefined}
        aria-busy={filling || undefined}
        readOnly={filling}
        disabled={locked}
        rows={3}
        placeholder={
          locked
            ? ""
            : note
              ? "Write a private note… (@ mentions a teammate)"
              : "Write a reply… (/ inserts a snippet; Shift+Enter for a new line)"
        }
        value={draft.text}
        onChange={(e) => {
          update({ text: e.target.value });
          setCaret(e.target.selectionStart);
          setActive(0);
          setDismissed(null);
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
      />
      {locked ? (
        <p className="composer-locked" id={`${ids}-locked`}>
          {win.kind === "no-channel"
            ? "This contact has no channel to reply on. "
            : "The reply window on this channel is closed: free-form replies are locked until the contact writes again. "}
          <button type="button" className="link" onClick={() => update({ mode: "note" })}>
            Write a private note instead
          </button>
        </p>
      ) : null}

      {draft.files.length > 0 || uploads.length > 0 ? (
        <ul className="attachments" aria-label="Attachments">
          {draft.files.map((f) => (
            <AttachmentChip key={`f${f.id}`} name={f.name} detail={bytes(f.size)} onRemove={() =>
              setDraft((d) => ({ ...d, files: d.files.filter((x) => x.id !== f.id) }))
            } />
          ))}
          {uploads.map((u) => (
            <AttachmentChip
              key={`u${u.key}`}
              name={u.name}
              detail={u.error ? undefined : `Uploading… ${bytes(u.size)}`}
              uploading={!u.error}
              error={u.error}
              onRemove={u.error ? () => setUploads((l) => l.filter((x) => x.key !== u.key)) : undefined}
            />
          ))}
        </ul>
      ) : null}
      {note && draft.files.length > 0 ? (
        <p className="muted small">Attached files are sent with replies only, not with notes.</p>
      ) : null}

      {error ? (
        <div className="composer-error">
          {windowClosedError ? (
            <div className="form-error" role="alert">
              The reply window on this channel has closed, so the server refused the reply. Your draft is kept;
              you can still add a private note. {error.problem.detail}
            </div>
          ) : (
            <FormError error={error} />
          )}
        </div>
      ) : null}

      <div className="composer-bar">
        <EmojiButton onPick={insertAtCaret} disabled={locked} />
        <button
          type="button"
          className="icon-btn"
          aria-label="Attach files"
          title={canAttach ? "Attach files" : note ? "Files go with replies, not notes" : "Attachments are not allowed now"}
          disabled={!canAttach}
          onClick={() => fileInput.current?.click()}
        >
          📎
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Files to attach"
          onChange={(e) => {
            void attach(e.target.files);
            e.target.value = "";
          }}
        />
        <VoiceRecorder
          disabledReason={
            note ? "Voice notes go with replies, not notes." : !canAttach ? "Voice notes are not allowed now." : undefined
          }
          onSend={sendVoice}
        />
        <span className="grow" />
        {tooLong ? (
          <span className="field-error small" role="alert">
            {draft.text.length} / {limit} characters: too long
          </span>
        ) : draft.text.length > limit * 0.8 ? (
          <span className="muted small">
            {draft.text.length} / {limit}
          </span>
        ) : null}
        <Button variant="primary" busy={sending} disabled={!canSend} onClick={() => void send()}>
          {note ? "Add note" : "Send"}
        </Button>
      </div>
    </section>
  );
}

function ChannelChoice({
  contact,
  channelId,
  onChange,
}: {
  contact: Contact;
  channelId: number | undefined;
  onChange: (id: number) => void;
}) {
  if (contact.channels.length === 0) return null;
  if (contact.channels.length === 1) {
    return <span className="muted small">via {contact.channels[0]!.name}</span>;
  }
  return (
    <select
      className="channel-select"
      aria-label="Reply on channel"
      value={channelId}
      onChange={(e) => onChange(Number(e.target.value))}
    >
      {contact.channels.map((c) => (
        <option key={c.channel_id} value={c.channel_id}>
          {c.name} ({c.kind})
        </option>
      ))}
    </select>
  );
}

/** "Reply window closes in 3 h 12 min", or that it is closed. */
export function ReplyWindowNotice({ state }: { state: WindowState }) {
  if (state.kind === "open") {
    if (state.secondsLeft === null) return null;
    const soon = state.secondsLeft < 3600;
    return (
      <span className={`reply-window${soon ? " soon" : ""}`} role="status">
        Reply window closes in {timeLeft(state.secondsLeft)}
      </span>
    );
  }
  if (state.kind === "closed") {
    return (
      <span className="reply-window closed" role="status">
        Reply window closed{state.allowed.includes("template") ? " — only templates can be sent" : ""}
      </span>
    );
  }
  return (
    <span className="reply-window closed" role="status">
      No channel to reply on
    </span>
  );
}

function AttachmentChip({
  name,
  detail,
  uploading,
  error,
  onRemove,
}: {
  name: string;
  detail?: string;
  uploading?: boolean;
  error?: unknown;
  onRemove?: () => void;
}) {
  return (
    <li className={`attachment${error ? " failed" : ""}`} aria-busy={uploading || undefined}>
      {uploading ? <span className="spinner spinner-sm" aria-hidden /> : <span aria-hidden>📄</span>}
      <span className="truncate attachment-name">{name}</span>
      {detail ? <span className="muted small">{detail}</span> : null}
      {error ? <FormError error={error} /> : null}
      {onRemove ? (
        <button type="button" className="icon-btn" aria-label={`Remove ${name}`} onClick={onRemove}>
          ×
        </button>
      ) : null}
    </li>
  );
}
