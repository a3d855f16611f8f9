// The contact list's URL search params.
export type ContactsSearch = { search?: string; tag?: string; assignee?: string };

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);

export function parseContactsSearch(s: Record<string, unknown>): ContactsSearch {
  return { search: str(s.search), tag: str(s.tag), assignee: str(s.assignee) };
}
