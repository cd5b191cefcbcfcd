"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { FormAlert } from "./ui";
import { useActionFeedback } from "./use-action-feedback";

/** A form bound to a guarded server action, showing the failure reason when there is one. */
export function ActionForm<T>({
  action,
  children,
  className,
}: {
  action: (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;
  children: React.ReactNode;
  className?: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const feedback = useActionFeedback(state);
  return (
    <form action={formAction} className={className}>
      {children}
      <FormAlert message={feedback.message} className="mt-2" />
    </form>
  );
}
