import { EmptyState } from "../../components/ui";

export function GeneralSettings() {
  return <EmptyState title="General" />;
}
