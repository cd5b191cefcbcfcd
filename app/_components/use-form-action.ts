"use client";

import { useActionState, useState, useTransition, type FormEvent } from "react";
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

/** A guarded server action called with an object (a form held in state); its last result is state. */
export function useAction<I, T>(action: (input: I) => Promise<ActionResult<T>>) {
  const [result, setResult] = useState<ActionResult<T> | null>(null);
  const [pending, startTransition] = useTransition();
  const run = (input: I, then?: (result: ActionResult<T>) => void) =>
    startTransition(async () => {
      const next = await action(input);
      setResult(next);
      then?.(next);
    });
  /** A form's onSubmit that sends `input` as it is when the form is submitted. */
  const submit = (input: I, then?: (result: ActionResult<T>) => void) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    run(input, then);
  };
  return { result, pending, run, submit, clear: () => setResult(null) };
}
