// Asks before something that cannot be undone (delete, remove, merge): a modal with the
// consequence spelled out, a cancel button and the dangerous action.
import type { ReactNode } from "react";
import { Modal } from "./Modal";
import { Button, FormError } from "./ui";

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
  variant = "danger",
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
  variant?: "danger" | "primary";
}) {
  return (
    <Modal
      title={title}
      open={open}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant={variant} busy={busy} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      <FormError error={error} />
    </Modal>
  );
}
