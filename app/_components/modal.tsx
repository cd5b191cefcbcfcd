"use client";

import { AlertDialog, Dialog } from "radix-ui";
import type { ReactNode } from "react";

/** The look of every dialog: a dimmed page and a centred panel that scrolls on a phone. */
const overlayClass = "fixed inset-0 z-40 bg-slate-900/40";
const panelClass =
  "fixed left-1/2 top-1/2 z-50 max-h-[90dvh] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-6 shadow-xl";

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

/** An AlertDialog's content: a question, what it means, and the buttons. */
export function ConfirmContent({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <AlertDialog.Portal>
      <AlertDialog.Overlay className={overlayClass} />
      <AlertDialog.Content className={panelClass}>
        <AlertDialog.Title className="text-lg font-semibold text-slate-900">{title}</AlertDialog.Title>
        <AlertDialog.Description className="mt-2 text-sm text-slate-700">{description}</AlertDialog.Description>
        <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{children}</div>
      </AlertDialog.Content>
    </AlertDialog.Portal>
  );
}
