import { EmptyState } from "../../components/ui";

export function MergePage() {
  return <EmptyState title="Merge contacts" />;
}
