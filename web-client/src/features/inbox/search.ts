// The inbox's URL search params: the view, filters and sort survive reloads and are shareable.
export const VIEWS = ["all", "mine", "unassigned", "closed"] as const;
export type View = (typeof VIEWS)[number];
export const SORTS = ["newest", "oldest", "waiting_longest"] as const;
export type Sort = (typeof SORTS)[number];

export type InboxSearch = {
  view?: View;
  inbox?: number;
  channel?: number;
  tag?: string;
  assignee?: string;
  search?: string;
  sort?: Sort;
};

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const num = (v: unknown) => {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

export function parseInboxSearch(s: Record<string, unknown>): InboxSearch {
  return {
    view: VIEWS.includes(s.view as View) ? (s.view as View) : undefined,
    inbox: num(s.inbox),
    channel: num(s.channel),
    tag: str(s.tag),
    assignee: str(s.assignee),
    search: str(s.search),
    sort: SORTS.includes(s.sort as Sort) ? (s.sort as Sort) : undefined,
  };
}
