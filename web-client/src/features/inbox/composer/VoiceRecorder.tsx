// Recording a voice note with the microphone (MediaRecorder): up to 5 minutes with a running
// timer, then play it back and delete it or send it. Unavailable browsers get a disabled
// button that says why.
import { useEffect, useRef, useState } from "react";
import { Button, FormError } from "../../../components/ui";

export const MAX_VOICE_SECONDS = 300;

/** Containers a channel can take as a voice note, best first; the first supported is used. */
const TYPES = ["audio/ogg;codecs=opus", "audio/mp4", "audio/webm;codecs=opus", "audio/webm"];

export function recordingSupported(): boolean {
  return (
    typeof window !== "undefined" &&
    typeof window.MediaRecorder === "function" &&
    typeof navigator.mediaDevices?.getUserMedia === "function"
  );
}

function pickType(): string | undefined {
  const R = window.MediaRecorder;
  return TYPES.find((t) => typeof R.isTypeSupported === "function" && R.isTypeSupported(t));
}

export function extensionOf(mime: string): string {
  if (mime.includes("ogg")) return "ogg";
  if (mime.includes("mp4")) return "m4a";
  return "webm";
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

type State =
  | { kind: "idle" }
  | { kind: "recording"; startedAt: number }
  | { kind: "recorded"; blob: Blob; url: string; seconds: number };

export function VoiceRecorder({
  disabledReason,
  onSend,
}: {
  /** Why recording is not possible now (e.g. a private note), or undefined. */
  disabledReason?: string;
  onSend: (blob: Blob, seconds: number) => Promise<void>;
}) {
  const [state, setState] = useState<State>({ kind: "idle" });
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const recorder = useRef<MediaRecorder | null>(null);
  const supported = recordingSupported();

  const stopTracks = () => recorder.current?.stream.getTracks().forEach((t) => t.stop());

  // The timer, and the 5-minute limit.
  useEffect(() => {
    if (state.kind !== "recording") return;
    const t = setInterval(() => {
      const s = (Date.now() - state.startedAt) / 1000;
      setElapsed(s);
      if (s >= MAX_VOICE_SECONDS && recorder.current?.state === "recording") recorder.current.stop();
    }, 250);
    return () => clearInterval(t);
  }, [state]);

  // Release the microphone and the preview when leaving.
  useEffect(
    () => () => {
      if (recorder.current?.state === "recording") recorder.current.stop();
      stopTracks();
    },
    [],
  );
  useEffect(() => {
    if (state.kind !== "recorded") return;
    return () => URL.revokeObjectURL(state.url);
  }, [state]);

  async function start() {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mimeType = pickType();
      const r = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
      const chunks: Blob[] = [];
      const startedAt = Date.now();
      r.ondataavailable = (e) => {
        if (e.data.size > 0) chunks.push(e.data);
      };
      r.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        const seconds = Math.min(MAX_VOICE_SECONDS, Math.max(1, Math.round((Date.now() - startedAt) / 1000)));
        const blob = new Blob(chunks, { type: r.mimeType || mimeType || "audio/webm" });
        setState({ kind: "recorded", blob, url: URL.createObjectURL(blob), seconds });
      };
      recorder.current = r;
      r.start(1000);
      setElapsed(0);
      setState({ kind: "recording", startedAt });
    } catch (e) {
      setError(new Error(e instanceof DOMException && e.name === "NotAllowedError"
        ? "The microphone is blocked for this site. Allow it in the browser to record."
        : "Could not start recording: no microphone was found."));
    }
  }

  async function send() {
    if (state.kind !== "recorded") return;
    setSending(true);
    setError(null);
    try {
      await onSend(state.blob, state.seconds);
      setState({ kind: "idle" });
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  }

  if (state.kind === "idle") {
    const reason = !supported ? "This browser cannot record voice notes." : disabledReason;
    return (
      <>
        <button
          type="button"
          className="icon-btn"
          aria-label="Record a voice note"
          title={reason ?? "Record a voice note (up to 5 minutes)"}
          aria-describedby={reason ? "voice-unavailable" : undefined}
          disabled={Boolean(reason)}
          onClick={() => void start()}
        >
          🎤
        </button>
        {reason ? (
          <span id="voice-unavailable" className="sr-only">
            {reason}
          </span>
        ) : null}
        {error ? (
          <div className="voice-error">
            <FormError error={error} />
          </div>
        ) : null}
      </>
    );
  }

  return (
    <div className="voice" role="group" aria-label="Voice note">
      {state.kind === "recording" ? (
        <>
          <span className="voice-dot" aria-hidden />
          <span role="timer" aria-label="Recording time">
            {clock(elapsed)} / {clock(MAX_VOICE_SECONDS)}
          </span>
          <Button variant="danger" onClick={() => recorder.current?.stop()}>
            Stop recording
          </Button>
        </>
      ) : (
        <>
          <audio controls src={state.url} aria-label="Voice note preview" />
          <span className="muted small">{clock(state.seconds)}</span>
          <Button variant="ghost" disabled={sending} onClick={() => setState({ kind: "idle" })}>
            Delete voice note
          </Button>
          <Button variant="primary" busy={sending} onClick={() => void send()}>
            Send voice note
          </Button>
        </>
      )}
      {error ? <FormError error={error} /> : null}
    </div>
  );
}

/**
 * An audio-only MPEG-4 recording labelled as such: Chromium writes the generic "isom" major
 * brand, which the server's content sniffing takes for video (and refuses as a voice note);
 * "M4A " is the brand for audio-only MPEG-4. Other recordings are returned unchanged.
 */
export async function asAudioFile(blob: Blob): Promise<Blob> {
  if (!blob.type.startsWith("audio/mp4")) return blob;
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  const ftyp = String.fromCharCode(...head.slice(4, 8));
  if (head.length < 12 || ftyp !== "ftyp") return blob;
  const brand = new TextEncoder().encode("M4A ");
  return new Blob([head.slice(0, 8), brand, blob.slice(12)], { type: blob.type });
}
