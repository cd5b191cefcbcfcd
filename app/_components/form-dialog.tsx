"use client";

import { Dialog } from "radix-ui";
import { useEffect, useState, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { ModalContent, ModalFooter } from "./modal";
import { FormAlert, buttonClass, type ButtonVariant } from "./ui";
import { useActionFeedback } from "./use-action-feedback";
import { useFormAction } from "./use-form-action";

/**
 * A button that opens a dialog with one form bound to a guarded action: on success it
 * closes (unless the page is being left) and calls onSuccess; on failure it shows why.
 */
export function FormDialog<T>({
  trigger,
  triggerLabel,
  triggerVariant = "secondary",
  title,
  description,
  action,
  onSuccess,
  stayOpen,
  submitLabel,
  workingLabel,
  cancelLabel,
  quietWithFieldErrors,
  children,
}: {
  trigger: ReactNode;
  triggerLabel?: string;
  triggerVariant?: ButtonVariant;
  title: string;
  description?: string;
  action: (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;
  onSuccess: (data: T) => void;
  /** Stay open and busy after success: onSuccess leaves the page. */
  stayOpen?: boolean;
  submitLabel: string;
  /** The submit button's words while the action runs. */
  workingLabel?: string;
  cancelLabel: string;
  /** Leave out the form's general reason while fields show their own. */
  quietWithFieldErrors?: boolean;
  children: (field: (name: string) => string[] | undefined) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const { state, pending, onSubmit } = useFormAction(action);
  const feedback = useActionFeedback(state);
  useEffect(() => {
    if (!state?.ok) return;
    if (!stayOpen) setOpen(false);
    onSuccess(state.data);
    // Only a new result reports: onSuccess changes identity on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  const busy = pending || Boolean(stayOpen && state?.ok);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className={buttonClass(triggerVariant)} aria-label={triggerLabel}>
        {trigger}
      </Dialog.Trigger>
      <ModalContent title={title} description={description}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {children(feedback.field)}
          <FormAlert message={quietWithFieldErrors && feedback.hasFieldErrors ? undefined : feedback.message} />
          <ModalFooter cancelLabel={cancelLabel} submitLabel={busy && workingLabel ? workingLabel : submitLabel} pending={busy} />
        </form>
      </ModalContent>
    </Dialog.Root>
  );
}
