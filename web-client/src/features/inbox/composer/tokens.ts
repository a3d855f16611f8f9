// The word being typed at the caret, when it asks for a suggestion list: "/" at the start of
// a word looks up snippets, "@" mentions a teammate (in private notes).
export type Trigger = { kind: "snippet" | "mention"; query: string; start: number; end: number };

export function triggerAt(text: string, caret: number, allowMention: boolean): Trigger | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)([/@])([^\s/@]*)$/.exec(before);
  if (!m) return null;
  const kind = m[2] === "/" ? "snippet" : "mention";
  if (kind === "mention" && !allowMention) return null;
  const start = caret - m[2]!.length - m[3]!.length;
  return { kind, query: m[3]!, start, end: caret };
}

/** `text` with [start, end) replaced by `insert`, and where the caret goes after it. */
export function replaceRange(text: string, start: number, end: number, insert: string) {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}

/** The ids of the mentions whose "@Name" is still in the text. */
export function mentionIds(text: string, mentions: { id: number; name: string }[]): number[] {
  const ids = mentions.filter((m) => text.includes(`@${m.name}`)).map((m) => m.id);
  return [...new Set(ids)];
}
