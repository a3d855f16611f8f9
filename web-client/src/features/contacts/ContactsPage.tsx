import { EmptyState } from "../../components/ui";

export function ContactsPage() {
  return <EmptyState title="Contacts" />;
}
