// Unsent composer drafts, one per contact, kept for the browser tab (sessionStorage) so that
// switching threads and coming back finds the text, its mode, mentions and attached files.
import type { Schemas } from "../../../api/client";

export type Mode = "reply" | "note";
export type Mention = { id: number; name: string };
export type Draft = {
  mode: Mode;
  text: string;
  mentions: Mention[];
  files: Schemas["FileView"][];
  channelId?: number;
};

export const emptyDraft: Draft = { mode: "reply", text: "", mentions: [], files: [] };

const key = (contactId: number) => `ism.draft.${contactId}`;

export function loadDraft(contactId: number): Draft {
  try {
    const raw = sessionStorage.getItem(key(contactId));
    return raw ? { ...emptyDraft, ...(JSON.parse(raw) as Partial<Draft>) } : emptyDraft;
  } catch {
    return emptyDraft;
  }
}

export function saveDraft(contactId: number, d: Draft) {
  try {
    const empty = !d.text && d.files.length === 0 && d.mode === "reply" && d.channelId === undefined;
    if (empty) sessionStorage.removeItem(key(contactId));
    else sessionStorage.setItem(key(contactId), JSON.stringify(d));
  } catch {
    // Storage full or unavailable: the draft lives only while the composer is open.
  }
}
