import { Link } from "@tanstack/react-router";
import { EmptyState } from "./ui";

export function NotFound() {
  return (
    <EmptyState title="Nothing here">
      <Link to="/inbox">Go to the inbox</Link>
    </EmptyState>
  );
}
