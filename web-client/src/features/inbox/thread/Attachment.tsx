// A message's attachment: images inline, audio and voice notes playable, video, other files
// downloadable. File content needs the bearer token, so it is fetched and shown by object URL.
import { useEffect, useState } from "react";
import { authedFetch, type Schemas } from "../../../api/client";
import { bytes } from "../../../lib/format";

type Message = Schemas["MessageView"];

/**
 * The attachment fields this screen reads. The schema types `attachment` as an open object
 * (`{type, name?, mime?, size?, voice?, url?, state?, error?}`), so each field is checked.
 */
export function attachmentOf(m: Message) {
  const raw = (m.attachment ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  return {
    type: s("type") ?? "file",
    name: s("name"),
    mime: s("mime"),
    size: typeof raw.size === "number" ? raw.size : undefined,
    voice: raw.voice === true,
    state: s("state"),
    error: s("error"),
  };
}

/** An object URL for a stored file's content, revoked when no longer shown. */
export function useFileUrl(fileId: number | null | undefined) {
  const [state, setState] = useState<{ id: number; url?: string; error?: string } | null>(null);
  useEffect(() => {
    if (!fileId) return;
    let url: string | undefined;
    let live = true;
    authedFetch(`/api/v1/files/${fileId}/content`)
      .then(async (res) => {
        if (!res.ok) throw new Error(`The file could not be loaded (${res.status}).`);
        const blob = await res.blob();
        url = URL.createObjectURL(blob);
        if (live) setState({ id: fileId, url });
        else URL.revokeObjectURL(url);
      })
      .catch((e: unknown) => {
        if (live) setState({ id: fileId, error: e instanceof Error ? e.message : "The file could not be loaded." });
      });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [fileId]);
  if (!fileId || state?.id !== fileId) return { loading: Boolean(fileId) };
  return { loading: false, url: state.url, error: state.error };
}

export function Attachment({ message, onMediaLoad }: { message: Message; onMediaLoad?: () => void }) {
  const a = attachmentOf(message);
  const fileId = message.file_id ?? undefined;
  const file = useFileUrl(a.type === "file" ? undefined : fileId);
  const name = a.name ?? (a.voice ? "Voice note" : "Attachment");

  if (!fileId) {
    if (a.state === "failed" || a.error)
      return <div className="attachment attachment-missing">📎 {name}: {a.error ?? "could not be fetched"}</div>;
    if (a.type === "location") return <div className="attachment">📍 Location</div>;
    return (
      <div className="attachment attachment-missing" role="status">
        📎 {name} — fetching…
      </div>
    );
  }
  if (a.type === "file") return <Download fileId={fileId} name={name} size={a.size} />;
  if (file.error) return <div className="attachment attachment-missing">📎 {name}: {file.error}</div>;
  if (!file.url)
    return (
      <div className={`attachment attachment-loading attachment-${a.type}`} role="status">
        <span className="spinner spinner-sm" aria-hidden /> Loading {name}…
      </div>
    );
  switch (a.type) {
    case "image":
      return (
        <a className="attachment attachment-image" href={file.url} target="_blank" rel="noreferrer">
          <img src={file.url} alt={name} onLoad={onMediaLoad} />
        </a>
      );
    case "audio":
      return (
        <div className="attachment attachment-audio">
          <span className="small muted">{a.voice ? "🎤 Voice note" : `🎵 ${name}`}</span>
          <audio controls src={file.url} aria-label={a.voice ? "Voice note" : name} preload="metadata" />
        </div>
      );
    case "video":
      return (
        <video className="attachment attachment-video" controls src={file.url} aria-label={name} onLoadedMetadata={onMediaLoad} />
      );
    default:
      return <Download fileId={fileId} name={name} size={a.size} />;
  }
}

/** A file downloaded on demand (the bytes need the bearer token). */
function Download({ fileId, name, size }: { fileId: number; name: string; size?: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setError(null);
    try {
      const res = await authedFetch(`/api/v1/files/${fileId}/content`);
      if (!res.ok) throw new Error(`The download failed (${res.status}).`);
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The download failed.");
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="attachment attachment-file">
      <span aria-hidden>📄</span>
      <span className="grow truncate" title={name}>
        {name}
        {size !== undefined ? <span className="muted small"> · {bytes(size)}</span> : null}
      </span>
      <button type="button" className="btn btn-secondary" onClick={() => void download()} disabled={busy} aria-label={`Download ${name}`}>
        {busy ? "…" : "Download"}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
