import { EmptyState } from "../../components/ui";

export function InboxPage() {
  return <EmptyState title="Inbox" />;
}
