// After the panel changes a contact: the server's answer replaces the cached contact at once,
// and the lists and history that show it are refetched.
import type { QueryClient } from "@tanstack/react-query";
import type { Schemas } from "../../../api/client";

export function contactChanged(qc: QueryClient, contact: Schemas["ContactView"]) {
  qc.setQueryData(["contact", contact.id], contact);
  void qc.invalidateQueries({ queryKey: ["activity", contact.id] });
  void qc.invalidateQueries({ queryKey: ["inbox"] });
  void qc.invalidateQueries({ queryKey: ["contacts"] });
}

export const contactPath = (id: number) => ({ params: { path: { contact: String(id) } } });
