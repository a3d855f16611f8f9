// The suggestion list under the composer (snippets after "/", teammates after "@"). The
// textarea keeps the focus and drives it with the arrow keys; this only shows and picks.
import type { ReactNode } from "react";

export function optionId(listId: string, index: number) {
  return `${listId}-opt-${index}`;
}

export function Suggestions<T>({
  id,
  label,
  items,
  active,
  onPick,
  onHover,
  render,
  state,
}: {
  id: string;
  label: string;
  items: T[];
  active: number;
  onPick: (item: T) => void;
  onHover: (index: number) => void;
  render: (item: T) => ReactNode;
  /** What to say instead of the list while it loads, fails or finds nothing. */
  state?: ReactNode;
}) {
  return (
    <div className="suggestions">
      <div className="suggestions-title" aria-hidden>
        {label}
      </div>
      {state ? (
        <div className="suggestions-state" role="status">
          {state}
        </div>
      ) : (
        <ul role="listbox" id={id} aria-label={label}>
          {items.map((item, i) => (
            <li
              key={i}
              id={optionId(id, i)}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              // Keep the focus in the textarea: pick on mouse down, before it would blur.
              onMouseDown={(e) => {
                e.preventDefault();
                onPick(item);
              }}
              onMouseEnter={() => onHover(i)}
            >
              {render(item)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
