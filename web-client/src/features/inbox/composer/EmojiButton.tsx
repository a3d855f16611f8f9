// A button that opens the emoji picker above the composer; Esc or a click outside closes it.
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Spinner } from "../../../components/ui";

const EmojiPanel = lazy(() => import("./EmojiPanel"));

export function EmojiButton({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);
  return (
    <div className="emoji" ref={box}>
      <button
        type="button"
        className="icon-btn"
        aria-label="Insert emoji"
        aria-expanded={open}
        title="Insert emoji"
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        🙂
      </button>
      {open ? (
        <div className="emoji-popover" role="dialog" aria-label="Emoji">
          <Suspense fallback={<Spinner label="Loading emoji" />}>
            <EmojiPanel onPick={onPick} />
          </Suspense>
        </div>
      ) : null}
    </div>
  );
}
