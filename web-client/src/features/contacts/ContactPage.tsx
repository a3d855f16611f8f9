import { EmptyState } from "../../components/ui";

export function ContactPage() {
  return <EmptyState title="Contact" />;
}
