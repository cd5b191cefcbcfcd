"use client";

import { AlertDialog, Dialog } from "radix-ui";
import { useState, useTransition, type ReactNode } from "react";
import { Button, buttonClass, type ButtonVariant } from "./ui";

/** The look of every dialog: a dimmed page and a centred panel that scrolls on a phone. */
const overlayClass = "fixed inset-0 z-40 bg-slate-900/40";
const panelClass =
  "fixed left-1/2 top-1/2 z-50 max-h-[90dvh] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-6 shadow-xl";
/** A dialog's buttons: side by side on the right, stacked full width on a phone with the action on top. */
const footerClass = "flex flex-col-reverse gap-2 sm:flex-row sm:justify-end";

/** A Radix Dialog's content with its title and description (hidden when there is none). */
export function ModalContent({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Dialog.Portal>
      <Dialog.Overlay className={overlayClass} />
      <Dialog.Content className={panelClass}>
        <Dialog.Title className="text-lg font-semibold text-slate-900">{title}</Dialog.Title>
        <Dialog.Description className={description ? "mt-1 text-sm text-slate-700" : "sr-only"}>{description ?? title}</Dialog.Description>
        <div className="mt-4">{children}</div>
      </Dialog.Content>
    </Dialog.Portal>
  );
}

/** The end of a dialog's form: cancel (closes) and submit. */
export function ModalFooter({ cancelLabel, submitLabel, pending, submitVariant }: { cancelLabel: string; submitLabel: string; pending: boolean; submitVariant?: ButtonVariant }) {
  return (
    <div className={footerClass}>
      <Dialog.Close className={buttonClass("secondary")}>{cancelLabel}</Dialog.Close>
      <Button type="submit" variant={submitVariant} disabled={pending} aria-busy={pending || undefined}>
        {submitLabel}
      </Button>
    </div>
  );
}

/** An AlertDialog's content: a question, what it means, and the buttons. */
export function ConfirmContent({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <AlertDialog.Portal>
      <AlertDialog.Overlay className={overlayClass} />
      <AlertDialog.Content className={panelClass}>
        <AlertDialog.Title className="text-lg font-semibold text-slate-900">{title}</AlertDialog.Title>
        <AlertDialog.Description className="mt-2 text-sm text-slate-700">{description}</AlertDialog.Description>
        <div className={`mt-6 ${footerClass}`}>{children}</div>
      </AlertDialog.Content>
    </AlertDialog.Portal>
  );
}

/**
 * A button that asks before a destructive action. The dialog stays open, its button
 * disabled, until the action is done (AlertDialog.Action would close it at once).
 */
export function ConfirmDialog({
  trigger,
  triggerLabel,
  triggerVariant = "ghost",
  title,
  description,
  cancelLabel,
  confirmLabel,
  workingLabel,
  onConfirm,
}: {
  trigger: ReactNode;
  triggerLabel?: string;
  triggerVariant?: ButtonVariant;
  title: string;
  description: string;
  cancelLabel: string;
  confirmLabel: string;
  workingLabel?: string;
  onConfirm: () => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const confirm = () =>
    startTransition(async () => {
      await onConfirm();
      setOpen(false);
    });
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger className={buttonClass(triggerVariant)} aria-label={triggerLabel}>
        {trigger}
      </AlertDialog.Trigger>
      <ConfirmContent title={title} description={description}>
        <AlertDialog.Cancel className={buttonClass("secondary")}>{cancelLabel}</AlertDialog.Cancel>
        <Button variant="danger" disabled={pending} onClick={confirm}>
          {pending && workingLabel ? workingLabel : confirmLabel}
        </Button>
      </ConfirmContent>
    </AlertDialog.Root>
  );
}
