// Short keyset-paged lists (members, snippets, tags, settings lists) fetched whole, for
// pickers and settings screens.
type Page<T> = { items: T[]; next_cursor?: string | null };

/** Every page of a cursor-paged list, in order, as one array. */
export async function everyPage<T>(load: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await load(cursor);
    out.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}
