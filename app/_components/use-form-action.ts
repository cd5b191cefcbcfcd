"use client";

import { useActionState, useTransition, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/guard";

/**
 * A guarded server action bound to a form through onSubmit rather than <form action>:
 * React resets a form after every action, which would wipe what the person typed when
 * the server refused it. Here the fields keep their values, and the result is state.
 */
export function useFormAction<T>(action: (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>) {
  const [state, dispatch, running] = useActionState(action, null);
  const [starting, startTransition] = useTransition();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => dispatch(form));
  };
  return { state, pending: running || starting, onSubmit };
}
