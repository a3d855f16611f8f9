// A member picker (a native select: type-ahead and keyboard for free), with "Unassigned".
import { useMembers } from "../../lib/members";

export function MemberSelect({
  label,
  value,
  onChange,
  disabled,
  placeholder,
}: {
  label: string;
  /** A user id, or null for unassigned; undefined shows the placeholder. */
  value: number | null | undefined;
  onChange: (userId: number | null) => void;
  disabled?: boolean;
  placeholder?: string;
}) {
  const members = useMembers();
  const current = value === undefined ? "" : value === null ? "none" : String(value);
  return (
    <select
      aria-label={label}
      className="member-select"
      value={current}
      disabled={disabled || members.isPending}
      onChange={(e) => {
        const v = e.target.value;
        if (v === "") return;
        onChange(v === "none" ? null : Number(v));
      }}
    >
      {value === undefined ? <option value="">{placeholder ?? "Choose a member…"}</option> : null}
      <option value="none">Unassigned</option>
      {members.data?.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
          {m.status === "online" ? " ●" : ""}
        </option>
      ))}
    </select>
  );
}
